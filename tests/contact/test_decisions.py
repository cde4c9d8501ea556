"""The handler's decision: accepting, upgrading, and downgrades that wait for a supervisor."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bluelamp import clock
from bluelamp.contact import service
from bluelamp.contact.model import ContactIn
from bluelamp.jobs.runner import run_due
from bluelamp.response.store import Incident

BURGLARY_NOW = {"channel": "999", "narrative": "Someone is breaking into my house right now, I can hear them downstairs"}


def _record(db, principal, body=BURGLARY_NOW, received_at=None):
    data = ContactIn.model_validate(dict(body, **({"received_at": received_at} if received_at else {})))
    with db.unit_of_work() as session:
        return service.record_contact(session, data, principal)


def test_a_handler_downgrade_waits_for_a_supervisor_and_the_proposal_stays_in_force(db, principal, fixed_clock):
    handler, sup = principal("call_handler"), principal("supervisor")
    rec = _record(db, handler)
    assert rec["assessment"]["grade"] == 1
    with db.unit_of_work() as session:
        c = service.decide(session, rec["id"], handler, grade=3, route="appointment", reason="caller says they left")
        assert c.status == "awaiting_approval"
        assert c.grade == 1
    with db.unit_of_work() as session:
        c = service.approve_downgrade(session, rec["id"], sup, True, "agreed: suspects gone, CCTV to view")
        assert c.status == "decided" and c.grade == 3
        assert c.decision["approved_by"] == sup.actor
        incident = session.execute(select(Incident).where(Incident.contact_id == rec["id"])).scalar_one()
        assert incident.grade == 3


def test_a_downgrade_without_a_reason_is_refused(db, principal):
    handler = principal("call_handler")
    rec = _record(db, handler)
    with db.unit_of_work() as session, pytest.raises(service.ContactError) as err:
        service.decide(session, rec["id"], handler, grade=4, route="advice", reason="  ")
    assert err.value.field == "reason"


def test_a_handler_may_not_approve_a_downgrade(db, principal):
    handler = principal("call_handler")
    rec = _record(db, handler)
    with db.unit_of_work() as session:
        service.decide(session, rec["id"], handler, grade=3, route="appointment", reason="gone")
    with db.unit_of_work() as session, pytest.raises(service.ContactError) as err:
        service.approve_downgrade(session, rec["id"], handler, True)
    assert err.value.status == 403


def test_an_upgrade_applies_at_once(db, principal):
    handler = principal("call_handler")
    rec = _record(db, handler, {"channel": "101", "narrative": "My bike was stolen from the garden last week"})
    with db.unit_of_work() as session:
        c = service.decide(session, rec["id"], handler, grade=2, route="deploy", reason="caller knows who took it and where it is now")
        assert c.status == "decided" and c.grade == 2
        assert session.execute(select(Incident).where(Incident.contact_id == rec["id"])).scalar_one().grade == 2


def test_deciding_twice_is_a_conflict(db, principal):
    handler = principal("call_handler")
    rec = _record(db, handler)
    with db.unit_of_work() as session:
        service.decide(session, rec["id"], handler, grade=1, route="deploy")
    with db.unit_of_work() as session, pytest.raises(service.ContactError) as err:
        service.decide(session, rec["id"], handler, grade=1, route="deploy")
    assert err.value.status == 409


def test_a_waiting_incident_prompts_a_rethrive_when_its_attend_by_passes_and_again_later(db, principal, fixed_clock):
    handler = principal("call_handler")
    rec = _record(db, handler, received_at=clock.iso(fixed_clock.now))
    assert run_due(db) == 0
    fixed_clock.advance(minutes=16)
    assert run_due(db) == 1
    with db.unit_of_work() as session:
        due = service.open_reassessments(session, rec["id"])
        assert len(due) == 1 and "attend-by" in due[0].reason
    fixed_clock.advance(hours=3.5)
    run_due(db)
    with db.unit_of_work() as session:
        assert len(service.open_reassessments(session, rec["id"])) == 2
        service.complete_reassessment(session, due[0].id, handler, "still at risk; raised with the dispatcher")
    with db.unit_of_work() as session:
        assert len(service.open_reassessments(session, rec["id"])) == 1


def test_every_change_writes_an_audit_entry_and_the_chain_verifies(db, principal):
    from bluelamp.audit import service as audit

    handler = principal("call_handler")
    rec = _record(db, handler)
    with db.unit_of_work() as session:
        service.decide(session, rec["id"], handler, grade=1, route="deploy")
    with db.unit_of_work() as session:
        actions = [e.action for e in audit.trail(session, "contact", rec["id"])]
        assert actions == ["contact.recorded", "contact.decided"]
        result = audit.verify(session)
        assert result.ok, result.problems
