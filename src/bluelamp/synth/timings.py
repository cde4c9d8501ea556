"""When officers were dispatched, set off, arrived and cleared, for the demo's incidents.

Drawn so the demo force performs like a real one: grade 1 mostly inside 15 minutes (urban) or 20
(rural), with a tail of breaches when the force is busy; grade 2 mostly inside the hour; grade 3 at an
appointment within 48 hours, a few late. The busier the hour, the longer the wait for a free unit.
A few incidents are cancelled before anyone arrives (no longer required). All times in seconds after
the contact was received.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MINUTE = 60.0
HOUR = 3600.0


@dataclass
class Times:
    """Seconds after receipt; NaN where it never happened (a cancelled incident never arrives)."""

    dispatch: np.ndarray
    enroute: np.ndarray
    arrive: np.ndarray
    close: np.ndarray
    cancelled: np.ndarray


def draw(rng: np.random.Generator, grade: np.ndarray, urban: np.ndarray, load: np.ndarray) -> Times:
    """Times for incidents of the given grades; `load` is the hour's demand relative to the average."""
    n = len(grade)
    load = np.clip(load, 0.5, 2.0)
    busy = rng.random(n) < 0.05 * load  # no unit free: the call waits for one to clear
    wait = np.where(busy, rng.exponential(15 * MINUTE, n), 0.0)
    g1_dispatch = rng.lognormal(np.log(90), 0.6, n) * load + wait
    g1_travel = rng.lognormal(np.log(np.where(urban, 7.5, 11.0) * MINUTE), 0.42, n)
    g2_dispatch = rng.lognormal(np.log(14 * MINUTE), 0.85, n) * load + wait * 2
    g2_travel = rng.lognormal(np.log(12 * MINUTE), 0.5, n)
    # Grade 3: an appointment, most the same day or the next, 48 h at most except a few.
    appointment = np.clip(rng.lognormal(np.log(18 * HOUR), 0.6, n), 2 * HOUR, 47 * HOUR)
    late = rng.random(n) < 0.06
    appointment = np.where(late, 48 * HOUR + rng.exponential(8 * HOUR, n), appointment)
    g3_travel = rng.lognormal(np.log(15 * MINUTE), 0.4, n)
    dispatch = np.select([grade == 1, grade == 2], [g1_dispatch, g2_dispatch], appointment - g3_travel)
    travel = np.select([grade == 1, grade == 2], [g1_travel, g2_travel], g3_travel)
    enroute = dispatch + np.minimum(rng.exponential(40, n), travel * 0.3)
    arrive = dispatch + travel
    on_scene = rng.lognormal(np.log(np.select([grade == 1, grade == 2], [80, 60], 45) * MINUTE), 0.6, n)
    close = arrive + on_scene + rng.exponential(10 * MINUTE, n)
    cancelled = rng.random(n) < np.select([grade == 1, grade == 2], [0.02, 0.05], 0.04)
    arrive = np.where(cancelled, np.nan, arrive)
    close = np.where(cancelled, enroute + rng.exponential(10 * MINUTE, n), close)
    return Times(dispatch, enroute, arrive, close, cancelled)
