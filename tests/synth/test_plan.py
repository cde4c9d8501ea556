"""The demo force's plan: volumes and shapes like a real force, repeat callers, and determinism. No database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import numpy as np
import pytest

from bluelamp.clock import LONDON
from bluelamp.synth import shapes
from bluelamp.synth.areas import AREAS
from bluelamp.synth.people import population
from bluelamp.synth.plan import Plan, Planner

END = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)


@lru_cache(maxsize=4)
def _plan(seed: int, days: int, end: datetime = END) -> Plan:
    return Planner(seed, population(seed)).plan(end - timedelta(days=days), end)


def _local_hours(plan: Plan) -> np.ndarray:
    return np.array([datetime.fromtimestamp(int(t), UTC).astimezone(LONDON).hour for t in plan.t])


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_same_seed_plans_the_same_contacts_and_another_seed_does_not():
    a, b = _plan(42, 7), Planner(42, population(42)).plan(END - timedelta(days=7), END)
    assert len(a) == len(b)
    for name in ("t", "channel", "kind", "caller", "other", "variant", "house"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    c = _plan(7, 7)
    assert len(c) != len(a) or not np.array_equal(c.t, a.t)


def test_a_dates_contacts_do_not_depend_on_how_much_history_is_planned():
    short, long = _plan(42, 7), _plan(42, 28)
    assert np.array_equal(short.t, long.t[long.t >= short.t.min()])
    assert np.array_equal(short.caller, long.caller[long.t >= short.t.min()])


def test_about_two_thousand_contacts_a_day_in_the_right_channel_mix():
    plan = _plan(42, 28)
    per_day = len(plan) / 28
    assert 1850 <= per_day <= 2150
    share = np.bincount(plan.channel, minlength=4) / len(plan)
    for got, want in zip(share, (0.35, 0.50, 0.08, 0.07), strict=True):
        assert abs(got - want) < 0.03


def test_demand_is_lowest_before_dawn_and_highest_in_the_late_afternoon_and_evening():
    hours = np.bincount(_local_hours(_plan(42, 28)), minlength=24) / len(_plan(42, 28))
    assert int(np.argmin(hours)) in (3, 4, 5, 6)
    assert 14 <= int(np.argmax(hours)) <= 20
    assert hours[15:19].mean() > 3 * hours[3:6].mean()


def test_friday_and_saturday_nights_bring_more_999_calls_than_midweek_nights():
    plan = _plan(42, 28)
    sel = plan.channel == 0
    local = [datetime.fromtimestamp(int(t), UTC).astimezone(LONDON) for t in plan.t[sel]]
    # A night runs 22:00-03:59; it belongs to the day it starts on.
    nights = [(x - timedelta(hours=4)).weekday() for x in local if x.hour >= 22 or x.hour < 4]
    counts = np.bincount(nights, minlength=7)
    assert counts[4] + counts[5] > 1.25 * (counts[1] + counts[2])


def test_summer_is_busier_than_winter_and_bank_holidays_are_quiet_on_101():
    july = np.mean([sum(shapes.expected_daily(date(2025, 7, d), c) for c in shapes.CHANNELS) for d in range(1, 29)])
    jan = np.mean([sum(shapes.expected_daily(date(2025, 1, d), c) for c in shapes.CHANNELS) for d in range(1, 29)])
    assert july > 1.1 * jan
    easter_monday, ordinary_monday = date(2025, 4, 21), date(2025, 4, 28)
    assert shapes.is_bank_holiday(easter_monday) and not shapes.is_bank_holiday(ordinary_monday)
    assert shapes.expected_daily(easter_monday, "101") < 0.8 * shapes.expected_daily(ordinary_monday, "101")
    assert shapes.expected_daily(easter_monday, "999") > shapes.expected_daily(ordinary_monday, "999")


@pytest.mark.parametrize("day", [date(2025, 3, 30), date(2025, 10, 26), date(2025, 6, 1)])
def test_local_hours_survive_the_clock_changes(day):
    start = datetime(day.year, day.month, day.day, tzinfo=LONDON) - timedelta(days=1)
    plan = Planner(42, population(42)).plan(start.astimezone(UTC), start.astimezone(UTC) + timedelta(days=3))
    days = {datetime.fromtimestamp(int(t), UTC).astimezone(LONDON).date().toordinal() for t in plan.t}
    assert days <= set(plan.day.tolist()) | {max(plan.day) + 1}


def test_repeat_callers_and_victims_are_counted_as_the_spine_counts_them():
    plan = _plan(42, 28)
    callers, counts = np.unique(plan.caller[plan.caller >= 0], return_counts=True)
    assert (counts >= 3).sum() > 100  # frequent callers exist
    assert 0.003 < (plan.earlier_calls >= 2).mean() < 0.25  # four weeks of history only
    assert (plan.earlier_victim >= 1).sum() > 100
    # Brute force for a few busy callers: earlier contacts as caller within 365 days.
    for person in callers[np.argsort(-counts)[:5]]:
        rows = np.flatnonzero(plan.caller == person)
        for k, row in enumerate(rows):
            assert plan.earlier_calls[row] == k


def test_the_population_is_a_county_of_about_a_million_people_in_towns_and_villages():
    pop = population(42)
    assert 1_000_000 <= pop.size <= 1_200_000
    assert len(AREAS) == 8
    for area in AREAS:
        assert 52.4 <= area.lat <= 53.2 and -2.4 <= area.lon <= -1.5
    shares = [a.urban_share for a in AREAS]
    assert min(shares) < 0.6 and max(shares) == 1.0
    assert (pop.kind == 1).mean() > 0.15  # children
    phones = [pop.phone(i) for i in range(0, 200_000, 7)]
    phones = [p for p in phones if p]
    assert len(set(phones)) == len(phones)
