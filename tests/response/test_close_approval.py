"""Issue 12: closing an incident no unit attended (and a contact standing down a grade 1 or 2 before any
arrival) waits for a second supervisor, through the same request and decision as a downgrade."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bluelamp.audit.store import AuditEntry
from bluelamp.response import regrades, service
from bluelamp.response.model import ResponseError
from bluelamp.response.store import Assignment, Incident, RegradeRequest, Unit


def _actions(db, iid):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return [e.action for e in s.execute(select(AuditEntry).where(
            AuditEntry.entity == "incident", AuditEntry.entity_id == str(iid)).order_by(AuditEntry.seq)).scalars()]


def test_an_unattended_close_waits_keeping_units_and_clock_until_a_second_supervisor_approves(
        db, fixed_clock, make_incident, make_unit, principal):
    iid, uid = make_incident(grade=1), make_unit("C1")
    asker, other, disp = principal("supervisor"), principal("supervisor"), principal("dispatcher")
    with db.unit_of_work() as s:
        service.dispatch(s, iid, uid, disp)
    fixed_clock.advance(minutes=3)
    with db.unit_of_work() as s:
        inc = service.close_incident(s, iid, asker, disposition_code="CANCELLED", reason="caller rang back")
        assert inc.status == "dispatched" and inc.closed_at is None
    with db.unit_of_work() as s:
        inc = s.get(Incident, iid)
        assert inc.status == "dispatched" and inc.closed_at is None
        assert s.get(Unit, uid).status == "dispatched"  # the unit is still committed
        req = regrades.pending_for(s, iid)
        assert req is not None and (req.kind, req.by, req.status) == ("close", asker.actor, "pending")
        assert req.detail["disposition_code"] == "CANCELLED" and any("no longer sent" in r for r in req.reduces)
    with pytest.raises(ResponseError, match="of their own") as own, db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, asker, approve=True)
    assert own.value.status == 403
    with pytest.raises(ResponseError, match="supervisor") as notsup, db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, disp, approve=True)
    assert notsup.value.status == 403
    with pytest.raises(ResponseError, match="already has a close") as twice, db.unit_of_work() as s:
        service.close_incident(s, iid, other, disposition="again")
    assert twice.value.status == 409
    fixed_clock.advance(minutes=1)
    with db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, other, approve=True, note="checked with the caller")
    with db.unit_of_work() as s:
        inc = s.get(Incident, iid)
        assert inc.status == "closed" and inc.closed_at is not None
        assert (inc.extra["requested_by"], inc.extra["approved_by"]) == (asker.actor, other.actor)
        assert inc.extra["disposition_code"] == "CANCELLED" and inc.extra["closure_reason"] == "caller rang back"
        assert s.get(Unit, uid).status == "available"
        assert s.execute(select(Assignment)).scalar_one().cleared_at is not None
        assert s.execute(select(RegradeRequest)).scalar_one().status == "approved"
    assert _actions(db, iid)[-3:] == ["incident.close_requested", "incident.close_approved", "incident.closed"]


def test_a_refused_close_keeps_the_incident_open_and_it_may_be_asked_again(db, fixed_clock, make_incident,
                                                                             principal):
    iid = make_incident(grade=2)
    asker, other = principal("supervisor"), principal("supervisor")
    with db.unit_of_work() as s:
        service.close_incident(s, iid, asker, disposition="no longer needed")
    with db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, other, approve=False, note="victim still at the address")
    with db.unit_of_work() as s:
        assert s.get(Incident, iid).status == "awaiting"
        assert s.execute(select(RegradeRequest)).scalar_one().status == "refused"
    assert _actions(db, iid)[-1] == "incident.close_refused"
    with db.unit_of_work() as s:
        service.close_incident(s, iid, asker, disposition="no longer needed, checked again")
    with db.unit_of_work() as s:
        assert regrades.pending_for(s, iid) is not None


def test_an_arrival_withdraws_a_pending_close_and_the_close_then_needs_nobody_else(
        db, fixed_clock, make_incident, make_unit, principal):
    iid, uid = make_incident(grade=1), make_unit("C2")
    sup, disp = principal("supervisor"), principal("dispatcher")
    with db.unit_of_work() as s:
        service.dispatch(s, iid, uid, disp)
        service.close_incident(s, iid, sup, disposition="caller cancelled")
    fixed_clock.advance(minutes=4)
    with db.unit_of_work() as s:
        service.mark_arrived(s, iid, uid, disp)
    with db.unit_of_work() as s:
        assert regrades.pending_for(s, iid) is None
        assert s.execute(select(RegradeRequest)).scalar_one().status == "withdrawn"
    assert "incident.close_withdrawn" in _actions(db, iid)
    with db.unit_of_work() as s:
        assert service.close_incident(s, iid, disp, disposition="advice given").status == "closed"


def test_an_upgrade_withdraws_a_pending_close_and_a_close_replaces_a_pending_downgrade(
        db, fixed_clock, make_incident, principal):
    iid = make_incident(grade=2)
    sup = principal("supervisor")
    with db.unit_of_work() as s:
        service.close_incident(s, iid, sup, disposition="caller cancelled")
    with db.unit_of_work() as s:
        service.regrade(s, iid, 1, "weapon now mentioned", principal("dispatcher"))
    with db.unit_of_work() as s:
        assert regrades.pending_for(s, iid) is None and s.get(Incident, iid).grade == 1
    with db.unit_of_work() as s:
        service.regrade(s, iid, 3, "calmer", sup)
    with db.unit_of_work() as s:
        service.close_incident(s, iid, sup, disposition="caller cancelled")
    with db.unit_of_work() as s:
        statuses = [(r.kind, r.status) for r in s.execute(select(RegradeRequest).order_by(RegradeRequest.id)).scalars()]
        assert statuses == [("close", "withdrawn"), ("regrade", "withdrawn"), ("close", "pending")]


def _contact_of(db, iid):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return s.get(Incident, iid).contact_id


@pytest.mark.parametrize("grade", [1, 2])
def test_a_stand_down_of_a_grade_1_or_2_before_arrival_waits_unless_a_second_person_approved(
        db, fixed_clock, make_incident, principal, grade):
    iid = make_incident(grade=grade)
    cid = _contact_of(db, iid)
    handler = principal("call_handler")
    with db.unit_of_work() as s:  # e.g. the handler's answers settled the contact at advice
        service.stand_down_for_contact(s, cid, "answers settled it: advice", handler.actor)
    with db.unit_of_work() as s:
        assert s.get(Incident, iid).status == "awaiting"
        req = regrades.pending_for(s, iid)
        assert req is not None and (req.kind, req.by) == ("close", handler.actor)
    with db.unit_of_work() as s:
        regrades.decide_downgrade(s, iid, principal("supervisor"), approve=True)
    with db.unit_of_work() as s:
        assert s.get(Incident, iid).status == "closed"
    # A contact downgrade already approved by a second supervisor stands the incident down at once.
    iid2 = make_incident(grade=grade)
    with db.unit_of_work() as s:
        service.stand_down_for_contact(s, _contact_of(db, iid2), "route changed to advice", "user:b",
                                       approved_by="user:b", requested_by="user:a")
    with db.unit_of_work() as s:
        inc = s.get(Incident, iid2)
        assert inc.status == "closed" and (inc.extra["requested_by"], inc.extra["approved_by"]) == ("user:a", "user:b")
    # The approver being the requester is no second person: it waits.
    iid3 = make_incident(grade=grade)
    with db.unit_of_work() as s:
        service.stand_down_for_contact(s, _contact_of(db, iid3), "route changed to advice", "user:a",
                                       approved_by="user:a", requested_by="user:a")
    with db.unit_of_work() as s:
        assert s.get(Incident, iid3).status == "awaiting" and regrades.pending_for(s, iid3) is not None


def test_a_stand_down_of_a_grade_3_closes_at_once(db, fixed_clock, make_incident):
    iid = make_incident(grade=3)
    with db.unit_of_work() as s:
        service.stand_down_for_contact(s, _contact_of(db, iid), "route changed to advice", "user:h")
    with db.unit_of_work() as s:
        assert s.get(Incident, iid).status == "closed"


def test_the_page_shows_the_pending_close_card_to_a_second_supervisor(client, db, make_user, make_incident):
    iid = make_incident(grade=1)
    _, asker = make_user("supervisor")
    _, other = make_user("supervisor")
    res = client.post(f"/api/v1/incidents/{iid}/close", headers=asker, json={"disposition": "caller cancelled"})
    assert res.status_code == 202
    board = client.get("/api/v1/board", headers=other).json()
    [row] = [i for i in board["incidents"] if i["id"] == iid]
    assert row["pending_approval"]["kind"] == "close"
    page = client.get(f"/incidents/{iid}", headers=other)
    assert page.status_code == 200
    assert "Close without attendance awaiting a second supervisor" in page.text and "Approve the close" in page.text
    own = client.get(f"/incidents/{iid}", headers=asker)
    assert "Another supervisor must approve" in own.text and "Approve the close" not in own.text
