"""What-if simulation with SimPy: 999 call answering by a call-handler rota, and response by units.

Calls arrive as a Poisson process at each interval's forecast rate, take exponential handling times
and (optionally) give up after an exponential patience; the number of handlers follows the rota (an
interval with fewer handlers takes servers out of use as they come free). Incidents arrive the same
way with a grade mix; the nearest free unit travels an urban or rural distance, stays at the scene and
comes free again. The answering part reproduces Erlang C and Erlang A when the rota is flat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy


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


def simulate_calls(plan: CallPlan, seed: int = 1) -> SimResult:
    """Answer-time performance of a call-handler rota."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    top = max(int(max(plan.handlers)), 1)
    desks = simpy.PriorityResource(env, capacity=top)
    waits: list[float] = []
    gave_up = [0]
    counter = [0]

    def call() -> simpy.events.ProcessGenerator:
        arrived = env.now
        with desks.request(priority=1) as req:
            if plan.patience_s is None:
                yield req
            else:
                result = yield req | env.timeout(rng.exponential(plan.patience_s))
                if req not in result:
                    gave_up[0] += 1
                    waits.append(np.inf)
                    return
            waits.append(env.now - arrived)
            yield env.timeout(rng.exponential(plan.aht_s))

    def arrivals() -> simpy.events.ProcessGenerator:
        for rate, t0 in zip(plan.calls, np.arange(len(plan.calls)) * plan.interval_s, strict=True):
            times = np.sort(rng.uniform(0, plan.interval_s, rng.poisson(rate))) + t0
            for t in times:
                yield env.timeout(t - env.now)
                counter[0] += 1
                env.process(call())

    env.process(arrivals())
    env.process(_capacity(env, desks, plan.handlers, plan.interval_s, top))
    steps = _run(env, len(plan.calls) * plan.interval_s)
    w = np.asarray(waits)
    return SimResult(answered_in_target=float((w <= plan.target_s).mean()) if len(w) else None,
                     abandoned=gave_up[0] / len(w) if len(w) else None, calls=len(w), events=steps)


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
    """Attendance performance of a unit rota: grade 1 within 15 (urban) / 20 (rural) min, grade 2 in 60."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    top = max(int(max(plan.units)), 1)
    units = simpy.PriorityResource(env, capacity=top)
    met: dict[int, list[bool]] = {1: [], 2: [], 3: []}

    def incident(grade: int, urban: bool) -> simpy.events.ProcessGenerator:
        start = env.now
        with units.request(priority=grade) as req:
            yield req
            km = rng.exponential(plan.urban_km if urban else plan.rural_km)
            travel = km / (plan.urban_kmh if urban else plan.rural_kmh) * 3600
            yield env.timeout(travel)
            limit = {1: 900 if urban else 1200, 2: 3600, 3: 48 * 3600}[grade]
            met[grade].append(env.now - start <= limit)
            yield env.timeout(rng.exponential(plan.scene_s) + travel * 0.5)

    def arrivals() -> simpy.events.ProcessGenerator:
        for rate, t0 in zip(plan.incidents, np.arange(len(plan.incidents)) * plan.interval_s, strict=True):
            times = np.sort(rng.uniform(0, plan.interval_s, rng.poisson(rate))) + t0
            for t in times:
                yield env.timeout(t - env.now)
                grade = int(rng.choice(3, p=np.asarray(plan.grade_mix) / sum(plan.grade_mix))) + 1
                env.process(incident(grade, bool(rng.random() < plan.urban_share)))

    env.process(arrivals())
    env.process(_capacity(env, units, plan.units, plan.interval_s, top))
    steps = _run(env, len(plan.incidents) * plan.interval_s + 6 * 3600)
    share = {g: (float(np.mean(v)) if v else None) for g, v in met.items()}
    return SimResult(grade1_in_target=share[1], grade2_in_60=share[2], incidents=sum(len(v) for v in met.values()),
                     events=steps)


def compare(a: CallPlan, b: CallPlan, seeds: Sequence[int] = (1, 2, 3)) -> dict[str, dict[str, float | None]]:
    """Two call-handler plans side by side, averaged over a few seeds."""
    out = {}
    for name, plan in (("plan_a", a), ("plan_b", b)):
        runs = [simulate_calls(plan, s) for s in seeds]
        sl = [r.answered_in_target for r in runs if r.answered_in_target is not None]
        ab = [r.abandoned for r in runs if r.abandoned is not None]
        out[name] = {"answered_in_target": float(np.mean(sl)) if sl else None,
                     "abandoned": float(np.mean(ab)) if ab and a.patience_s else None,
                     "handler_hours": float(sum(plan.handlers) * plan.interval_s / 3600)}
    return out
