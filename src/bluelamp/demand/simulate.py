"""What-if simulation with SimPy: 999 call answering by a call-handler rota, and response by units.

Calls arrive as a Poisson process at each interval's forecast rate, take exponential handling times
and (optionally) give up after an exponential patience; the number of handlers follows the rota (an
interval with fewer handlers takes servers out of use as they come free). Incidents arrive the same
way with a grade mix; the nearest free unit travels an urban or rural distance, stays at the scene and
comes free again. The answering part reproduces Erlang C and Erlang A when the rota is flat.

Common random numbers: everything random about a call or an incident (arrival time, handling time,
patience; grade, urban or rural, distance, time at scene) is drawn before the run from the seed and the
demand alone, so two plans run with the same seed see the very same calls and incidents and differ only
by the plan. One run is one replication; `replicate` and `compare` run many (seeds 1..R) and report each
figure as a mean with a 95% t-interval over replications, and a comparison as the paired difference of
the two plans with its own interval (much narrower than either figure's, because the noise is shared).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
from scipy import stats

CONFIDENCE = 0.95
MIN_REPLICATIONS = 10
MAX_REPLICATIONS = 200
PRECISION = 0.005          # stop when the 95% half-width of the compared difference is within half a point


@dataclass(frozen=True)
class CallPlan:
    """Call answering: calls and handlers per interval, handling time, target and patience."""

    calls: Sequence[float]
    handlers: Sequence[int]
    interval_s: float = 1800.0
    aht_s: float = 180.0
    target_s: float = 10.0
    patience_s: float | None = None


@dataclass(frozen=True)
class ResponsePlan:
    """Response: incidents and units per interval, grade mix, travel and time at scene."""

    incidents: Sequence[float]
    units: Sequence[int]
    interval_s: float = 3600.0
    grade_mix: tuple[float, float, float] = (0.15, 0.35, 0.50)   # grades 1, 2, 3 (3 queues behind)
    urban_share: float = 0.7
    urban_km: float = 3.0
    rural_km: float = 10.0
    urban_kmh: float = 35.0
    rural_kmh: float = 60.0
    scene_s: float = 2700.0


@dataclass
class SimResult:
    """Shares met and counts from one run (`events` is the number of SimPy events processed)."""

    answered_in_target: float | None = None
    abandoned: float | None = None
    calls: int = 0
    grade1_in_target: float | None = None
    grade2_in_60: float | None = None
    incidents: int = 0
    events: int = 0
    extra: dict[str, float] = field(default_factory=dict)


def _arrival_times(rates: Sequence[float], interval_s: float, rng: np.random.Generator) -> np.ndarray:
    """Poisson arrivals at each interval's rate, in time order."""
    counts = rng.poisson(np.asarray(rates, float))
    starts = np.repeat(np.arange(len(counts)) * interval_s, counts)
    within = rng.uniform(0, interval_s, int(counts.sum()))
    return np.asarray(np.sort(starts + within))


def simulate_calls(plan: CallPlan, seed: int = 1) -> SimResult:
    """Answer-time performance of a call-handler rota (one replication)."""
    rng = np.random.default_rng(seed)
    arrive = _arrival_times(plan.calls, plan.interval_s, rng)
    handle = rng.exponential(plan.aht_s, len(arrive))
    patience = rng.exponential(plan.patience_s, len(arrive)) if plan.patience_s is not None else None
    env = simpy.Environment()
    top = max(int(max(plan.handlers)), 1)
    desks = simpy.PriorityResource(env, capacity=top)
    waits: list[float] = []
    gave_up = [0]

    def call(k: int) -> simpy.events.ProcessGenerator:
        arrived = env.now
        with desks.request(priority=1) as req:
            if patience is None:
                yield req
            else:
                result = yield req | env.timeout(patience[k])
                if req not in result:
                    gave_up[0] += 1
                    waits.append(np.inf)
                    return
            waits.append(env.now - arrived)
            yield env.timeout(handle[k])

    def arrivals() -> simpy.events.ProcessGenerator:
        for k, t in enumerate(arrive):
            yield env.timeout(t - env.now)
            env.process(call(k))

    env.process(arrivals())
    env.process(_capacity(env, desks, plan.handlers, plan.interval_s, top))
    steps = _run(env, len(plan.calls) * plan.interval_s)
    w = np.asarray(waits)
    return SimResult(answered_in_target=float((w <= plan.target_s).mean()) if len(w) else None,
                     abandoned=gave_up[0] / len(w) if len(w) else None, calls=len(w), events=steps,
                     extra={"arrived": float(len(arrive))})


