"""The pure rules: red/amber/green, trend, the period rule, small numbers and public suppression."""

from __future__ import annotations

from datetime import date

import pytest

from bluelamp.performance.model import (
    SPECS,
    Figure,
    PeriodError,
    Result,
    check_period,
    previous_period,
    public_share,
    rag,
    suppress,
    trend,
)


def test_it_rates_999_within_10s_against_the_90_percent_standard():
    spec = SPECS["call_999_within_10s"]
    assert rag(spec, 0.92) == "green" and rag(spec, 0.90) == "green"
    assert rag(spec, 0.86) == "amber" and rag(spec, 0.71) == "red"
    assert rag(spec, None) is None


def test_a_lower_is_better_measure_turns_red_above_its_target():
    spec = SPECS["call_999_mean_answer_s"]
    assert rag(spec, 9.0) == "green" and rag(spec, 14.0) == "amber" and rag(spec, 25.0) == "red"
    assert trend(spec, 9.0, 12.0) == "better" and trend(spec, 12.0, 9.0) == "worse"


def test_a_context_measure_has_no_rag_and_moves_up_or_down():
    spec = SPECS["vulnerability_identified"]
    assert rag(spec, 0.3) is None and trend(spec, 0.3, 0.2) == "up" and trend(spec, 0.2, 0.2) == "same"


def test_an_empty_figure_is_no_data_never_zero():
    out = Result(SPECS["call_999_within_10s"], Figure(), Figure(), 30).as_dict()
    assert out["value"] is None and out["no_data"] and out["rag"] is None and not out["small_number"]


def test_a_figure_on_few_records_is_marked():
    out = Result(SPECS["call_999_within_10s"], Figure(9, 10), Figure(), 30).as_dict()
    assert out["value"] == 0.9 and out["small_number"] and out["trend"] is None


def test_a_measure_bluelamp_holds_no_records_for_says_why():
    out = Result(SPECS["call_101_abandoned"], Figure(0, 50), Figure(), 30).as_dict()
    assert out["value"] is None and out["denominator"] is None and "phone system" in out["no_data_reason"]


def test_the_previous_period_is_the_same_length_just_before():
    assert previous_period(date(2026, 2, 1), date(2026, 2, 28)) == (date(2026, 1, 4), date(2026, 1, 31))


def test_a_reversed_period_is_refused_naming_the_field():
    with pytest.raises(PeriodError) as err:
        check_period(date(2026, 3, 5), date(2026, 3, 1))
    assert err.value.field == "from" and "reversed" in str(err.value)


def test_public_numbers_below_the_threshold_are_withheld_and_so_are_their_complements():
    assert suppress(9, 10) is None and suppress(10, 10) == 10 and suppress(None, 10) is None
    assert public_share(900, 1000, 10) == 0.9
    assert public_share(5, 100, 10) is None          # too few counted
    assert public_share(95, 100, 10) is None         # only 5 not counted: a small group by subtraction
    assert public_share(9, 9, 10) is None
