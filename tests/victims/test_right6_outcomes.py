"""Issue 13, defect 3: charge, out-of-court disposal and decisions not to proceed are Right 6 clocks, and
the working-day rule is a policy setting ("by the end of the n-th working day after the event")."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bluelamp.crime import service as crimes
from bluelamp.crime.store import BureauTask
from bluelamp.policy import load_policy
from bluelamp.victims import model
from bluelamp.victims.store import Right6Clock

LONDON = ZoneInfo("Europe/London")


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]

GOOD = "Detailed enough text describing what will be done and by whom."
ALL = {e: GOOD for e in ("lines_of_enquiry", "evidence_forensics", "suspect_actions", "victim_needs",
                         "safeguarding", "scene_preservation", "prevention_advice", "evidence_led_prosecution",
                         "protective_orders")}


def test_the_default_rule_is_the_end_of_the_nth_working_day_after_the_event():
    rules = load_policy().doc("victims_code").right6
    assert rules.day_rule == "end_of_day"
    at = london(2026, 3, 2, 12)  # Monday noon
    assert model.right6_clock("arrest", at, False, rules).due_at == london(2026, 3, 10, 0).astimezone(UTC)
    assert model.right6_clock("arrest", at, True, rules).due_at == london(2026, 3, 4, 0).astimezone(UTC)
    # Friday evening, 1 working day: the end of Monday.
    assert model.right6_clock("arrest", london(2026, 3, 6, 19), True, rules).due_at == \
        london(2026, 3, 10, 0).astimezone(UTC)


def test_the_same_clock_time_rule_is_still_available_as_a_setting():
    rules = load_policy().doc("victims_code").right6.model_copy(update={"day_rule": "same_time"})
    at = london(2026, 3, 2, 12)
    assert model.right6_clock("arrest", at, False, rules).due_at == london(2026, 3, 9, 12).astimezone(UTC)


@pytest.mark.parametrize("outcome,evidence,event", [
    ("1", {"charge_reference": "CHG/2026/00123"}, "charged"),
    ("3", {"disposal_reference": "CAU/2026/000456"}, "out_of_court_disposal"),
    ("18", {"rationale": "All lines of enquiry exhausted, no suspect identified"}, "decision_not_to_proceed"),
])
def test_closing_with_an_outcome_starts_a_right6_clock_for_each_victim(
        db, who, make_contact, clock0, outcome, evidence, event):
    parties = [{"role": "victim", "name": "Jo Bloggs", "dob": "1980-01-02"}]
    if outcome != "18":
        parties.append({"role": "suspect", "name": "Sam Smith"})
    inv = who("investigator")
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, inv, offence="violence_without_injury", risk="medium", domestic=True,
                                    contact_id=make_contact(), parties=parties)
        crimes.save_plan(session, crime.id, inv, ALL)
        crimes.request_closure(session, crime.id, inv, outcome=outcome, evidence=evidence)
        crimes.decide_closure(session, crime.id, who("supervisor"), approve=True)
        crime_id = crime.id
    with db.unit_of_work() as session:
        [c] = session.execute(select(Right6Clock).where(Right6Clock.crime_id == crime_id)).scalars()
        assert c.event == event and c.enhanced and c.working_days == 1
        assert c.due_at == datetime(2026, 3, 4, 0, 0, tzinfo=UTC)  # closed Monday: by the end of Tuesday (GMT)
        [letter] = session.execute(select(BureauTask).where(BureauTask.crime_id == crime_id,
                                                            BureauTask.kind == "victim_outcome_letter")).scalars()
        assert letter.clock_id == c.id and letter.due_at == c.due_at
