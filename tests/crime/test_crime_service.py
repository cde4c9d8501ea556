"""Crime use cases: recording, plans, reviews, closure; every refusal leaves nothing half-recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bluelamp.audit.store import AuditEntry
from bluelamp.crime import bureau, service
from bluelamp.crime.model import CrimeError
from bluelamp.crime.store import BureauTask, Crime, CrimeParty, InvestigationPlan, SupervisoryReview
from bluelamp.victims.store import Victim

GOOD = "Detailed enough text describing what will be done and by whom."
ALL_ELEMENTS = {e: GOOD for e in ("lines_of_enquiry", "evidence_forensics", "suspect_actions", "victim_needs",
                                  "safeguarding", "scene_preservation", "prevention_advice")}


def _record(db, who, contact, **kw):
    args = {"offence": "burglary_residential", "risk": "high", "contact_id": contact,
            "parties": [{"role": "victim", "name": "Jo Bloggs", "dob": "1980-01-02"}]}
    args.update(kw)
    with db.unit_of_work() as session:
        return service.record_crime(session, who, **args).id


def test_a_crime_recorded_from_a_contact_has_its_group_clock_review_victim_and_bureau_check(
        db, who, make_contact, clock0):
    inv = who("investigator")
    contact = make_contact()
    crime_id = _record(db, inv, contact)
    with db.unit_of_work() as session:
        crime = session.get(Crime, crime_id)
        assert crime.offence_group == "theft_offences"
        assert crime.reported_at == clock0.now - timedelta(hours=2)
        assert crime.record_due_at == crime.reported_at + timedelta(hours=24)
        assert crime.recorded_at == clock0.now and crime.oic == inv.username
        assert crime.next_review_due_at == clock0.now + timedelta(hours=24)  # high risk
        victim = session.execute(select(Victim).where(Victim.crime_id == crime_id)).scalar_one()
        assert victim.name == "Jo Bloggs" and not victim.enhanced
        task = session.execute(select(BureauTask).where(BureauTask.crime_id == crime_id)).scalar_one()
        assert task.kind == "recording_check" and task.due_at == crime.record_due_at
        actions = [a.action for a in session.execute(select(AuditEntry)).scalars()]
        assert "crime.recorded" in actions and "victim.opened" in actions


@pytest.mark.parametrize("kw,field", [
    ({"contact_id": 999999}, "contact_id"),
    ({"contact_id": None}, "contact_id"),
    ({"offence": "being_rude"}, "offence"),
    ({"risk": "extreme"}, "risk"),
    ({"reported_at": "future"}, "reported_at"),
    ({"reported_at": "before_contact"}, "reported_at"),
    ({"parties": [{"role": "victim", "name": "A"}, {"role": "bystander", "name": "B"}]}, "parties.role"),
])
def test_bad_crime_input_is_refused_and_nothing_is_recorded(db, who, make_contact, clock0, count, kw, field):
    inv = who("investigator")
    contact = make_contact()
    if kw.get("reported_at") == "future":
        kw = {"reported_at": clock0.now + timedelta(hours=2)}
    elif kw.get("reported_at") == "before_contact":
        kw = {"reported_at": clock0.now - timedelta(days=3)}
    audit_before = count(AuditEntry)
    with pytest.raises(CrimeError) as err:
        _record(db, inv, contact, **kw)
    assert err.value.field == field
    assert count(Crime) == 0 and count(CrimeParty) == 0 and count(Victim) == 0 and count(BureauTask) == 0
    assert count(AuditEntry) == audit_before


def test_a_reported_crime_waits_for_its_recording_decision(db, who, make_contact, clock0):
    inv, cab = who("investigator"), who("cab_officer")
    crime_id = _record(db, inv, make_contact(), recorded=False)
    with db.unit_of_work() as session:
        assert session.get(Crime, crime_id).next_review_due_at is None
    clock0.advance(hours=3)
    with db.unit_of_work() as session:
        crime = service.confirm_recording(session, crime_id, cab)
        assert crime.recorded_at == clock0.now and crime.next_review_due_at is not None
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="already recorded"):
        service.confirm_recording(session, crime_id, cab)


def test_the_plan_is_scored_with_reasons_and_actions_count(db, who, make_contact, clock0):
    inv = who("investigator")
    crime_id = _record(db, inv, make_contact())
    with db.unit_of_work() as session:
        plan = service.save_plan(session, crime_id, inv, {"lines_of_enquiry": GOOD})
        assert plan.band == "poor"
        assert "safeguarding not considered" in plan.reasons
    with db.unit_of_work() as session:
        plan = service.save_plan(session, crime_id, inv, ALL_ELEMENTS)
        assert plan.score == 90 and plan.version == 2  # no actions yet: -10
    with db.unit_of_work() as session:
        service.add_action(session, crime_id, inv, element="evidence_forensics", description="Submit shed lock")
        assert session.get(Crime, crime_id).plan_score == 100


def test_an_action_cannot_be_done_in_the_future_or_before_it_was_set(db, who, make_contact, clock0):
    inv = who("investigator")
    crime_id = _record(db, inv, make_contact())
    with db.unit_of_work() as session:
        action_id = service.add_action(session, crime_id, inv, element="lines_of_enquiry",
                                       description="House-to-house on the street").id
    for when, msg in ((clock0.now + timedelta(hours=1), "future"), (clock0.now - timedelta(hours=1), "before")):
        with db.unit_of_work() as session, pytest.raises(CrimeError, match=msg):
            service.complete_action(session, crime_id, action_id, inv, done_at=when)
    with db.unit_of_work() as session:
        assert service.complete_action(session, crime_id, action_id, inv, result="nothing seen").done_at == clock0.now


def test_only_a_supervisor_may_review_and_a_refused_review_records_nothing(db, who, make_contact, clock0, count):
    inv = who("investigator")
    crime_id = _record(db, inv, make_contact())
    audit_before = count(AuditEntry)
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="only a supervisor") as err:
        service.review(session, crime_id, inv, direction="Please obtain CCTV from the corner shop")
    assert err.value.status == 403
    assert count(SupervisoryReview) == 0 and count(AuditEntry) == audit_before


def test_a_supervisors_review_sets_the_next_review_by_risk(db, who, make_contact, clock0):
    inv, sup = who("investigator"), who("supervisor")
    crime_id = _record(db, inv, make_contact(), risk="medium")
    clock0.advance(days=8)  # past the 7-day first review
    with db.unit_of_work() as session:
        row = service.review(session, crime_id, sup, direction="Obtain CCTV from the corner shop by Friday")
        assert row.late and row.next_due_at == clock0.now + timedelta(days=28)
    with db.unit_of_work() as session:
        row = service.review(session, crime_id, sup, direction="Risk raised: suspect has returned twice",
                             risk="high")
        assert row.next_due_at == clock0.now + timedelta(days=7) and session.get(Crime, crime_id).risk == "high"


@pytest.mark.parametrize("kw,msg", [
    ({"direction": "ok"}, "direction"),
    ({"reviewed_at": "future"}, "future"),
    ({"reviewed_at": "before_previous"}, "previous review"),
])
def test_bad_reviews_are_refused(db, who, make_contact, clock0, kw, msg):
    inv, sup = who("investigator"), who("supervisor")
    crime_id = _record(db, inv, make_contact())
    clock0.advance(hours=5)
    with db.unit_of_work() as session:
        service.review(session, crime_id, sup, direction="Initial review: enquiries are proportionate")
    args = {"direction": "A later review with enough written direction"}
    if kw.get("reviewed_at") == "future":
        args["reviewed_at"] = clock0.now + timedelta(hours=1)
    elif kw.get("reviewed_at") == "before_previous":
        args["reviewed_at"] = clock0.now - timedelta(hours=1)
    else:
        args.update(kw)
    with db.unit_of_work() as session, pytest.raises(CrimeError, match=msg):
        service.review(session, crime_id, sup, **args)


def _planned(db, inv, make_contact, **kw):
    crime_id = _record(db, inv, make_contact(), **kw)
    with db.unit_of_work() as session:
        service.save_plan(session, crime_id, inv, ALL_ELEMENTS)
    return crime_id


@pytest.mark.parametrize("outcome,evidence,msg", [
    (None, {}, "without a Home Office outcome"),
    ("", {}, "without a Home Office outcome"),
    ("14", {"rationale": "No CCTV and no forensic opportunities"}, "victim wishes"),
    ("18", {}, "rationale"),
    ("1", {"charge_reference": "CHG/2026/1234"}, "identified suspect"),
])
def test_closing_without_an_outcome_or_its_evidence_is_refused(db, who, make_contact, clock0, count,
                                                                 outcome, evidence, msg):
    inv = who("investigator")
    crime_id = _planned(db, inv, make_contact)
    audit_before = count(AuditEntry)
    with db.unit_of_work() as session, pytest.raises(CrimeError, match=msg):
        service.request_closure(session, crime_id, inv, outcome=outcome, evidence=evidence)
    with db.unit_of_work() as session:
        crime = session.get(Crime, crime_id)
        assert crime.status == "open" and crime.outcome is None
    assert count(AuditEntry) == audit_before


def test_a_crime_without_a_plan_cannot_close(db, who, make_contact, clock0):
    inv = who("investigator")
    crime_id = _record(db, inv, make_contact())
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="investigation plan"):
        service.request_closure(session, crime_id, inv, outcome="18", evidence={"rationale": "No lines left"})


def test_an_investigators_closure_waits_for_a_supervisors_approval(db, who, make_contact, clock0):
    inv, sup = who("investigator"), who("supervisor")
    crime_id = _planned(db, inv, make_contact)
    with db.unit_of_work() as session:
        crime = service.request_closure(session, crime_id, inv, outcome="14", evidence={
            "rationale": "No CCTV, no forensic hits", "victim_wishes": "Victim does not support further action"})
        assert crime.status == "pending_closure" and crime.closed_at is None
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="only a supervisor"):
        service.decide_closure(session, crime_id, inv, approve=True)
    with db.unit_of_work() as session:
        crime = service.decide_closure(session, crime_id, sup, approve=True)
        assert crime.status == "closed" and crime.approved_by == sup.actor and crime.outcome == "14"
    with db.unit_of_work() as session:
        kinds = sorted(t.kind for t in session.execute(select(BureauTask)).scalars())
        assert kinds == ["outcome_check", "recording_check", "victim_outcome_letter"]
        letter = session.execute(select(BureauTask).where(BureauTask.kind == "victim_outcome_letter")).scalar_one()
        assert "Evidential difficulties" in letter.detail["letter"]
        assert not session.execute(select(Victim)).scalar_one().active


def test_a_refused_closure_reopens_the_crime_and_needs_a_reason(db, who, make_contact, clock0):
    inv, sup = who("investigator"), who("supervisor")
    crime_id = _planned(db, inv, make_contact)
    with db.unit_of_work() as session:
        service.request_closure(session, crime_id, inv, outcome="18", evidence={"rationale": "No suspect identified"})
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="reason"):
        service.decide_closure(session, crime_id, sup, approve=False)
    with db.unit_of_work() as session:
        crime = service.decide_closure(session, crime_id, sup, approve=False, note="Check the doorbell camera first")
        assert crime.status == "open" and crime.outcome is None


def test_a_charge_needs_a_suspect_and_opens_file_preparation(db, who, make_contact, clock0):
    inv = who("investigator")
    crime_id = _planned(db, inv, make_contact, parties=[{"role": "victim", "name": "Jo"},
                                                        {"role": "suspect", "name": "Sam"}])
    with db.unit_of_work() as session:
        crime = service.request_closure(session, crime_id, inv, outcome="1",
                                        evidence={"charge_reference": "CHG/2026/001234"})
        assert crime.status == "pending_closure"
        assert service.decide_closure(session, crime_id, who("supervisor"), approve=True).status == "closed"
    with db.unit_of_work() as session:
        assert "file_preparation" in {t.kind for t in bureau.queue(session)}


def test_a_closed_crime_refuses_further_changes(db, who, make_contact, clock0):
    inv = who("investigator")
    crime_id = _planned(db, inv, make_contact)
    with db.unit_of_work() as session:
        service.request_closure(session, crime_id, inv, outcome="18", evidence={"rationale": "No suspect identified"})
        service.decide_closure(session, crime_id, who("supervisor"), approve=True)
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="closed"):
        service.save_plan(session, crime_id, inv, ALL_ELEMENTS)
    with db.unit_of_work() as session:
        assert session.execute(select(InvestigationPlan)).scalar_one().version == 1