def _capacity(env: simpy.Environment, res: simpy.PriorityResource, staff: Sequence[int], interval_s: float,
              top: int) -> simpy.events.ProcessGenerator:
    """Take servers out of use (high-priority blockers) when an interval has fewer staff than `top`."""
    held: list[simpy.resources.resource.PriorityRequest] = []
    for n in staff:
        want = top - int(n)
        while len(held) > want:
            res.release(held.pop())
        while len(held) < want:
            held.append(res.request(priority=0))
        yield env.timeout(interval_s)


def _run(env: simpy.Environment, until: float) -> int:
    """Run to `until` counting processed events."""
    steps = 0
    while env.peek() < until:
        env.step()
        steps += 1
    return steps


def simulate_response(plan: ResponsePlan, seed: int = 1) -> SimResult:
    """Attendance of a unit rota: grade 1 within 15 (urban) / 20 (rural) min, grade 2 in 60 (one replication).

    Even with a unit free for every incident, grade 1 cannot all be met: the travel distance is
    exponential (mean 3 km urban at 35 km/h, 10 km rural at 60 km/h), so about 94.6% of urban and 86.5%
    of rural grade-1 incidents are reachable in time (`travel_ceiling`); past enough units the figure
    stops rising and only noise is left.
    """
    rng = np.random.default_rng(seed)
    arrive = _arrival_times(plan.incidents, plan.interval_s, rng)
    n = len(arrive)
    grades = rng.choice(3, size=n, p=np.asarray(plan.grade_mix) / sum(plan.grade_mix)) + 1
    urban = rng.random(n) < plan.urban_share
    km = np.where(urban, rng.exponential(plan.urban_km, n), rng.exponential(plan.rural_km, n))
    travel = km / np.where(urban, plan.urban_kmh, plan.rural_kmh) * 3600
    scene = rng.exponential(plan.scene_s, n)
    env = simpy.Environment()
    top = max(int(max(plan.units)), 1)
    units = simpy.PriorityResource(env, capacity=top)
    met: dict[int, list[bool]] = {1: [], 2: [], 3: []}

    def incident(k: int) -> simpy.events.ProcessGenerator:
        start = env.now
        grade = int(grades[k])
        with units.request(priority=grade) as req:
            yield req
            yield env.timeout(travel[k])
            limit = {1: 900 if urban[k] else 1200, 2: 3600, 3: 48 * 3600}[grade]
            met[grade].append(env.now - start <= limit)
            yield env.timeout(scene[k] + travel[k] * 0.5)

    def arrivals() -> simpy.events.ProcessGenerator:
        for k, t in enumerate(arrive):
            yield env.timeout(t - env.now)
            env.process(incident(k))

    env.process(arrivals())
    env.process(_capacity(env, units, plan.units, plan.interval_s, top))
    steps = _run(env, len(plan.incidents) * plan.interval_s + 6 * 3600)
    share = {g: (float(np.mean(v)) if v else None) for g, v in met.items()}
    return SimResult(grade1_in_target=share[1], grade2_in_60=share[2], incidents=sum(len(v) for v in met.values()),
                     events=steps)


def travel_ceiling(plan: ResponsePlan) -> float:
    """The grade-1 share in target with a unit always free: only the travel distance can miss."""
    urban = 1 - math.exp(-(900 / 3600 * plan.urban_kmh) / plan.urban_km)
    rural = 1 - math.exp(-(1200 / 3600 * plan.rural_kmh) / plan.rural_km)
    return plan.urban_share * urban + (1 - plan.urban_share) * rural


