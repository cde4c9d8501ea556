"""Pure rules of the victims context: working-day clocks, enhanced rights, DASH scoring, letters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bluelamp.policy import load_policy
from bluelamp.victims import model
from bluelamp.victims.model import VictimsError, WorkingCalendar

CAL = WorkingCalendar("GB", "ENG")


def london(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=model.LONDON)


def test_one_working_day_from_a_tuesday_is_the_same_time_on_wednesday():
    assert CAL.add_working_days(london(2026, 3, 3, 10), 1) == london(2026, 3, 4, 10).astimezone(UTC)


def test_a_friday_afternoon_event_with_one_working_day_is_due_on_monday_afternoon():
    assert CAL.add_working_days(london(2026, 3, 6, 15), 1) == london(2026, 3, 9, 15).astimezone(UTC)


def test_five_working_days_from_a_monday_is_the_next_monday():
    assert CAL.add_working_days(london(2026, 3, 2, 9, 30), 5) == london(2026, 3, 9, 9, 30).astimezone(UTC)


def test_easter_good_friday_and_easter_monday_are_not_counted():
    # Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April are bank holidays.
    assert CAL.add_working_days(london(2026, 4, 2, 11), 1) == london(2026, 4, 7, 11).astimezone(UTC)
    assert CAL.add_working_days(london(2026, 4, 2, 11), 5) == london(2026, 4, 13, 11).astimezone(UTC)


def test_christmas_boxing_day_and_the_substitute_day_are_not_counted():
    # Thursday 24 Dec 2026; 25 Dec (Fri), 26 Dec (Sat) and the substitute Monday 28 Dec are holidays.
    assert CAL.add_working_days(london(2026, 12, 24, 16), 1) == london(2026, 12, 29, 16).astimezone(UTC)
    assert CAL.add_working_days(london(2026, 12, 24, 16), 5) == london(2027, 1, 5, 16).astimezone(UTC)


def test_an_event_on_a_weekend_counts_from_the_next_working_day_and_ends_at_its_close():
    # Saturday 7 March: one working day is the whole of Monday 9 March.
    assert CAL.add_working_days(london(2026, 3, 7, 13), 1) == london(2026, 3, 10, 0).astimezone(UTC)
    # On a bank holiday (Easter Monday 2026) the count starts on Tuesday.
    assert CAL.add_working_days(london(2026, 4, 6, 9), 1) == london(2026, 4, 8, 0).astimezone(UTC)


def test_a_clock_across_the_change_to_summer_time_keeps_the_local_time():
    # Clocks go forward on Sunday 29 March 2026: 10:00 GMT on Friday, 10:00 BST on Monday.
    due = CAL.add_working_days(london(2026, 3, 27, 10), 1)
    assert due == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        CAL.add_working_days(datetime(2026, 3, 3, 10), 1)


def test_working_days_between_skip_weekends_and_holidays():
    from datetime import date

    assert CAL.working_days_between(date(2026, 4, 2), date(2026, 4, 9)) == 3


def test_right6_clock_is_five_working_days_or_one_for_enhanced_rights():
    rules = load_policy().doc("victims_code").right6
    at = london(2026, 3, 2, 12)
    standard = model.right6_clock("arrest", at, False, rules)
    enhanced = model.right6_clock("arrest", at, True, rules)
    # By the end of the n-th working day after the event (victims_code.yaml right6.day_rule).
    assert standard.working_days == 5 and standard.due_at == london(2026, 3, 10, 0).astimezone(UTC)
    assert enhanced.working_days == 1 and enhanced.due_at == london(2026, 3, 4, 0).astimezone(UTC)
    assert standard.warn_at < standard.due_at and enhanced.warn_at < enhanced.due_at


def test_an_unknown_right6_event_is_refused():
    rules = load_policy().doc("victims_code").right6
    with pytest.raises(VictimsError, match="unknown event"):
        model.right6_clock("lunch", london(2026, 3, 2, 12), False, rules)


def test_clock_states():
    due, warn = datetime(2026, 3, 9, 12, tzinfo=UTC), datetime(2026, 3, 8, 12, tzinfo=UTC)
    assert model.clock_state(due, warn, None, datetime(2026, 3, 7, tzinfo=UTC)) == "open"
    assert model.clock_state(due, warn, None, datetime(2026, 3, 9, tzinfo=UTC)) == "due_soon"
    assert model.clock_state(due, warn, None, datetime(2026, 3, 10, tzinfo=UTC)) == "missed"
    assert model.clock_state(due, warn, datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC)) == "met_late"


def test_victims_of_the_most_serious_crime_have_enhanced_rights_without_asking():
    doc = load_policy().doc("victims_code")
    assert model.enhanced_status([], True, doc) == ["most_serious_crime"]
    assert model.enhanced_status(["vulnerable"], False, doc) == ["vulnerable"]
    assert model.enhanced_status([], False, doc) == []
    with pytest.raises(VictimsError):
        model.enhanced_status(["unlucky"], False, doc)


# --- DASH --------------------------------------------------------------------------------------


def _answers(yes: int, dont_know: int = 0) -> dict[str, str]:
    doc = load_policy().doc("dash")
    ids = [q.id for q in doc.questions]
    out = {}
    for i, q in enumerate(ids):
        out[q] = "yes" if i < yes else "dont_know" if i < yes + dont_know else "no"
    return out


def test_dash_has_27_questions_as_policy_data():
    assert len(load_policy().doc("dash").questions) == 27


@pytest.mark.parametrize("yes,level", [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"),
                                       (14, "high"), (27, "high")])
def test_dash_thresholds(yes, level):
    result = model.score_dash(_answers(yes), load_policy().doc("dash"))
    assert result.actuarial == level and result.level == level
    assert result.marac == (level == "high")


def test_dont_know_answers_do_not_count_as_yes():
    result = model.score_dash(_answers(13, dont_know=5), load_policy().doc("dash"))
    assert result.yes_count == 13 and result.level == "medium"


def test_a_dash_form_with_a_missing_answer_is_rejected():
    answers = _answers(5)
    answers.pop("q18_strangulation")
    with pytest.raises(VictimsError, match="incomplete"):
        model.score_dash(answers, load_policy().doc("dash"))


def test_a_dash_answer_outside_yes_no_dont_know_is_rejected():
    answers = _answers(5)
    answers["q01_injury"] = "maybe"
    with pytest.raises(VictimsError, match="must be one of"):
        model.score_dash(answers, load_policy().doc("dash"))


def test_professional_judgement_can_raise_the_level_with_a_reason():
    doc = load_policy().doc("dash")
    result = model.score_dash(_answers(4), doc, judgement="high", judgement_reason="recent strangulation threat")
    assert result.actuarial == "standard" and result.level == "high" and result.marac
    with pytest.raises(VictimsError, match="reason"):
        model.score_dash(_answers(4), doc, judgement="high")


def test_professional_judgement_can_never_lower_an_actuarial_score():
    with pytest.raises(VictimsError, match="never lower"):
        model.score_dash(_answers(15), load_policy().doc("dash"), judgement="medium", judgement_reason="x")


def test_three_incidents_in_twelve_months_escalate_and_qualify_for_marac():
    doc = load_policy().doc("dash")
    at = datetime(2026, 3, 1, tzinfo=UTC)
    earlier = [datetime(2025, 6, 1, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)]
    n = model.incidents_in_window(earlier, at, doc.escalation_window_days)
    assert n == 3
    result = model.score_dash(_answers(3), doc, incidents_in_window=n)
    assert result.escalation and result.marac and result.level == "high"
    assert not model.score_dash(_answers(3), doc, incidents_in_window=2).escalation


def test_letters_fill_placeholders_and_leave_unknown_ones_blank():
    assert model.render_letter("Dear {name}, crime {crime_ref} {nope}", name="Jo", crime_ref="C1") == "Dear Jo, crime C1 "
