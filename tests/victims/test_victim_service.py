"""Victims' use cases: enhanced rights, Right 6 clocks and their letters, updates, the sweep, DASH, MARAC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bluelamp.audit.store import AuditEntry
from bluelamp.crime import bureau, sweep
from bluelamp.crime import service as crimes
from bluelamp.crime.store import BureauTask, CrimeAlert
from bluelamp.victims import dash, service
from bluelamp.victims.model import VictimsError
from bluelamp.victims.store import DashAssessment, MaracReferral, Right6Clock, Victim


def _crime(db, who, contact, offence="burglary_residential", **kw):
    args = {"offence": offence, "risk": "medium", "contact_id": contact,
            "parties": [{"role": "victim", "name": "Jo Bloggs", "dob": "1985-05-05"}]}
    args.update(kw)
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, who, **args)
        victim = session.execute(select(Victim).where(Victim.crime_id == crime.id)).scalar_one()
        return crime.id, victim.id


def test_a_victim_of_the_most_serious_crime_has_enhanced_rights_and_a_one_working_day_clock(
        db, who, make_contact, clock0):
    crime_id, victim_id = _crime(db, who("investigator"), make_contact(), offence="rape")
    with db.unit_of_work() as session:
        assert service.get_victim(session, victim_id).enhanced_reasons == ["most_serious_crime"]
        [c] = service.record_event(session, crime_id, who("investigator"), event="arrest",
                                   event_at=clock0.now - timedelta(hours=1))
        # By the end of the first working day after the event (Tuesday 3 March, GMT).
        assert c.working_days == 1 and c.due_at == datetime(2026, 3, 4, 0, 0, tzinfo=UTC)


def test_a_standard_clock_is_five_working_days_across_easter(db, who, make_contact, clock0):
    clock0.now = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)  # Thursday before Good Friday (11:00 BST)
    crime_id, victim_id = _crime(db, who("investigator"), make_contact(received_at=clock0.now - timedelta(hours=3)))
    with db.unit_of_work() as session:
        [c] = service.record_event(session, crime_id, who("investigator"), event="released_on_bail",
                                   event_at=None)
        # Good Friday and Easter Monday are not working days: due by the end of Monday 13 April (BST).
        assert c.due_at == datetime(2026, 4, 13, 23, 0, tzinfo=UTC)
        task = session.execute(select(BureauTask).where(BureauTask.clock_id == c.id)).scalar_one()
        assert task.kind == "victim_update" and task.due_at == c.due_at
        assert "Jo Bloggs" in task.detail["letter"] and "released on bail" in task.detail["letter"]


@pytest.mark.parametrize("when,msg", [("future", "future"), ("before_report", "before")])
def test_an_event_in_the_future_or_before_the_report_is_refused_and_nothing_recorded(
        db, who, make_contact, clock0, count, when, msg):
    crime_id, _ = _crime(db, who("investigator"), make_contact())
    at = clock0.now + timedelta(hours=3) if when == "future" else clock0.now - timedelta(days=5)
    audit_before = count(AuditEntry)
    with db.unit_of_work() as session, pytest.raises(VictimsError, match=msg):
        service.record_event(session, crime_id, who("investigator"), event="arrest", event_at=at)
    assert count(Right6Clock) == 0 and count(AuditEntry) == audit_before


def test_an_unknown_event_is_refused(db, who, make_contact, clock0):
    crime_id, _ = _crime(db, who("investigator"), make_contact())
    with db.unit_of_work() as session, pytest.raises(VictimsError, match="unknown event"):
        service.record_event(session, crime_id, who("investigator"), event="lunch", event_at=None)


def test_the_sweep_warns_before_a_clock_runs_out_and_alerts_when_it_is_missed(db, who, make_contact, clock0):
    crime_id, _ = _crime(db, who("investigator"), make_contact())
    with db.unit_of_work() as session:
        [c] = service.record_event(session, crime_id, who("investigator"), event="arrest", event_at=None)
        due = c.due_at
    clock0.now = due - timedelta(hours=2)
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["right6_warned"] == 1
    clock0.now = due + timedelta(minutes=1)
    with db.unit_of_work() as session:
        counts = sweep.sweep(session)
        assert counts["right6_missed"] == 1 and counts["right6_warned"] == 0
    with db.unit_of_work() as session:
        assert session.execute(select(Right6Clock)).scalar_one().status == "missed"
        levels = sorted(a.level for a in session.execute(select(CrimeAlert).where(CrimeAlert.kind == "right6")).scalars())
        assert levels == [1, 2]


def test_an_update_meets_the_open_clocks_resolves_alerts_and_cancels_the_bureau_letter(db, who, make_contact, clock0):
    crime_id, victim_id = _crime(db, who("investigator"), make_contact())
    with db.unit_of_work() as session:
        service.record_event(session, crime_id, who("investigator"), event="arrest", event_at=None)
    clock0.advance(days=8)  # Monday + 5 working days = next Monday: missed by Tuesday
    with db.unit_of_work() as session:
        sweep.sweep(session)
    with db.unit_of_work() as session:
        row = service.record_update(session, victim_id, who("victim_care"), method="phone", note="told of arrest")
        assert len(row.clocks_met) == 1
    with db.unit_of_work() as session:
        assert session.execute(select(Right6Clock)).scalar_one().status == "met_late"
        assert not session.execute(select(CrimeAlert).where(CrimeAlert.kind == "right6",
                                                            CrimeAlert.resolved_at.is_(None))).first()
        task = session.execute(select(BureauTask).where(BureauTask.kind == "victim_update")).scalar_one()
        assert task.status == "cancelled"
        v = service.get_victim(session, victim_id)
        assert v.rights["6"]["status"] == "given" and v.next_update_due_at == clock0.now + timedelta(days=28)


def test_the_bureau_sending_the_letter_meets_the_clock(db, who, make_contact, clock0):
    crime_id, _ = _crime(db, who("investigator"), make_contact())
    with db.unit_of_work() as session:
        service.record_event(session, crime_id, who("investigator"), event="interview_under_caution", event_at=None)
        task_id = session.execute(select(BureauTask.id).where(BureauTask.kind == "victim_update")).scalar_one()
    clock0.advance(hours=2)
    with db.unit_of_work() as session:
        bureau.complete(session, task_id, who("cab_officer"))
    with db.unit_of_work() as session:
        c = session.execute(select(Right6Clock)).scalar_one()
        assert c.status == "met" and c.met_at == clock0.now


def test_an_overdue_agreed_update_alerts_and_queues_one_bureau_task(db, who, make_contact, clock0):
    _, victim_id = _crime(db, who("investigator"), make_contact())
    with db.unit_of_work() as session:
        service.set_contact_plan(session, victim_id, who("victim_care"), method="email", every_days=7)
    clock0.advance(days=8)
    for _ in range(2):
        with db.unit_of_work() as session:
            sweep.sweep(session)
    with db.unit_of_work() as session:
        assert len(session.execute(select(BureauTask).where(BureauTask.kind == "victim_contact_update")).all()) == 1
        assert len(session.execute(select(CrimeAlert).where(CrimeAlert.kind == "contact_update")).all()) == 1


def test_a_needs_assessment_giving_enhanced_rights_shortens_open_clocks(db, who, make_contact, clock0):
    crime_id, victim_id = _crime(db, who("investigator"), make_contact())
    with db.unit_of_work() as session:
        [c] = service.record_event(session, crime_id, who("investigator"), event="arrest", event_at=None)
        assert c.working_days == 5
    with db.unit_of_work() as session:
        v = service.assess_needs(session, victim_id, who("victim_care"), needs={"safety": "fears reprisals"},
                                 enhanced_categories=["intimidated"])
        assert v.enhanced and v.rights["4"]["status"] == "given"
    with db.unit_of_work() as session:
        c = session.execute(select(Right6Clock)).scalar_one()
        assert c.working_days == 1 and c.enhanced


def test_referral_needs_consent_and_vps_ticks_right_7(db, who, make_contact, clock0):
    _, victim_id = _crime(db, who("investigator"), make_contact())
    with db.unit_of_work() as session, pytest.raises(VictimsError, match="consent"):
        service.refer(session, victim_id, who("victim_care"), service="victim_support", consent=False)
    with db.unit_of_work() as session:
        service.refer(session, victim_id, who("victim_care"), service="victim_support", consent=True)
        v = service.offer_vps(session, victim_id, who("victim_care"), accepted=True)
        assert v.rights["7"]["status"] == "given" and v.rights["4"]["status"] == "given"


def _answers(yes: int) -> dict[str, str]:
    from bluelamp.policy import load_policy

    ids = [q.id for q in load_policy().doc("dash").questions]
    return {q: ("yes" if i < yes else "no") for i, q in enumerate(ids)}


def test_an_incomplete_dash_is_refused_and_nothing_is_recorded(db, who, make_contact, clock0, count):
    _, victim_id = _crime(db, who("investigator"), make_contact(), domestic=True,
                          offence="violence_with_injury")
    answers = _answers(15)
    del answers["q27_criminal_history"]
    with db.unit_of_work() as session, pytest.raises(VictimsError, match="incomplete"):
        dash.assess(session, victim_id, who("victim_care"), answers=answers)
    assert count(DashAssessment) == 0 and count(MaracReferral) == 0


def test_a_high_risk_dash_creates_a_marac_referral(db, who, make_contact, clock0):
    _, victim_id = _crime(db, who("investigator"), make_contact(), domestic=True, offence="violence_with_injury")
    with db.unit_of_work() as session:
        row = dash.assess(session, victim_id, who("victim_care"), answers=_answers(14))
        assert row.level == "high" and row.marac
    with db.unit_of_work() as session:
        assert session.execute(select(MaracReferral)).scalar_one().criteria == ["high_risk"]


def test_a_third_domestic_incident_in_twelve_months_escalates(db, who, make_contact, clock0):
    inv = who("investigator")
    for days in (200, 40):
        _crime(db, inv, make_contact(received_at=clock0.now - timedelta(days=days)), domestic=True,
               offence="violence_without_injury")
    _, victim_id = _crime(db, inv, make_contact(), domestic=True, offence="violence_without_injury")
    with db.unit_of_work() as session:
        row = dash.assess(session, victim_id, who("victim_care"), answers=_answers(3))
        assert row.incidents_in_window == 3 and row.escalation and row.level == "high" and row.marac
    with db.unit_of_work() as session:
        assert session.execute(select(MaracReferral)).scalar_one().criteria == ["escalation"]
