"""Incident lifecycle: dispatch, en route, arrival, clear, close, regrade, and the errors on the way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.response import service, units
from bluelamp.response.model import ResponseError
from bluelamp.response.store import Assignment, Incident, IncidentRegrade, Unit


def test_an_incident_goes_from_awaiting_to_closed_keeping_every_timestamp(db, fixed_clock, make_incident,
                                                                          make_unit, dispatcher):
    iid = make_incident(grade=1)
    uid = make_unit("A1", lat=52.81)
    steps = [("dispatched", lambda s: service.dispatch(s, iid, uid, dispatcher)),
             ("en_route", lambda s: service.mark_en_route(s, iid, uid, dispatcher)),
             ("at_scene", lambda s: service.mark_arrived(s, iid, uid, dispatcher)),
             ("closed", lambda s: service.close_incident(s, iid, dispatcher, disposition="advice given"))]
    for status, step in steps:
        fixed_clock.advance(minutes=2)
        with db.unit_of_work() as session:
            step(session)
        with db.unit_of_work() as session:
            assert session.get(Incident, iid).status == status
    with db.unit_of_work() as session:
        inc = session.get(Incident, iid)
        t0 = inc.received_at
        assert [inc.dispatched_at - t0, inc.enroute_at - t0, inc.arrived_at - t0, inc.closed_at - t0] == \
            [timedelta(minutes=m) for m in (2, 4, 6, 8)]
        assert session.get(Unit, uid).status == "available"
        a = session.query(Assignment).one()
        assert a.cleared_at == inc.closed_at and a.dispatched_by == dispatcher.actor
        actions = [e.action for e in audit.trail(session, "incident", iid)]
    assert actions == ["incident.opened", "incident.dispatched", "incident.unit_en_route", "incident.unit_arrived",
                       "incident.closed"]


def test_dispatching_an_unavailable_unit_is_refused(db, fixed_clock, make_incident, make_unit, dispatcher):
    first, second = make_incident(), make_incident()
    uid = make_unit("A1")
    with db.unit_of_work() as session:
        service.dispatch(session, first, uid, dispatcher)
    with pytest.raises(ResponseError, match="A1 is dispatched, not available") as err, db.unit_of_work() as session:
        service.dispatch(session, second, uid, dispatcher)
    assert err.value.status == 409


def test_dispatching_an_off_shift_unit_is_refused(db, fixed_clock, make_incident, make_unit, dispatcher):
    iid, uid = make_incident(), make_unit("A1", on_shift=False)
    with pytest.raises(ResponseError, match="not on shift"), db.unit_of_work() as session:
        service.dispatch(session, iid, uid, dispatcher)


def test_arrival_before_dispatch_is_refused(db, fixed_clock, make_incident, make_unit, dispatcher):
    iid, uid = make_incident(), make_unit("A1")
    with pytest.raises(ResponseError, match="has not been dispatched") as err, db.unit_of_work() as session:
        service.mark_arrived(session, iid, uid, dispatcher)
    assert err.value.status == 409
    fixed_clock.advance(minutes=3)
    with db.unit_of_work() as session:
        service.dispatch(session, iid, uid, dispatcher)
    with pytest.raises(ResponseError, match="arrival time is before the dispatch time"), \
            db.unit_of_work() as session:
        service.mark_arrived(session, iid, uid, dispatcher, at=clock.now() - timedelta(minutes=1))


def test_closing_twice_is_refused(db, fixed_clock, make_incident, supervisor, principal):
    from bluelamp.response import regrades

    iid = make_incident()
    # Closing an incident no unit attended reduces the response: a supervisor asks, with a disposition,
    # and a second supervisor approves (response/regrades.py).
    with db.unit_of_work() as session:
        service.close_incident(session, iid, supervisor, disposition="caller cancelled")
    with db.unit_of_work() as session:
        regrades.decide_downgrade(session, iid, principal("supervisor"), approve=True)
    with pytest.raises(ResponseError, match="already closed") as err, db.unit_of_work() as session:
        service.close_incident(session, iid, supervisor, disposition="caller cancelled")
    assert err.value.status == 409


def test_a_naive_or_future_time_is_refused_and_an_offset_is_honoured(db, fixed_clock, make_incident, make_unit,
                                                                    dispatcher):
    iid, uid = make_incident(), make_unit("A1")
    fixed_clock.advance(minutes=10)
    with pytest.raises(ResponseError, match="time zone"), db.unit_of_work() as session:
        service.dispatch(session, iid, uid, dispatcher, at=datetime(2026, 3, 1, 21, 5))
    # 22:05 in a zone one hour ahead of UTC is 21:05 UTC; an hour ahead of now is a wrong clock.
    with pytest.raises(ResponseError, match="future"), db.unit_of_work() as session:
        service.dispatch(session, iid, uid, dispatcher, at=datetime(2026, 3, 1, 22, 5, tzinfo=UTC))
    with db.unit_of_work() as session:
        service.dispatch(session, iid, uid, dispatcher,
                         at=datetime(2026, 3, 1, 22, 5, tzinfo=timezone(timedelta(hours=1))))
    with db.unit_of_work() as session:
        assert session.get(Incident, iid).dispatched_at == datetime(2026, 3, 1, 21, 5, tzinfo=UTC)


@pytest.mark.parametrize("received, local_attend_by", [
    (datetime(2026, 3, 29, 0, 55, tzinfo=UTC), "29 Mar 2026 02:10"),   # clocks go forward at 01:00 UTC
    (datetime(2026, 10, 25, 0, 55, tzinfo=UTC), "25 Oct 2026 01:10"),  # clocks go back at 01:00 UTC
])
def test_an_emergency_clock_is_fifteen_real_minutes_across_the_bst_change(db, make_incident, received,
                                                                          local_attend_by):
    from bluelamp.web.templating import _local

    previous = clock.set_clock(clock.FixedClock(received))
    try:
        iid = make_incident(grade=1, received_at=received)
        with db.unit_of_work() as session:
            inc = session.get(Incident, iid)
            assert inc.attend_by - inc.received_at == timedelta(minutes=15)
            assert _local(inc.attend_by) == local_attend_by
            row = service.incident_json(inc, received + timedelta(minutes=10))
        assert row["seconds_left"] == 300
    finally:
        clock.set_clock(previous)


def test_choosing_another_unit_needs_a_reason_which_is_kept(db, fixed_clock, make_incident, make_unit, dispatcher):
    iid = make_incident()
    near, far = make_unit("NEAR", lat=52.801), make_unit("FAR", lat=52.9)
    with pytest.raises(ResponseError, match="NEAR is recommended"), db.unit_of_work() as session:
        service.dispatch(session, iid, far, dispatcher)
    with db.unit_of_work() as session:
        a = service.dispatch(session, iid, far, dispatcher, reason="NEAR is refuelling")
        assert (a.recommended_unit_id, a.override_reason) == (near, "NEAR is refuelling")


def test_the_recommendation_puts_the_nearest_unit_first(db, fixed_clock, make_incident, make_unit):
    iid = make_incident()
    make_unit("FAR", lat=52.9)
    near = make_unit("NEAR", lat=52.801)
    with db.unit_of_work() as session:
        rec = units.recommendation(session, iid)
    assert rec.best is not None and rec.best.unit_id == near and rec.warnings == []


def test_an_upgrade_is_recorded_with_reason_and_who(db, fixed_clock, make_incident, dispatcher):
    iid = make_incident(grade=2)
    with db.unit_of_work() as session:
        service.regrade(session, iid, 1, "caller now says a knife is out", dispatcher)
    with db.unit_of_work() as session:
        inc = session.get(Incident, iid)
        assert inc.grade == 1 and inc.attend_by - inc.received_at == timedelta(minutes=15)
        r = session.query(IncidentRegrade).one()
        assert (r.from_grade, r.to_grade, r.by, r.reason) == (2, 1, dispatcher.actor, "caller now says a knife is out")


def test_a_downgrade_needs_a_supervisor(db, fixed_clock, make_incident, dispatcher, supervisor):
    iid = make_incident(grade=1)
    with pytest.raises(ResponseError, match="needs a supervisor") as err, db.unit_of_work() as session:
        service.regrade(session, iid, 2, "offender has left", dispatcher)
    assert err.value.status == 403
    with pytest.raises(ResponseError, match="reason"), db.unit_of_work() as session:
        service.regrade(session, iid, 2, " ", supervisor)
    with db.unit_of_work() as session:
        service.regrade(session, iid, 2, "offender has left", supervisor)
    with db.unit_of_work() as session:  # a supervisor's downgrade waits for a second supervisor
        assert session.get(Incident, iid).grade == 1
        assert session.query(IncidentRegrade).count() == 0


def test_a_committed_unit_cannot_be_booked_off_duty(db, fixed_clock, make_incident, make_unit, dispatcher):
    iid, uid = make_incident(), make_unit("A1")
    with db.unit_of_work() as session:
        service.dispatch(session, iid, uid, dispatcher)
    with pytest.raises(ResponseError, match="committed to incident"), db.unit_of_work() as session:
        units.update_unit(session, uid, dispatcher, status="off_duty")
