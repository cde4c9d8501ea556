"""Erlang C (M/M/N) and Erlang A (M/M/N+M, exponential patience) queue measures, pure and exact.

Everything here is standard-library maths over plain floats. "Exact" means the closed forms are
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
