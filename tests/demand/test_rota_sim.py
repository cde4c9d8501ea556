"""Rotas keep the rest rules; the simulation reproduces Erlang C and Erlang A."""

from __future__ import annotations

import numpy as np
import pytest

from bluelamp.demand import erlang
from bluelamp.demand.rota import SLOTS_PER_DAY, Person, Shift, build_rota, cover_of
from bluelamp.demand.simulate import CallPlan, ResponsePlan, compare, simulate_calls, simulate_response


def test_a_shift_crossing_midnight_covers_the_next_morning_and_wraps_the_rota() -> None:
    cover = cover_of([Shift(1, 44, 8)], 2 * SLOTS_PER_DAY)  # 22:00 on day 2 of 2 wraps to day 1
    assert cover[44 + SLOTS_PER_DAY] == 1 and cover[5] == 1 and cover.sum() == 16


def test_a_week_rota_covers_the_curve_and_keeps_the_rest_rules() -> None:
    slot = np.arange(7 * SLOTS_PER_DAY) % SLOTS_PER_DAY
    req = np.where((slot >= 14) & (slot < 44), 3, 1)
    people = [Person(f"p{i}", leave=frozenset({0}) if i == 0 else frozenset(), avoid_nights=i % 2 == 0)
              for i in range(14)]
    r = build_rota(req, people, max_nights=2, time_limit_s=10)
    assert r.shortfall.sum() == 0 and not r.unfilled
    assert not r.assignments["p0"] or all(s.day != 0 for s in r.assignments["p0"])
    for shifts in r.assignments.values():
        days = {s.day: s for s in shifts}
        assert len(days) == len(shifts) <= 5
        for d, s in days.items():
            nxt = days.get((d + 1) % 7)
            if nxt:
                assert nxt.start_slot + SLOTS_PER_DAY - (s.start_slot + s.slots) >= 22
        nights = [d for d, s in days.items() if s.is_night]
        assert not any(all((d + i) % 7 in nights for i in range(3)) for d in nights)


def test_more_handlers_answer_more_calls_in_time() -> None:
    a = CallPlan([50] * 20, [5] * 20, 1800, 180, 10)
    b = CallPlan([50] * 20, [7] * 20, 1800, 180, 10)
    out = compare(a, b, seeds=(1,))
    assert out["plan_b"]["answered_in_target"] > out["plan_a"]["answered_in_target"]


def test_response_simulation_reports_attendance_by_grade() -> None:
    r = simulate_response(ResponsePlan([6] * 24, [10] * 24))
    assert r.grade1_in_target is not None and 0 < r.grade1_in_target <= 1 and r.incidents > 100


@pytest.mark.slow
@pytest.mark.parametrize("patience", [None, 120.0])
def test_simulated_answering_matches_erlang_within_half_a_point(patience) -> None:  # type: ignore[no-untyped-def]
    agents = 14 if patience is None else 12
    n = 1600
    sim = simulate_calls(CallPlan([100] * n, [agents] * n, 1800, 180, 20, patience), seed=11)
    exact = erlang.measures(agents, 10, 180, 20, patience)
    assert sim.answered_in_target == pytest.approx(exact.service_level, abs=0.005)


def test_a_one_day_rota_fills_its_night_shifts_and_says_why_any_shift_is_left() -> None:
    # Issue 17: a 1-day rota for 12 people left its night shifts unfilled: the night-run window wrapped
    # round the single day and counted its one night five times. A rota under a week no longer wraps.
    slot = np.arange(SLOTS_PER_DAY)
    req = np.round(6 + 4 * np.sin((slot - 18) / SLOTS_PER_DAY * 2 * np.pi)).astype(int)
    people = [Person(f"p{i}") for i in range(12)]
    r = build_rota(req, people, time_limit_s=10)
    # Which 3 of the 15 shifts stay empty is the solver's choice (and its time limit's, on a loaded
    # machine); the bug's mark was that no night shift could be filled at all.
    nights = [k for k in r.shifts if k.is_night]
    assert nights and any(k not in r.unfilled for k in nights)
    assert len(r.shifts) > 12 and len(r.unfilled) == len(r.shifts) - 12  # more shifts than people
    assert "only 12 people are free" in r.unfilled_reasons(people)[0]
    enough = build_rota(req, [Person(f"p{i}") for i in range(len(r.shifts))], time_limit_s=10)
    assert not enough.unfilled and enough.unfilled_reasons([]) == []
