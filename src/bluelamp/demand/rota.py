"""Rotas with OR-Tools CP-SAT: first choose shifts to cover a staffing curve, then name the staff.

Time is in half-hour slots over a horizon of whole days (1-28) and treated as cyclic, so a shift
that starts late on the last day covers the first morning (rotas repeat). The staff rules wrap round
too for rotas of a week or more; a shorter rota is a one-off plan for those days (`is_cyclic`). Shifts last 8, 10 or 12 hours
and start on the hour or half-hour; they may cross midnight.

Stage 1 (`plan_shifts`) minimises shortfall first, then over-cover. Stage 2 (`assign_staff`) gives the
chosen shifts to named people under the rest rules: 11 hours between shifts, at most
`max_shifts_per_week` shifts in each 7-day block (so at least one rest day), at most `max_nights`
night shifts in a row, no work on leave days; preferences (avoid nights, wanted days off) are honoured
where they can be.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

SLOTS_PER_DAY = 48
SHIFT_HOURS = (8, 10, 12)
REST_SLOTS = 22  # 11 hours
MAX_PATTERNS: int | None = None
EXACT_ASSIGN_LIMIT = 20_000  # assignment variables above which the greedy assignment is kept as is


@dataclass(frozen=True)
class Shift:
    """A shift: the day it starts, the half-hour slot it starts in, and its length in hours."""

    day: int
    start_slot: int
    hours: int

    @property
    def slots(self) -> int:
        return self.hours * 2

    @property
    def is_night(self) -> bool:
        """A night shift covers 02:00 to 04:00 (on the day it starts or the next)."""
        begin, end = self.start_slot, self.start_slot + self.slots
        return any(begin <= s < end for s in (4, 5, 6, 7, 52, 53, 54, 55))

    def label(self) -> str:
        h, m = divmod(self.start_slot * 30, 60)
        return f"day {self.day + 1} {h:02d}:{m:02d} {self.hours}h"


@dataclass(frozen=True)
class Person:
    """A member of staff, with leave (day numbers) and preferences."""

    name: str
    leave: frozenset[int] = frozenset()
    avoid_nights: bool = False
    wanted_off: frozenset[int] = frozenset()


@dataclass
class RotaResult:
    """Chosen shifts, who works them, and cover against the requirement by slot."""

    shifts: list[Shift]
    assignments: dict[str, list[Shift]] = field(default_factory=dict)
    unfilled: list[Shift] = field(default_factory=list)
    required: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cover: np.ndarray = field(default_factory=lambda: np.zeros(0))
    status: str = ""

    def unfilled_reasons(self, people: Sequence[Person]) -> list[str]:
        """Why shifts are left unfilled, day by day, for the analyst: more shifts than people free that
        day (each works at most one shift a day), or else the rest, night and weekly rules."""
        reasons = []
        for day in sorted({k.day for k in self.unfilled}):
            need = sum(1 for k in self.shifts if k.day == day)
            free = sum(1 for p in people if day not in p.leave)
            gap = sum(1 for k in self.unfilled if k.day == day)
            if need > free:
                reasons.append(f"day {day + 1}: the curve needs {need} shifts and only {free} people are free "
                               f"to work one each ({gap} unfilled): add {need - free} people or accept the gap")
            else:
                reasons.append(f"day {day + 1}: {gap} shift(s) unfilled although {free} people are free: the rest "
                               "(11 h between shifts), night-run and weekly rest-day rules leave no one eligible")
        return reasons

    @property
    def shortfall(self) -> np.ndarray:
        return np.maximum(self.required - self.cover, 0)

    @property
    def over_cover(self) -> np.ndarray:
        return np.maximum(self.cover - self.required, 0)


def cover_of(shifts: Sequence[Shift], n_slots: int) -> np.ndarray:
    """Staff on duty in each slot (cyclic)."""
    cover = np.zeros(n_slots, dtype=int)
    for s in shifts:
        first = s.day * SLOTS_PER_DAY + s.start_slot
        idx = (first + np.arange(s.slots)) % n_slots
        cover[idx] += 1
    return cover


def plan_shifts(required: Sequence[int], hours: Sequence[int] = SHIFT_HOURS, time_limit_s: float = 20.0,
                workers: int = 2, max_patterns: int | None = MAX_PATTERNS) -> tuple[list[Shift], str]:
    """Stage 1: how many of each shift to run, covering `required` (one value per half hour).

    With `max_patterns`, at most that many distinct (start, length) shifts are used across the rota
    (slower to solve; off by default).
    """
    req = np.asarray(required, dtype=int)
    n = len(req)
    if n == 0 or n % SLOTS_PER_DAY:
        raise ValueError("the requirement must cover whole days of half-hour slots")
    if (req < 0).any():
        raise ValueError("the requirement must not be negative")
    days = n // SLOTS_PER_DAY
    model = cp_model.CpModel()
    top = int(req.max()) if n else 0
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    covering: list[list[cp_model.IntVar]] = [[] for _ in range(n)]
    used = {(s, h): model.new_bool_var(f"use{s}_{h}") for s in range(SLOTS_PER_DAY) for h in hours}
    if max_patterns is not None:
        model.add(sum(used.values()) <= max_patterns)
    for d in range(days):
        for s in range(SLOTS_PER_DAY):
            for h in hours:
                var = model.new_int_var(0, top, f"x{d}_{s}_{h}")
                if max_patterns is not None:
                    model.add(var <= top * used[s, h])
                x[d, s, h] = var
                first = d * SLOTS_PER_DAY + s
                for k in range(h * 2):
                    covering[(first + k) % n].append(var)
    short = [model.new_int_var(0, top, f"u{t}") for t in range(n)]
    over = [model.new_int_var(0, top * 8, f"o{t}") for t in range(n)]
    for t in range(n):
        model.add(sum(covering[t]) + short[t] - over[t] == int(req[t]))
    model.minimize(1000 * sum(short) + sum(over))
    # A gap of a few half-hours of over-cover is not worth seconds of proof.
    status, solver = _solve(model, time_limit_s, workers, gap=4.0)
    shifts = [Shift(d, s, h) for (d, s, h), var in x.items() for _ in range(solver.value(var))]
    return shifts, status


def _solve(model: cp_model.CpModel, time_limit_s: float, workers: int,
           gap: float = 0.0) -> tuple[str, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.absolute_gap_limit = gap
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"the rota model found no solution ({solver.status_name(status)})")
    return solver.status_name(status), solver


def assign_staff(shifts: Sequence[Shift], people: Sequence[Person], days: int, max_nights: int = 4,
                 max_shifts_per_week: int = 5, time_limit_s: float = 30.0, workers: int = 2,
                 ) -> tuple[dict[str, list[Shift]], list[Shift], str]:
    """Stage 2: give each chosen shift to a person, or leave it unfilled (reported).

    A greedy pass that keeps every rule gives a first rota; when the model is small enough CP-SAT then
    improves it (starting from the greedy rota as a hint), otherwise the greedy rota stands.
    """
    from bluelamp.demand.rota_greedy import greedy_assign

    greedy, greedy_unfilled = greedy_assign(shifts, people, days, max_nights, max_shifts_per_week)
    if len(people) * len(set(shifts)) > EXACT_ASSIGN_LIMIT:
        return greedy, greedy_unfilled, "GREEDY"
    needed = Counter(shifts)
    kinds = sorted(needed, key=lambda s: (s.day, s.start_slot, s.hours))
    by_day: dict[int, list[Shift]] = {d: [k for k in kinds if k.day == d] for d in range(days)}
    model = cp_model.CpModel()
    y: dict[tuple[int, Shift], cp_model.IntVar] = {}
    penalties = []
    for p, person in enumerate(people):
        for k in kinds:
            if k.day in person.leave:
                continue
            var = model.new_bool_var(f"y{p}_{k.day}_{k.start_slot}_{k.hours}")
            y[p, k] = var
            if (person.avoid_nights and k.is_night) or k.day in person.wanted_off:
                penalties.append(var)
    for k in kinds:
        model.add(sum(y[p, k] for p in range(len(people)) if (p, k) in y) <= needed[k])
    for p in range(len(people)):
        _person_rules(model, y, p, by_day, days, max_nights, max_shifts_per_week)
    filled = sum(y.values())
    index = {person.name: p for p, person in enumerate(people)}
    chosen = {(index[name], k) for name, lst in greedy.items() for k in lst}
    for key, var in y.items():
        model.add_hint(var, 1 if key in chosen else 0)
    model.maximize(100 * filled - 10 * sum(penalties))
    # Within 10 of the bound means every fillable shift is filled and at most one preference is missed.
    status, solver = _solve(model, time_limit_s, workers, gap=10.0)
    assignments: dict[str, list[Shift]] = {person.name: [] for person in people}
    taken: Counter[Shift] = Counter()
    for (p, k), var in y.items():
        if solver.value(var):
            assignments[people[p].name].append(k)
            taken[k] += 1
    unfilled = [k for k in kinds for _ in range(needed[k] - taken[k])]
    return assignments, unfilled, status


def is_cyclic(days: int) -> bool:
    """Rotas of a week or more repeat (the last day is followed by the first); shorter ones are one-off
    plans for those days, so the rest and night rules do not wrap around them."""
    return days >= 7


def _person_rules(model: cp_model.CpModel, y: dict, p: int, by_day: dict[int, list[Shift]], days: int,
                  max_nights: int, max_shifts_per_week: int) -> None:
    """One shift a day, 11 hours' rest, a weekly rest day and at most `max_nights` nights in a row."""
    work, start, end, night = [], [], [], []
    for d in range(days):
        mine = [(k, y[p, k]) for k in by_day[d] if (p, k) in y]
        work.append(sum(v for _, v in mine))
        start.append(sum(k.start_slot * v for k, v in mine))
        end.append(sum((k.start_slot + k.slots) * v for k, v in mine))
        night.append(sum(v for k, v in mine if k.is_night))
        model.add(work[d] <= 1)
    big = 2 * SLOTS_PER_DAY
    cyclic = is_cyclic(days)
    for d in range(days if cyclic else days - 1):
        e = (d + 1) % days  # cyclic: the last day is followed by the first
        # When both days are worked: next start + 48 - this end >= 22 slots of rest.
        model.add(start[e] + SLOTS_PER_DAY - end[d] >= REST_SLOTS - big * (2 - work[d] - work[e]))
    for w in range(0, days, 7):
        model.add(sum(work[w:w + 7]) <= max_shifts_per_week)
    for d in range(days if cyclic else max(days - max_nights, 0)):
        # A one-off rota's window never wraps: wrapping a 1-day rota counted its one night five times
        # and so forbade every night shift (issue 17: 12 people, night shifts left unfilled).
        window = [night[(d + i) % days] for i in range(max_nights + 1)]
        model.add(sum(window) <= max_nights)


