"""Erlang C (M/M/N) and Erlang A (M/M/N+M, exponential patience) queue measures, pure and exact.

The scalar functions are standard-library maths over plain floats; `erlang_a_arrays` and
`required_agents_a` evaluate the same Erlang A sums for many intervals at once with numpy. "Exact" means the closed forms are
evaluated directly, with no simulation and no approximation beyond floating point:

- Erlang C: the Erlang B recursion gives P(wait); service level, ASA and occupancy follow in closed form.
- Erlang A: the stationary distribution of the birth-death chain is summed until its tail is below
  1e-17 of the total. For a caller who finds j callers queued ahead, the time to reach an agent V
  satisfies exp(-theta V) ~ Beta(c, j + 1) with c = N mu / theta, which gives P(answered), P(answered
  within T) and the mean wait of answered calls as finite sums of positive terms (no cancellation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

_TAIL = 1e-17
_MAX_QUEUE = 200_000


@dataclass(frozen=True)
class QueueMeasures:
    """What a number of agents achieves in one interval (times in seconds, shares as fractions)."""

    agents: int
    service_level: float
    p_wait: float
    asa_s: float
    occupancy: float
    abandon_rate: float | None = None


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of M/M/N/N with offered load `load` erlangs (stable recursion)."""
    if agents < 0 or load < 0:
        raise ValueError("agents and load must not be negative")
    inv_b = 1.0
    for k in range(1, agents + 1):
        inv_b = 1.0 + inv_b * k / load if load > 0 else math.inf
    return 1.0 / inv_b


def erlang_c(agents: int, load: float) -> float:
    """Probability that an arriving call waits in M/M/N (1.0 when the queue is unstable, N <= A)."""
    if agents <= load:
        return 1.0
    b = erlang_b(agents, load)
    rho = load / agents
    return b / (1.0 - rho * (1.0 - b))


def erlang_c_measures(agents: int, load: float, aht_s: float, target_s: float) -> QueueMeasures:
    """Service level (answered within `target_s`), P(wait), ASA and occupancy for N agents."""
    _check(load, aht_s, target_s)
    if agents <= load:
        return QueueMeasures(agents, 0.0, 1.0, math.inf, 1.0 if agents else math.inf)
    pw = erlang_c(agents, load)
    sl = 1.0 - pw * math.exp(-(agents - load) * target_s / aht_s)
    asa = pw * aht_s / (agents - load)
    return QueueMeasures(agents, sl, pw, asa, load / agents)


def erlang_a_measures(agents: int, load: float, aht_s: float, target_s: float,
                      patience_s: float) -> QueueMeasures:
    """Erlang A measures; `service_level` is answered within `target_s` over all arrivals.

    `asa_s` is the mean wait of answered calls; `occupancy` is the answered load over the agents.
    """
    _check(load, aht_s, target_s)
    if patience_s <= 0:
        raise ValueError("patience must be positive")
    if agents <= 0:
        return QueueMeasures(agents, 0.0, 1.0, math.inf, math.inf, 1.0)
    if load == 0:
        return QueueMeasures(agents, 1.0, 0.0, 0.0, 0.0, 0.0)
    theta = aht_s / patience_s  # abandonment rate in units of the service rate
    c = agents / theta          # N mu / theta
    y = load / theta            # lambda / theta
    b = erlang_b(agents, load)
    u0 = math.exp(-target_s / patience_s)
    weight = 1.0                 # pi_{N+j} / pi_N
    total = answered = within = wait_answered = 0.0
    beta_sum = 0.0               # sum_{k<=j} (c+1)_k / k! (1-u0)^k
    beta_term = 1.0
    harmonic = 0.0               # sum_{m<=j} 1 / (c + 1 + m)
    for j in range(_MAX_QUEUE):
        beta_sum += beta_term
        harmonic += 1.0 / (c + 1.0 + j)
        served = c / (c + j + 1.0)
        p_beyond = max(0.0, 1.0 - u0 ** (c + 1.0) * beta_sum)
        total += weight
        answered += weight * served
        within += weight * served * p_beyond
        wait_answered += weight * served * harmonic
        weight *= y / (c + j + 1.0)
        beta_term *= (c + 1.0 + j) / (j + 1.0) * (1.0 - u0)
        if weight < _TAIL * total and j > y:
            break
    # Callers who find an agent free: pi(<N) = pi_N (1/B - 1) relative to pi_N = 1.
    free = (1.0 / b - 1.0) if b > 0 else math.inf
    norm = free + total
    p_wait = total / norm
    p_answered = (free + answered) / norm
    sl = (free + within) / norm
    asa = (wait_answered / theta * aht_s / norm) / p_answered if p_answered > 0 else math.inf
    occupancy = load * p_answered / agents
    return QueueMeasures(agents, sl, p_wait, asa, occupancy, 1.0 - p_answered)


