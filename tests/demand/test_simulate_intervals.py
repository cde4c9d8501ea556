"""Simulated figures come with intervals from replications; plans are compared on common random numbers."""

from __future__ import annotations

import numpy as np
import pytest

from bluelamp.demand import erlang
from bluelamp.demand import simulate as sim

pytestmark = pytest.mark.nodb


def test_the_interval_is_the_t_interval_of_the_replications() -> None:
    est = sim.interval([0.90, 0.92, 0.94, 0.96])
    # mean 0.93, sd 0.0258, t(0.975, 3) = 3.182: half-width 0.0411
    assert est["mean"] == pytest.approx(0.93)
    assert est["hi"] - est["mean"] == pytest.approx(3.1824 * np.std([0.90, 0.92, 0.94, 0.96], ddof=1) / 2, rel=1e-3)
    assert est["replications"] == 4
    assert sim.interval([0.5])["lo"] is None


def test_the_same_seed_gives_both_plans_the_same_calls_and_more_handlers_never_do_worse() -> None:
    a = sim.CallPlan([60] * 16, [5] * 16, 1800, 180, 10, patience_s=120)
    b = sim.CallPlan([60] * 16, [7] * 16, 1800, 180, 10, patience_s=120)
    for seed in range(1, 6):
        ra, rb = sim.simulate_calls(a, seed), sim.simulate_calls(b, seed)
        assert ra.extra["arrived"] == rb.extra["arrived"]                      # the same arrivals, whatever the plan
        assert rb.answered_in_target >= ra.answered_in_target
        assert rb.abandoned <= ra.abandoned


def test_the_simulated_service_level_interval_holds_erlang_c() -> None:
    plan = sim.CallPlan([100] * 24, [14] * 24, 1800, 180, 20)
    out = sim.summarise_calls(plan, seeds=range(1, 21))
    lo, hi = out["answered_in_target_ci"]
    exact = erlang.erlang_c_measures(14, 10, 180, 20).service_level
    assert lo <= exact <= hi and hi - lo < 0.04 and out["replications"] == 20


def test_plans_that_never_queue_differ_by_exactly_nothing_and_stop_at_the_travel_ceiling() -> None:
    # The page's "48 cars 93.4 %, 60 cars 92.8 %": with cars to spare neither plan queues, so with the same
    # incidents the figures are identical and both sit at the travel-time ceiling, inside their interval.
    plans = {"a": sim.ResponsePlan([7.0] * 48, [48] * 48), "b": sim.ResponsePlan([7.0] * 48, [60] * 48)}
    out = sim.compare_response(plans, seeds=range(1, 41))
    diff = out["difference"]["b"]["grade1_in_target"]
    assert diff["mean"] == 0 and diff["lo"] == 0 and diff["hi"] == 0
    lo, hi = out["a"]["grade1_in_target_ci"]
    assert lo <= sim.travel_ceiling(plans["a"]) <= hi
    assert out["a"]["grade1_in_target"] == out["b"]["grade1_in_target"]


@pytest.mark.slow
def test_replications_are_added_until_the_difference_is_known_to_half_a_point() -> None:
    a = sim.CallPlan([40] * 8, [4] * 8, 1800, 180, 10)
    b = sim.CallPlan([40] * 8, [6] * 8, 1800, 180, 10)
    out = sim.compare(a, b, precision=0.005, max_replications=160)
    d = out["difference"]["answered_in_target"]
    assert out["replications"] > sim.MIN_REPLICATIONS
    assert (d["hi"] - d["lo"]) / 2 <= 0.005 or out["replications"] == 160
    assert d["lo"] > 0                                   # two more handlers: a real gain, not noise
    few = sim.compare(a, b, seeds=(1, 2, 3))
    assert few["replications"] == 3
