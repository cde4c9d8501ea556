"""A fast greedy assignment of shifts to people that keeps every rest rule (the rota's first draft)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bluelamp.demand.rota import Person, Shift

DAY = 48


def greedy_assign(shifts: Sequence[Shift], people: Sequence[Person], days: int, max_nights: int,
                  max_shifts_per_week: int) -> tuple[dict[str, list[Shift]], list[Shift]]:
    """Day by day, give each shift to the eligible person with the fewest shifts so far, preferring
    people whose preferences it does not cross. Returns (assignments, unfilled shifts)."""
    from bluelamp.demand.rota import REST_SLOTS, is_cyclic

    worked: dict[int, dict[int, Shift]] = {p: {} for p in range(len(people))}
    unfilled: list[Shift] = []
    order = sorted(shifts, key=lambda s: (s.day, s.start_slot, -s.hours))

    def eligible(p: int, k: Shift) -> bool:
        person, mine = people[p], worked[p]
        if k.day in person.leave or k.day in mine:
            return False
        before, after = k.day - 1, k.day + 1
        if is_cyclic(days):
            before, after = before % days, after % days
        prev, nxt = mine.get(before), mine.get(after)
        if prev and k.start_slot + DAY - (prev.start_slot + prev.slots) < REST_SLOTS:
            return False
        if nxt and nxt.start_slot + DAY - (k.start_slot + k.slots) < REST_SLOTS:
            return False
        week = k.day // 7
        if sum(1 for d in mine if d // 7 == week) >= max_shifts_per_week:
            return False
        return not (k.is_night and _night_run(mine, k.day, days) >= max_nights)

    for k in order:
        candidates = [p for p in range(len(people)) if eligible(p, k)]
        if not candidates:
            unfilled.append(k)
            continue
        best = min(candidates, key=lambda p: (_crosses(people[p], k), len(worked[p]), p))
        worked[best][k.day] = k
    out = {people[p].name: sorted(m.values(), key=lambda s: s.day) for p, m in worked.items()}
    return out, unfilled


def _crosses(person: Person, k: Shift) -> bool:
    return (person.avoid_nights and k.is_night) or k.day in person.wanted_off


def _night_run(mine: dict[int, Shift], day: int, days: int) -> int:
    """Longest run of nights that would include `day` if it were a night too (minus itself); the run
    wraps round only in a rota that repeats (a week or more)."""
    from bluelamp.demand.rota import is_cyclic

    wrap = is_cyclic(days)
    before = after = 0
    d = day - 1
    while (d % days if wrap else d) in mine and mine[d % days].is_night and before < days:
        before += 1
        d -= 1
    d = day + 1
    while (d % days if wrap else d) in mine and mine[d % days].is_night and after < days:
        after += 1
        d += 1
    return before + after
