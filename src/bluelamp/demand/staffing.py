"""Staffing per interval: from calls, handling time and a service target to agents on the rota.

Shrinkage is applied exactly (decimal fractions, never binary floats), so 14 agents at 30% shrinkage
schedule ceil(14 / 0.7) = 20, not 21. Chat with several concurrent sessions per operator is staffed
as a queue with `agents x concurrency` session slots, each session lasting the chat's handling time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from bluelamp.demand import erlang


@dataclass(frozen=True)
class Target:
    """A channel's service target and staffing assumptions."""

    aht_s: float
    target_answer_s: float
    target_level: float
    patience_s: float | None = None
    shrinkage: Fraction | str | float = Fraction(0)
    max_occupancy: float | None = None
    concurrency: int = 1

    def shrinkage_fraction(self) -> Fraction:
        """The shrinkage as an exact fraction (a float is read through its shortest decimal form)."""
        value = self.shrinkage if isinstance(self.shrinkage, Fraction) else _exact(self.shrinkage)
        if not 0 <= value < 1:
            raise ValueError("shrinkage must be a fraction in [0, 1)")
        return value


# Defaults per channel; 999 follows the national standard (90% answered within 10 s).
CHANNEL_TARGETS: dict[str, Target] = {
    "999": Target(aht_s=180, target_answer_s=10, target_level=0.90),
    "101": Target(aht_s=300, target_answer_s=60, target_level=0.80, patience_s=300),
    "chat": Target(aht_s=600, target_answer_s=60, target_level=0.80, concurrency=2),
}


@lru_cache(maxsize=256)
def _exact(value: str | float) -> Fraction:
    """A decimal written as text (or a float's shortest decimal form) as an exact fraction."""
    return Fraction(str(value))


def scheduled(agents: int, shrinkage: Fraction | str | float) -> int:
    """Agents to schedule so that `agents` remain after shrinkage: ceil(agents / (1 - shrinkage))."""
    s = shrinkage if isinstance(shrinkage, Fraction) else _exact(shrinkage)
    if not 0 <= s < 1:
        raise ValueError("shrinkage must be a fraction in [0, 1)")
    return math.ceil(Fraction(agents) / (1 - s))


def staff_interval(calls: float, interval_s: float, target: Target) -> dict[str, Any]:
    """The staffing for one interval as a plain dict (the `bluelamp staffing` JSON)."""
    if interval_s <= 0:
        raise ValueError("interval length must be positive")
    if calls < 0:
        raise ValueError("call volume must not be negative")
    if target.aht_s <= 0:
        raise ValueError("handling time must be positive (a zero handling time needs no staff at all)")
    if target.concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    load = calls * target.aht_s / interval_s
    m = erlang.required_agents(load, target.aht_s, target.target_answer_s, target.target_level,
                               target.patience_s, _slot_cap(target))
    agents = math.ceil(m.agents / target.concurrency)
    if target.concurrency > 1 and agents * target.concurrency != m.agents:
        m = erlang.measures(agents * target.concurrency, load, target.aht_s, target.target_answer_s,
                            target.patience_s)
    out = {"agents": agents, "service_level": m.service_level, "p_wait": m.p_wait, "asa_s": m.asa_s,
           "occupancy": m.occupancy, "abandon_rate": m.abandon_rate}
    if target.concurrency > 1:
        out["sessions"] = agents * target.concurrency
    if out.get("abandon_rate") is None:
        out.pop("abandon_rate", None)
    out["scheduled_agents"] = scheduled(agents, target.shrinkage_fraction())
    out["offered_load_erlangs"] = load
    return {k: out[k] for k in _ORDER if k in out}


def _slot_cap(target: Target) -> float | None:
    return target.max_occupancy


_ORDER = ("agents", "scheduled_agents", "service_level", "p_wait", "asa_s", "occupancy", "abandon_rate",
          "sessions", "offered_load_erlangs")


def staff_curve(calls: list[float], interval_s: float, target: Target,
                aht_s: list[float | None] | None = None) -> list[dict[str, Any]]:
    """Staffing for a sequence of intervals (an optional per-interval handling time overrides).

    With a patience (Erlang A) and one session per agent, every interval is searched at once
    (`erlang.required_agents_a`, the same answer as one interval at a time).
    """
    ahts = [target.aht_s if aht_s is None or aht_s[i] is None or math.isnan(float(aht_s[i] or 0))
            else float(aht_s[i] or 0) for i in range(len(calls))]
    if target.patience_s is not None and target.concurrency == 1 and len(calls) > 1:
        return _staff_erlang_a(calls, interval_s, target, ahts)
    return [staff_interval(c, interval_s, _with_aht(target, a) if a != target.aht_s else target)
            for c, a in zip(calls, ahts, strict=True)]


def _staff_erlang_a(calls: list[float], interval_s: float, target: Target, ahts: list[float]) -> list[dict[str, Any]]:
    import numpy as np

    if interval_s <= 0:
        raise ValueError("interval length must be positive")
    c = np.asarray(calls, float)
    a = np.asarray(ahts, float)
    if np.any(c < 0):
        raise ValueError("call volume must not be negative")
    if np.any(a <= 0):
        raise ValueError("handling time must be positive (a zero handling time needs no staff at all)")
    assert target.patience_s is not None
    load = c * a / interval_s
    m = erlang.required_agents_a(load, a, target.target_answer_s, target.target_level, target.patience_s,
                                 _slot_cap(target))
    shrink = target.shrinkage_fraction()
    rows = []
    for i in range(len(c)):
        agents = int(m["agents"][i])
        rows.append({"agents": agents, "scheduled_agents": scheduled(agents, shrink),
                     "service_level": float(m["service_level"][i]), "p_wait": float(m["p_wait"][i]),
                     "asa_s": float(m["asa_s"][i]), "occupancy": float(m["occupancy"][i]),
                     "abandon_rate": float(m["abandon_rate"][i]), "offered_load_erlangs": float(load[i])})
    return rows


def _with_aht(target: Target, aht: float) -> Target:
    from dataclasses import replace

    return replace(target, aht_s=aht)