def interval(values: Sequence[float], confidence: float = CONFIDENCE) -> dict[str, float | int | None]:
    """Mean of replications with a t-interval: {"mean", "lo", "hi", "replications"}."""
    v = np.asarray([x for x in values if x is not None and not math.isnan(x)], float)
    if len(v) == 0:
        return {"mean": None, "lo": None, "hi": None, "replications": 0}
    mean = float(v.mean())
    if len(v) < 2:
        return {"mean": mean, "lo": None, "hi": None, "replications": 1}
    half = float(stats.t.ppf(0.5 + confidence / 2, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return {"mean": mean, "lo": mean - half, "hi": mean + half, "replications": int(len(v))}


def _half(est: dict[str, float | int | None]) -> float:
    lo, hi = est["lo"], est["hi"]
    return math.inf if lo is None or hi is None else (float(hi) - float(lo)) / 2


Measure = Callable[[SimResult], float | None]
CALL_MEASURES: dict[str, Measure] = {"answered_in_target": lambda r: r.answered_in_target,
                                     "abandoned": lambda r: r.abandoned}
RESPONSE_MEASURES: dict[str, Measure] = {"grade1_in_target": lambda r: r.grade1_in_target,
                                         "grade2_in_60": lambda r: r.grade2_in_60}


def compare_plans(run: Callable[[Any, int], SimResult], plans: dict[str, Any], measures: dict[str, Measure],
                  seeds: Sequence[int] | None = None, seed: int = 1, precision: float = PRECISION,
                  min_replications: int = MIN_REPLICATIONS,
                  max_replications: int = MAX_REPLICATIONS) -> dict[str, Any]:
    """Run every plan with the same seeds (common random numbers) and summarise with intervals.

    With `seeds` given, exactly those replications run. Otherwise replications (seeds `seed`,
    `seed`+1, ...) are added in batches until the 95% half-width of every measure -- of the paired
    difference against the first plan when there are two or more plans, of the figure itself for one
    plan -- is within `precision`, or `max_replications` is reached.
    Returns, per plan, each measure's mean (under its usual name) and `<name>_ci` = [lo, hi], plus
    `replications`; with two or more plans, `difference` holds each later plan minus the first.
    """
    names = list(plans)
    runs: dict[str, list[SimResult]] = {n: [] for n in names}

    def add(batch: Sequence[int]) -> None:
        for s in batch:
            for n in names:
                runs[n].append(run(plans[n], s))

    def spread() -> float:
        worst = 0.0
        for get in measures.values():
            if len(names) == 1:
                vals = [get(r) for r in runs[names[0]]]
                if any(v is not None for v in vals):
                    worst = max(worst, _half(interval([v for v in vals if v is not None])))
                continue
            for other in names[1:]:
                d = _paired(runs[names[0]], runs[other], get)
                if d:
                    worst = max(worst, _half(interval(d)))
        return worst

    if seeds is not None:
        add(list(seeds))
    else:
        add(range(seed, seed + min_replications))
        while spread() > precision and len(runs[names[0]]) < max_replications:
            done = len(runs[names[0]])
            add(range(seed + done, seed + min(done * 2, max_replications)))
    out: dict[str, Any] = {}
    for n in names:
        row: dict[str, Any] = {}
        for key, get in measures.items():
            est = interval([v for v in (get(r) for r in runs[n]) if v is not None])
            row[key] = est["mean"]
            row[f"{key}_ci"] = [est["lo"], est["hi"]]
        row["replications"] = len(runs[n])
        out[n] = row
    if len(names) > 1:
        out["difference"] = {
            other: {key: interval(_paired(runs[names[0]], runs[other], get)) for key, get in measures.items()}
            for other in names[1:]}
    out["replications"] = len(runs[names[0]])
    out["confidence"] = CONFIDENCE
    return out


def _paired(a: Sequence[SimResult], b: Sequence[SimResult], get: Measure) -> list[float]:
    pairs = [(get(x), get(y)) for x, y in zip(a, b, strict=True)]
    return [float(y) - float(x) for x, y in pairs if x is not None and y is not None]


def compare(a: CallPlan, b: CallPlan, seeds: Sequence[int] | None = None,
            **options: Any) -> dict[str, Any]:
    """Two call-handler plans side by side with common random numbers (see `compare_plans`).

    `plan_a` / `plan_b` keep `answered_in_target`, `abandoned` (None without patience) and
    `handler_hours`; each figure has its `_ci`, and `difference` is plan_b minus plan_a.
    """
    out = compare_plans(simulate_calls, {"plan_a": a, "plan_b": b}, CALL_MEASURES, seeds=seeds, **options)
    for name, plan in (("plan_a", a), ("plan_b", b)):
        if not plan.patience_s:
            out[name]["abandoned"] = None
            out[name]["abandoned_ci"] = [None, None]
        out[name]["handler_hours"] = float(sum(plan.handlers) * plan.interval_s / 3600)
    out["difference"] = out["difference"]["plan_b"]
    return out


def summarise_calls(plan: CallPlan, seeds: Sequence[int] | None = None, **options: Any) -> dict[str, Any]:
    """One call-handler plan over replications: each figure with its interval."""
    return compare_plans(simulate_calls, {"plan": plan}, CALL_MEASURES, seeds=seeds, **options)["plan"]


def compare_response(plans: dict[str, ResponsePlan], seeds: Sequence[int] | None = None,
                     **options: Any) -> dict[str, Any]:
    """Unit plans side by side with common random numbers; each adds `units_hours`, `incidents` (mean
    per replication) and `travel_ceiling` (the grade-1 share no number of units can exceed)."""
    done: dict[str, list[SimResult]] = {n: [] for n in plans}

    def run(plan: ResponsePlan, s: int) -> SimResult:
        r = simulate_response(plan, s)
        done[next(n for n, p in plans.items() if p is plan)].append(r)
        return r

    out = compare_plans(run, dict(plans), RESPONSE_MEASURES, seeds=seeds, **options)
    for n, plan in plans.items():
        out[n]["incidents"] = int(round(float(np.mean([r.incidents for r in done[n]])))) if done[n] else 0
        out[n]["events"] = int(sum(r.events for r in done[n]))
        out[n]["unit_hours"] = float(sum(plan.units) * plan.interval_s / 3600)
        out[n]["travel_ceiling"] = travel_ceiling(plan)
    return out