def measures(agents: int, load: float, aht_s: float, target_s: float,
             patience_s: float | None = None) -> QueueMeasures:
    """Erlang C measures, or Erlang A when a mean patience is given."""
    if patience_s is None:
        return erlang_c_measures(agents, load, aht_s, target_s)
    return erlang_a_measures(agents, load, aht_s, target_s, patience_s)


def required_agents(load: float, aht_s: float, target_s: float, target_level: float,
                    patience_s: float | None = None, max_occupancy: float | None = None) -> QueueMeasures:
    """The fewest agents meeting the service-level target and the occupancy cap, with their measures."""
    if not 0 <= target_level <= 1:
        raise ValueError("target level must be a fraction between 0 and 1")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ValueError("max occupancy must be a fraction in (0, 1]")
    _check(load, aht_s, target_s)
    if load == 0:
        return QueueMeasures(0, 1.0, 0.0, 0.0, 0.0, 0.0 if patience_s is not None else None)
    if patience_s is None:
        return _required_erlang_c(load, aht_s, target_s, target_level, max_occupancy)
    return _required_erlang_a(load, aht_s, target_s, target_level, patience_s, max_occupancy)


def _required_erlang_a(load: float, aht_s: float, target_s: float, target_level: float, patience_s: float,
                       max_occupancy: float | None) -> QueueMeasures:
    """Erlang A search: the service level rises with every agent added, so find the fewest agents
    meeting it by doubling and bisection (O(log N) evaluations instead of N), then step up until the
    occupancy cap holds too."""

    def at(n: int) -> QueueMeasures:
        return erlang_a_measures(n, load, aht_s, target_s, patience_s)

    def sl_ok(m: QueueMeasures) -> bool:
        return m.service_level >= target_level * (1 - 1e-12)

    hi = 1
    while not sl_ok(at(hi)):
        hi *= 2
        if hi > 64 * (load + 10):
            raise ValueError("no number of agents meets this service level: callers abandon first")
    lo = hi // 2  # 0, or a count known to miss the target
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if sl_ok(at(mid)):
            hi = mid
        else:
            lo = mid
    n = hi
    m = at(n)
    while not _meets(m, target_level, max_occupancy):
        n += 1
        m = at(n)
    return m


def _required_erlang_c(load: float, aht_s: float, target_s: float, target_level: float,
                       max_occupancy: float | None) -> QueueMeasures:
    """Erlang C search carrying the Erlang B recursion along, so each step costs O(1)."""
    if target_level >= 1:
        raise ValueError("Erlang C never answers every call within a finite target: use a level below 1")
    b, n = 1.0, 0
    while True:
        n += 1
        b = load * b / (n + load * b)
        if n <= load:
            continue
        pw = b / (1.0 - load / n * (1.0 - b))
        sl = 1.0 - pw * math.exp(-(n - load) * target_s / aht_s)
        m = QueueMeasures(n, sl, pw, pw * aht_s / (n - load), load / n)
        if _meets(m, target_level, max_occupancy):
            return m


def _meets(m: QueueMeasures, target_level: float, max_occupancy: float | None) -> bool:
    # A relative tolerance of 1e-12 keeps exact boundary cases (48 / 64 = 0.75) on the right side.
    if m.service_level < target_level * (1 - 1e-12):
        return False
    return max_occupancy is None or m.occupancy <= max_occupancy * (1 + 1e-12)


def _check(load: float, aht_s: float, target_s: float) -> None:
    if aht_s <= 0:
        raise ValueError("handling time must be positive")
    if load < 0:
        raise ValueError("call volume must not be negative")
    if target_s < 0:
        raise ValueError("target answer time must not be negative")


