"""Issue 12 item 10: a dispatch, en-route or arrival time entered late needs a reason, is marked late,
and is counted beside the attendance measures (`late_entered_times`), so a backdated arrival cannot
pass quietly as a target met."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bluelamp import clock
from bluelamp.audit.store import AuditEntry
from bluelamp.performance.measures import measures
from bluelamp.response import service
from bluelamp.response.model import ResponseError
from bluelamp.response.store import Assignment


def _dispatched(db, make_incident, make_unit, dispatcher, fixed_clock):  # type: ignore[no-untyped-def]
    iid = make_incident(grade=1)
    uid = make_unit("A1", lat=52.81)
    with db.unit_of_work() as session:
        service.dispatch(session, iid, uid, dispatcher)
    return iid, uid


def test_an_arrival_backdated_by_three_hours_needs_a_reason(db, fixed_clock, make_incident, make_unit, dispatcher):
    iid, uid = _dispatched(db, make_incident, make_unit, dispatcher, fixed_clock)
    fixed_clock.advance(hours=3)
    backdated = clock.now() - timedelta(hours=3) + timedelta(minutes=6)  # "arrived 6 minutes after the call"
    with db.unit_of_work() as session, pytest.raises(ResponseError) as refused:
        service.mark_arrived(session, iid, uid, dispatcher, at=backdated)
    assert refused.value.field == "late_reason"
    with db.unit_of_work() as session:
        assert session.execute(select(Assignment)).scalar_one().arrived_at is None  # nothing stored
        service.mark_arrived(session, iid, uid, dispatcher, at=backdated, late_reason="radio down, told by phone")
    with db.unit_of_work() as session:
        a = session.execute(select(Assignment)).scalar_one()
        assert a.arrived_at == backdated and a.late is not None
        assert a.late["arrived"]["reason"] == "radio down, told by phone"
        assert a.late["arrived"]["by"] == dispatcher.actor
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "incident.unit_arrived")).scalar_one()
        assert "radio down, told by phone" in str(entry.content)


def test_a_time_within_five_minutes_is_not_late(db, fixed_clock, make_incident, make_unit, dispatcher):
    iid, uid = _dispatched(db, make_incident, make_unit, dispatcher, fixed_clock)
    fixed_clock.advance(minutes=8)
    with db.unit_of_work() as session:
        service.mark_en_route(session, iid, uid, dispatcher, at=clock.now() - timedelta(minutes=4))
        service.mark_arrived(session, iid, uid, dispatcher)
    with db.unit_of_work() as session:
        assert session.execute(select(Assignment)).scalar_one().late is None


def test_late_times_are_counted_beside_the_attendance_measures(db, fixed_clock, make_incident, make_unit,
                                                               dispatcher):
    iid, uid = _dispatched(db, make_incident, make_unit, dispatcher, fixed_clock)
    fixed_clock.advance(minutes=40)
    with db.unit_of_work() as session:
        service.mark_en_route(session, iid, uid, dispatcher, at=clock.now() - timedelta(minutes=35),
                              late_reason="entered after the job")
        service.mark_arrived(session, iid, uid, dispatcher, at=clock.now() - timedelta(minutes=30),
                             late_reason="entered after the job")
    on_time, uid2 = make_incident(grade=2), make_unit("B2", lat=52.81)
    with db.unit_of_work() as session:
        service.dispatch(session, on_time, uid2, dispatcher)
        service.mark_arrived(session, on_time, uid2, dispatcher)
    with db.unit_of_work() as session:
        result = measures(session)
    assert result["late_entered_times"] == {"count": 2, "by_stage": {"dispatched": 0, "en_route": 1, "arrived": 1},
                                            "by_grade": {"1": 2}, "incidents": 1}
    assert {"attendance", "breaches", "from", "to"} <= set(result)  # the existing keys stay as they were
    assert result["attendance"]["1"]["attended"] == 1


def test_the_api_names_late_reason(client, make_user, fixed_clock, make_incident, make_unit):
    _, h = make_user("dispatcher")
    iid, uid = make_incident(grade=1), make_unit("C3", lat=52.81)
    assert client.post(f"/api/v1/incidents/{iid}/dispatch", headers=h, json={"unit_id": uid}).status_code == 200
    fixed_clock.advance(hours=1)
    at = (clock.now() - timedelta(minutes=50)).isoformat()
    res = client.post(f"/api/v1/incidents/{iid}/units/{uid}/arrived", headers=h, json={"at": at})
    assert res.status_code == 422 and res.json()["detail"].startswith("late_reason:"), res.text
    res = client.post(f"/api/v1/incidents/{iid}/units/{uid}/arrived", headers=h,
                      json={"at": at, "late_reason": "officer radioed, log written up afterwards"})
    assert res.status_code == 200, res.text
