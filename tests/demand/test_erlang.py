"""Erlang C reproduces every published reference value; Erlang A agrees with its limits."""

from __future__ import annotations

import math

import pytest

from bluelamp.demand import erlang
from bluelamp.demand.staffing import Target, scheduled, staff_interval

from .conftest import real_cases

REFERENCE = "erlang-c-reference/erlang_c_published_reference.csv"
CASES = real_cases(REFERENCE, "case_id")
WITH_REQUIRED_AGENTS = real_cases(REFERENCE, "case_id", where=lambda row: bool(row["published_required_agents"]))


def _digits(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("case", CASES)
def test_it_reproduces_each_published_erlang_c_value(case: dict[str, str]) -> None:
    load = float(case["calls_in_interval"]) * float(case["aht_s"]) / float(case["interval_s"])
    m = erlang.erlang_c_measures(int(case["agents"]), load, float(case["aht_s"]), float(case["target_answer_s"]))
    for col, value in (("published_p_wait", m.p_wait), ("published_service_level", m.service_level),
                       ("published_asa_s", m.asa_s), ("published_occupancy", m.occupancy),
                       ("recomputed_p_wait", m.p_wait), ("recomputed_service_level", m.service_level),
                       ("recomputed_asa_s", m.asa_s)):
        if case[col]:
            tol = 0.5 * 10 ** -_digits(case[col]) + 1e-12
            assert abs(value - float(case[col])) <= tol, (col, value, case[col])


@pytest.mark.parametrize("case", WITH_REQUIRED_AGENTS)
def test_it_finds_the_published_required_and_scheduled_agents(case: dict[str, str]) -> None:
    target = Target(aht_s=float(case["aht_s"]), target_answer_s=float(case["target_answer_s"]),
                    target_level=float(case["sl_target"]), shrinkage=case["shrinkage"] or "0",
                    max_occupancy=float(case["max_occupancy"]) if case["max_occupancy"] else None)
    out = staff_interval(float(case["calls_in_interval"]), float(case["interval_s"]), target)
    assert out["agents"] == int(case["published_required_agents"])
    if case["published_scheduled_agents"]:
        assert out["scheduled_agents"] == int(case["published_scheduled_agents"])


def test_the_occupancy_cap_of_three_quarters_needs_64_agents_for_48_erlangs() -> None:
    assert erlang.required_agents(48, 240, 20, 0.8, max_occupancy=0.75).agents == 64


def test_twenty_erlangs_need_23_agents_for_80_in_60_seconds_and_22_give_0_708() -> None:
    assert erlang.required_agents(20, 180, 60, 0.8).agents == 23
    assert round(erlang.erlang_c_measures(22, 20, 180, 60).service_level, 3) == 0.708


def test_shrinkage_is_applied_exactly() -> None:
    assert scheduled(14, "0.3") == 20
    assert scheduled(14, 0.3) == 20
    assert scheduled(7, "0.3") == 10
    assert scheduled(15, "0.3") == 22


def test_erlang_a_with_endless_patience_is_erlang_c() -> None:
    c = erlang.erlang_c_measures(14, 10, 180, 20)
    a = erlang.erlang_a_measures(14, 10, 180, 20, patience_s=1e7)
    assert a.service_level == pytest.approx(c.service_level, abs=1e-5)
    assert a.p_wait == pytest.approx(c.p_wait, abs=1e-5)
    assert a.abandon_rate is not None and a.abandon_rate < 1e-5


def test_erlang_a_abandonment_obeys_littles_law_and_counts_abandoned_as_failures() -> None:
    a = erlang.erlang_a_measures(9, 10, 180, 20, patience_s=90)
    assert a.abandon_rate is not None and 0 < a.abandon_rate < 1
    assert a.service_level <= 1 - a.abandon_rate
    # answered load equals the busy agents
    assert a.occupancy == pytest.approx(10 * (1 - a.abandon_rate) / 9)


def test_erlang_a_staffs_below_the_load_when_callers_give_up() -> None:
    m = erlang.required_agents(10, 180, 20, 0.5, patience_s=30)
    assert m.agents <= 10 and m.service_level >= 0.5


def test_an_unstable_erlang_c_queue_answers_nobody_in_time() -> None:
    m = erlang.erlang_c_measures(10, 10, 180, 20)
    assert m.service_level == 0 and math.isinf(m.asa_s)


def test_chat_concurrency_staffs_session_slots() -> None:
    one = staff_interval(60, 1800, Target(aht_s=600, target_answer_s=60, target_level=0.8))
    two = staff_interval(60, 1800, Target(aht_s=600, target_answer_s=60, target_level=0.8, concurrency=2))
    assert two["agents"] == math.ceil(one["agents"] / 2)
    assert two["sessions"] == 2 * two["agents"]


def test_zero_handling_time_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="handling time"):
        staff_interval(10, 1800, Target(aht_s=0, target_answer_s=10, target_level=0.9))


def test_the_erlang_a_search_finds_the_same_fewest_agents_as_a_step_by_step_scan():
    import random

    from bluelamp.demand import erlang as e

    def step_by_step(load, aht, target, level, patience, cap):  # type: ignore[no-untyped-def]
        n = 1
        while True:
            m = e.erlang_a_measures(n, load, aht, target, patience)
            if e._meets(m, level, cap):
                return m.agents
            n += 1

    rnd = random.Random(7)
    for _ in range(60):
        case = (rnd.uniform(0.1, 60), rnd.uniform(60, 600), rnd.choice([10, 20, 60]),
                rnd.choice([0.8, 0.9, 0.95]), rnd.uniform(20, 600), rnd.choice([None, 0.85, 0.7]))
        assert e.required_agents(*case[:4], patience_s=case[4], max_occupancy=case[5]).agents == step_by_step(*case)


@pytest.mark.parametrize("patience, cap, aht", [(300.0, None, 300.0), (90.0, 0.85, 180.0), (3600.0, None, 240.0),
                                                (30.0, 0.7, 600.0)])
def test_erlang_a_for_every_interval_at_once_is_the_one_interval_answer(patience, cap, aht) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from bluelamp.demand.staffing import staff_curve

    calls = [0.0, 0.4, 3.0, 17.0, 55.5, 120.0, 410.0] + list(np.random.default_rng(3).uniform(0, 150, 40))
    target = Target(aht_s=aht, target_answer_s=20, target_level=0.8, patience_s=patience, shrinkage="0.3",
                    max_occupancy=cap)
    many = staff_curve(calls, 1800, target)
    for c, got in zip(calls, many, strict=True):
        one = staff_interval(c, 1800, target)
        assert got["agents"] == one["agents"] and got["scheduled_agents"] == one["scheduled_agents"]
        for key in ("service_level", "p_wait", "occupancy", "abandon_rate"):
            assert got[key] == pytest.approx(one[key], rel=1e-12, abs=1e-15), key
        assert got["asa_s"] == pytest.approx(one["asa_s"], rel=1e-9)