def erlang_a_arrays(agents: ArrayLike, load: ArrayLike, aht_s: ArrayLike, target_s: float,
                    patience_s: float, blocking: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """`erlang_a_measures` for many (agents, load) pairs at once: the same sums, evaluated with numpy.

    Rows are independent; each row's queue sum runs over j = 0..J-1 with J large enough that every row's
    tail is below 1e-17 of its total (checked, and J doubled if not). Rows with no agents or no load take
    the same special values as the scalar function. `blocking` may give Erlang B at these agents (it
    is computed otherwise). Returns arrays `service_level`, `p_wait`, `asa_s`,
    `occupancy`, `abandon_rate`.
    """
    n = np.asarray(agents, float)
    lam = np.asarray(load, float)
    aht = np.broadcast_to(np.asarray(aht_s, float), n.shape)
    n, lam = np.broadcast_arrays(n, lam)
    theta = aht / patience_s
    c = n / theta
    y = lam / theta
    u0 = math.exp(-target_s / patience_s)
    live = (n > 0) & (lam > 0)
    b = erlang_b_array(n, lam) if blocking is None else blocking
    span = int(np.max(np.where(live, y, 0.0), initial=0.0))
    size = min(max(64, span + 12 * int(math.sqrt(span + 1)) + 64), _MAX_QUEUE)
    # Layout: queue position j down the rows, intervals across, so each running product runs over
    # contiguous rows (the same recurrences as the scalar loop, in the same order).
    cl = np.where(live, c, 1.0)[None, :]
    yl = np.where(live, y, 1.0)[None, :]
    while True:
        j = np.arange(size, dtype=float)[:, None]
        nxt = cl + 1.0 + j                  # c + 1 + j
        ratio = np.empty((size, cl.shape[1]))
        ratio[0] = 1.0
        np.divide(yl, nxt[:-1], out=ratio[1:])
        w = np.cumprod(ratio, axis=0)       # weight_j = pi_{N+j} / pi_N = prod_{i<j} y / (c + i + 1)
        total = w.sum(axis=0)
        if np.all((w[-1] < _TAIL * total) | ~live) or size >= _MAX_QUEUE:
            break
        size = min(size * 2, _MAX_QUEUE)
    grow = np.empty_like(ratio)             # beta term_k = (c+1)_k / k! (1-u0)^k
    grow[0] = 1.0
    np.multiply(nxt[:-1] / (j[1:] if size > 1 else j[:0]), 1.0 - u0, out=grow[1:])
    beta_sum = np.cumsum(np.cumprod(grow, axis=0), axis=0)
    p_beyond = np.maximum(0.0, 1.0 - u0 ** (cl + 1.0) * beta_sum)
    harmonic = np.cumsum(1.0 / nxt, axis=0)
    served = w * (cl / nxt)
    answered = served.sum(axis=0)
    within = (served * p_beyond).sum(axis=0)
    wait_answered = (served * harmonic).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        free = np.where(b > 0, 1.0 / np.where(b > 0, b, 1.0) - 1.0, np.inf)
        norm = free + total
        p_wait = total / norm
        p_answered = (free + answered) / norm
        sl = (free + within) / norm
        asa = np.where(p_answered > 0, (wait_answered / theta * aht / norm) / p_answered, np.inf)
        occupancy = lam * p_answered / np.where(n > 0, n, 1.0)
    none = n <= 0
    idle = (n > 0) & (lam == 0)
    return {
        "service_level": np.where(none, 0.0, np.where(idle, 1.0, sl)),
        "p_wait": np.where(none, 1.0, np.where(idle, 0.0, p_wait)),
        "asa_s": np.where(none, np.inf, np.where(idle, 0.0, asa)),
        "occupancy": np.where(none, np.inf, np.where(idle, 0.0, occupancy)),
        "abandon_rate": np.where(none, 1.0, np.where(idle, 0.0, 1.0 - p_answered)),
    }


def erlang_b_array(agents: np.ndarray, load: np.ndarray) -> np.ndarray:
    """Erlang B for many rows: the scalar recursion run to the largest N, each row stopping at its own."""
    n = np.asarray(agents, int)
    lam = np.asarray(load, float)
    inv_b = np.ones(n.shape)
    for k in range(1, int(n.max(initial=0)) + 1):
        step = k <= n
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            nxt = np.where(lam > 0, 1.0 + inv_b * k / np.where(lam > 0, lam, 1.0), np.inf)
        inv_b = np.where(step, nxt, inv_b)
    return np.asarray(1.0 / inv_b)


def required_agents_a(load: ArrayLike, aht_s: ArrayLike, target_s: float, target_level: float,
                      patience_s: float, max_occupancy: float | None = None) -> dict[str, np.ndarray]:
    """`required_agents` with a patience, for many intervals at once (the same doubling, bisection and
    step-up search, run on every row together). Returns `agents` and the measures at that number."""
    if not 0 <= target_level <= 1:
        raise ValueError("target level must be a fraction between 0 and 1")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ValueError("max occupancy must be a fraction in (0, 1]")
    if patience_s <= 0:
        raise ValueError("patience must be positive")
    lam = np.asarray(load, float)
    aht = np.broadcast_to(np.asarray(aht_s, float), lam.shape).copy()
    if np.any(aht <= 0):
        raise ValueError("handling time must be positive")
    if np.any(lam < 0):
        raise ValueError("call volume must not be negative")
    if target_s < 0:
        raise ValueError("target answer time must not be negative")

    table: list[np.ndarray] = [np.ones(lam.shape)]   # 1 / B(n) for n = 0, 1, ... (grown on demand)

    def blocking(nn: np.ndarray, rows: np.ndarray) -> np.ndarray:
        top = int(nn[rows].max(initial=0))
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):   # 1/B overflows to inf as B -> 0
            while len(table) <= top:
                k = len(table)
                table.append(np.where(lam > 0, 1.0 + table[-1] * k / np.where(lam > 0, lam, 1.0), np.inf))
        return np.asarray(1.0 / np.stack(table)[nn[rows], rows])

    def sl_ok(nn: np.ndarray, rows: np.ndarray) -> np.ndarray:
        m = erlang_a_arrays(nn[rows], lam[rows], aht[rows], target_s, patience_s, blocking(nn, rows))
        return np.asarray(m["service_level"] >= target_level * (1 - 1e-12))

    busy = lam > 0
    # Start from a square-root-staffing bracket around the load and widen it where it does not hold.
    root = np.sqrt(lam)
    lo = np.where(busy, np.maximum(np.floor(lam - 2 * root) - 1, 0), 0).astype(int)
    hi = np.where(busy, np.ceil(lam + 3 * root) + 2, 0).astype(int)
    rows = np.flatnonzero(busy & (lo > 0))
    if rows.size:
        low_ok = rows[sl_ok(lo, rows)]
        hi[low_ok], lo[low_ok] = lo[low_ok], 0            # even the low end meets it: search below
    todo = np.flatnonzero(busy & (hi > lo))
    todo = todo[~sl_ok(hi, todo)] if todo.size else todo
    while todo.size:
        lo[todo] = hi[todo]
        hi[todo] *= 2
        if np.any(hi[todo] > 64 * (lam[todo] + 10)):
            raise ValueError("no number of agents meets this service level: callers abandon first")
        todo = todo[~sl_ok(hi, todo)]
    todo = np.flatnonzero(hi - lo > 1)
    while todo.size:
        mid = (lo + hi) // 2
        ok = sl_ok(mid, todo)
        hi[todo[ok]] = mid[todo[ok]]
        lo[todo[~ok]] = mid[todo[~ok]]
        todo = todo[hi[todo] - lo[todo] > 1]
    n = hi
    m = erlang_a_arrays(n, lam, aht, target_s, patience_s)
    if max_occupancy is not None:
        while True:
            short = busy & (m["occupancy"] > max_occupancy * (1 + 1e-12))
            if not short.any():
                break
            n = np.where(short, n + 1, n)
            m = erlang_a_arrays(n, lam, aht, target_s, patience_s)
    idle = ~busy                          # no calls: no agents, and every measure perfect
    for key, value in (("service_level", 1.0), ("p_wait", 0.0), ("asa_s", 0.0), ("occupancy", 0.0),
                       ("abandon_rate", 0.0)):
        m[key] = np.where(idle, value, m[key])
    return {"agents": n, **m}
