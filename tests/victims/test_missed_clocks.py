"""Issue 13, defect 2: a missed Right 6 clock is never rewritten (what was reported must never change)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bluelamp.crime import service as crimes
from bluelamp.crime import sweep
from bluelamp.victims import service
from bluelamp.victims.store import Right6Clock, Victim


def _victim(db, who, contact):
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, who("investigator"), offence="burglary_residential", risk="medium",
                                    contact_id=contact, parties=[{"role": "victim", "name": "Jo", "dob": "1980-01-01"}])
        victim = session.execute(select(Victim).where(Victim.crime_id == crime.id)).scalar_one()
        return crime.id, victim.id


def test_reassessing_needs_does_not_turn_a_missed_one_day_clock_into_a_met_five_day_one(db, who, make_contact, clock0):
    crime_id, vid = _victim(db, who, make_contact())
    with db.unit_of_work() as session:
        service.assess_needs(session, vid, who("victim_care"), needs={}, enhanced_categories=["vulnerable"])
        [c] = service.record_event(session, crime_id, who("investigator"), event="arrest", event_at=None)
        clock_id, due = c.id, c.due_at
        assert c.working_days == 1
    clock0.now = due + timedelta(hours=2)
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["right6_missed"] == 1
    with db.unit_of_work() as session:
        service.assess_needs(session, vid, who("victim_care"), needs={}, enhanced_categories=[])
    with db.unit_of_work() as session:
        c = session.get(Right6Clock, clock_id)
        assert (c.status, c.working_days, c.due_at, c.enhanced) == ("missed", 1, due, True)
        service.record_update(session, vid, who("victim_care"), method="phone")
    with db.unit_of_work() as session:
        c = session.get(Right6Clock, clock_id)
        assert c.status == "met_late" and c.due_at == due


def test_a_clock_past_due_but_not_yet_swept_is_not_rewritten_either(db, who, make_contact, clock0):
    crime_id, vid = _victim(db, who, make_contact())
    with db.unit_of_work() as session:
        service.assess_needs(session, vid, who("victim_care"), needs={}, enhanced_categories=["intimidated"])
        [c] = service.record_event(session, crime_id, who("investigator"), event="arrest", event_at=None)
        clock_id, due = c.id, c.due_at
    clock0.now = due + timedelta(minutes=30)
    with db.unit_of_work() as session:
        service.assess_needs(session, vid, who("victim_care"), needs={}, enhanced_categories=[])
    with db.unit_of_work() as session:
        assert session.get(Right6Clock, clock_id).due_at == due


def test_a_clock_not_yet_due_follows_a_new_enhanced_status(db, who, make_contact, clock0):
    crime_id, vid = _victim(db, who, make_contact())
    with db.unit_of_work() as session:
        [c] = service.record_event(session, crime_id, who("investigator"), event="arrest", event_at=None)
        clock_id, five = c.id, c.due_at
        assert c.working_days == 5
    with db.unit_of_work() as session:
        service.assess_needs(session, vid, who("victim_care"), needs={}, enhanced_categories=["vulnerable"])
    with db.unit_of_work() as session:
        c = session.get(Right6Clock, clock_id)
        assert c.working_days == 1 and c.due_at < five