def build_rota(required: Sequence[int], people: Sequence[Person], hours: Sequence[int] = SHIFT_HOURS,
               max_nights: int = 4, max_shifts_per_week: int = 5, time_limit_s: float = 25.0,
               progress: Callable[[str], None] | None = None, workers: int = 2) -> RotaResult:
    """Both stages, and the cover they give; `progress` is told the name of each stage as it ends."""
    req = np.asarray(required, dtype=int)
    days = len(req) // SLOTS_PER_DAY
    if not 1 <= days <= 28:
        raise ValueError("a rota covers 1 to 28 days of half-hour slots")
    shifts, status1 = plan_shifts(req.tolist(), hours, time_limit_s, workers=workers)
    if progress:
        progress("shifts")
    assignments, unfilled, status2 = assign_staff(shifts, people, days, max_nights, max_shifts_per_week,
                                                  time_limit_s, workers=workers)
    if progress:
        progress("staff")
    worked = [s for lst in assignments.values() for s in lst]
    return RotaResult(shifts, assignments, unfilled, req, cover_of(worked, len(req)), f"{status1}/{status2}")


def requirement_from_hourly(hourly: Sequence[float]) -> list[int]:
    """Half-hour requirement from an hourly staffing curve (each hour's need for both halves)."""
    return [int(np.ceil(v)) for v in hourly for _ in range(2)]
