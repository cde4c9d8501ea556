"""Pure rules of the crime context: the NCRS clock, review schedules, plan quality, outcome evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bluelamp.crime import model
from bluelamp.crime.model import CrimeError, PlanContext
from bluelamp.policy import load_policy
from bluelamp.policy.schema import ReviewRule

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def rules():
    return load_policy().doc("investigation")


def test_a_crime_must_be_recorded_within_24_hours_of_the_report():
    r = rules()
    assert model.recording_due(T0, r) == T0 + timedelta(hours=24)
    assert model.recording_state(T0, T0 + timedelta(hours=23), T0 + timedelta(days=3), r) == "met"
    assert model.recording_state(T0, T0 + timedelta(hours=25), T0 + timedelta(days=3), r) == "missed"
    assert model.recording_state(T0, None, T0 + timedelta(hours=1), r) == "due"
    assert model.recording_state(T0, None, T0 + timedelta(hours=21), r) == "due_soon"
    assert model.recording_state(T0, None, T0 + timedelta(hours=25), r) == "overdue"


def test_high_risk_is_reviewed_within_24_hours_then_every_7_days():
    r = rules()
    assert model.first_review_due(T0, "high", r) == T0 + timedelta(hours=24)
    assert model.next_review_due(T0, "high", r) == T0 + timedelta(days=7)


def test_medium_risk_is_reviewed_within_7_days_then_every_28():
    r = rules()
    assert model.first_review_due(T0, "medium", r) == T0 + timedelta(days=7)
    assert model.next_review_due(T0, "medium", r) == T0 + timedelta(days=28)


def test_low_risk_is_reviewed_within_28_days():
    r = rules()
    assert model.first_review_due(T0, "low", r) == T0 + timedelta(days=28)
    assert model.next_review_due(T0, "low", r) == T0 + timedelta(days=28)


def test_the_review_schedule_is_configurable():
    base = rules()
    faster = {**base.reviews, "high": ReviewRule(first_within_hours=12, then_every_days=3)}
    r = base.model_copy(update={"reviews": faster})
    assert model.first_review_due(T0, "high", r) == T0 + timedelta(hours=12)
    assert model.next_review_due(T0, "high", r) == T0 + timedelta(days=3)


def test_an_unknown_risk_is_refused():
    with pytest.raises(CrimeError, match="risk"):
        model.first_review_due(T0, "extreme", rules())


# Missed and escalated reviews are SQL (crime/sweep.py): tests/crime/test_crime_sweep_and_bureau.py.


def test_a_review_needs_meaningful_written_direction():
    with pytest.raises(CrimeError, match="direction"):
        model.check_direction("ok", rules())
    assert model.check_direction("  Arrange CCTV trawl and re-interview the witness  ", rules()).startswith("Arrange")


GOOD = "Detailed enough text describing what will be done and by whom."


def test_a_complete_plan_with_actions_scores_100():
    r = rules()
    elements = {e.id: {"text": GOOD} for e in r.elements}
    score = model.score_plan(elements, PlanContext(suspect_known=True, domestic=True), actions=2, rules=r)
    assert score.score == 100 and score.band == "good" and score.reasons == []


def test_a_plan_score_names_what_is_missing():
    r = rules()
    elements = model.clean_elements({"lines_of_enquiry": GOOD, "victim_needs": "too short"}, r)
    score = model.score_plan(elements, PlanContext(), actions=0, rules=r)
    assert score.score < 60 and score.band == "poor"
    assert "safeguarding not considered" in score.reasons
    assert any("too brief" in reason for reason in score.reasons)
    assert any("no actions" in reason for reason in score.reasons)
    assert "victim_needs" in score.missing and "lines_of_enquiry" not in score.missing


def test_domestic_and_suspect_elements_apply_only_when_relevant():
    r = rules()
    elements = {e.id: {"text": GOOD} for e in r.elements
                if e.id not in ("suspect_actions", "evidence_led_prosecution", "protective_orders")}
    assert model.score_plan(elements, PlanContext(), actions=1, rules=r).score == 100
    domestic = model.score_plan(elements, PlanContext(domestic=True, suspect_known=True), actions=1, rules=r)
    assert domestic.score < 100
    assert "evidence-led prosecution not considered" in domestic.reasons


def test_an_element_may_be_marked_not_applicable_with_a_reason_where_policy_allows():
    r = rules()
    elements = model.clean_elements({"scene_preservation": {"not_applicable": "no scene: online offence"}}, r)
    assert "scene_preservation" not in model.score_plan(elements, PlanContext(), 1, r).missing
    with pytest.raises(CrimeError, match="cannot be marked not applicable"):
        model.clean_elements({"lines_of_enquiry": {"not_applicable": "none"}}, r)


def test_unknown_plan_elements_are_refused():
    with pytest.raises(CrimeError, match="unknown plan element"):
        model.clean_elements({"vibes": "good"}, rules())


def outcomes():
    return load_policy().doc("outcomes")


def test_closing_needs_an_outcome():
    with pytest.raises(CrimeError, match="without a Home Office outcome"):
        model.check_outcome(None, {}, False, outcomes())
    with pytest.raises(CrimeError, match="unknown outcome"):
        model.check_outcome("99", {}, False, outcomes())


@pytest.mark.parametrize("code,suspect", [("14", False), ("16", True)])
def test_outcomes_14_and_16_need_the_victims_wishes(code, suspect):
    with pytest.raises(CrimeError, match="victim wishes"):
        model.check_outcome(code, {"rationale": "no further lines of enquiry"}, suspect, outcomes())
    outcome, evidence = model.check_outcome(
        code, {"rationale": "no further lines of enquiry", "victim_wishes": "Victim does not want further action"},
        suspect, outcomes())
    assert outcome.code == code and "victim_wishes" in evidence


def test_a_charge_needs_a_suspect_and_a_charge_reference():
    with pytest.raises(CrimeError, match="charge reference"):
        model.check_outcome("1", {}, True, outcomes())
    with pytest.raises(CrimeError, match="identified suspect"):
        model.check_outcome("1", {"charge_reference": "CHG/2026/000123"}, False, outcomes())
    assert model.check_outcome("1", {"charge_reference": "CHG/2026/000123"}, True, outcomes())[0].code == "1"


def test_outcome_18_needs_only_a_rationale():
    assert model.check_outcome("18", {"rationale": "CCTV negative, no forensic hits"}, False, outcomes())[0].code == "18"


def test_all_the_home_office_outcome_types_are_policy_data():
    codes = {o.code for o in outcomes().outcomes}
    assert {"1", "2", "3", "8", "14", "15", "16", "18", "20", "21", "22"} <= codes


def test_dates_in_the_future_or_out_of_order_are_refused():
    with pytest.raises(CrimeError, match="future"):
        model.check_not_future(T0 + timedelta(hours=1), T0, "reported_at")
    with pytest.raises(CrimeError, match="before"):
        model.check_order(T0, T0 - timedelta(hours=1), "reported_at", "recorded_at")
    with pytest.raises(CrimeError, match="time zone"):
        model.check_not_future(datetime(2026, 3, 1), T0, "reported_at")
