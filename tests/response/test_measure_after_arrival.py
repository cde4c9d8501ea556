"""Issue 13, defect 7: a regrade does not rewrite the attendance measure. The measure uses the highest
grade the incident held before its first arrival (with that grade's attend-by); a downgrade after
arrival changes nothing. Incident downgrades appear in the downgrade measures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bluelamp.performance import measures
from bluelamp.performance import service as perf
from bluelamp.response import regrades, service

START, END = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)


def _attendance(db):
    with db.unit_of_work() as session:
        return measures.attendance(session, START, END)


def _arrive(db, fixed_clock, iid, uid, dispatcher, minutes):
    with db.unit_of_work() as session:
        service.dispatch(session, iid, uid, dispatcher)
    fixed_clock.advance(minutes=minutes)
    with db.unit_of_work() as session:
        service.mark_arrived(session, iid, uid, dispatcher)


def test_a_downgrade_after_a_late_arrival_keeps_it_a_late_grade_1(db, fixed_clock, make_incident, make_unit,
                                                                  dispatcher, supervisor, principal):
    iid, uid = make_incident(grade=1), make_unit("A1")
    _arrive(db, fixed_clock, iid, uid, dispatcher, 25)  # target 15 min
    with db.unit_of_work() as session:
        service.regrade(session, iid, 2, "on arrival, less serious than reported", supervisor)
    with db.unit_of_work() as session:
        regrades.decide_downgrade(session, iid, principal("supervisor"), approve=True)
    got = _attendance(db)
    assert (got["1"]["attended"], got["1"]["within_target"]) == (1, 0)
    assert got["2"]["attended"] == 0
    with db.unit_of_work() as session:
        board = perf.dashboard(session, date(2026, 3, 1), date(2026, 3, 1))
    m = {x["key"]: x for x in board["measures"]}
    assert (m["attendance_1"]["numerator"], m["attendance_1"]["denominator"]) == (0, 1)
    assert (m["incident_downgraded"]["numerator"], m["incident_downgraded"]["denominator"]) == (1, 1)


def test_an_upgrade_before_arrival_is_measured_on_the_higher_grade(db, fixed_clock, make_incident, make_unit,
                                                                   dispatcher):
    iid, uid = make_incident(grade=2), make_unit("A1")
    with db.unit_of_work() as session:
        service.regrade(session, iid, 1, "weapon now mentioned", dispatcher)
    _arrive(db, fixed_clock, iid, uid, dispatcher, 30)
    got = _attendance(db)
    assert (got["1"]["attended"], got["1"]["within_target"], got["2"]["attended"]) == (1, 0, 0)


def test_a_downgrade_before_arrival_is_still_measured_on_the_highest_grade_held(
        db, fixed_clock, make_incident, make_unit, dispatcher, supervisor, principal):
    iid, uid = make_incident(grade=1), make_unit("A1")
    with db.unit_of_work() as session:
        service.regrade(session, iid, 2, "offender has left, no injury", supervisor)
    with db.unit_of_work() as session:
        regrades.decide_downgrade(session, iid, principal("supervisor"), approve=True)
    _arrive(db, fixed_clock, iid, uid, dispatcher, 30)
    got = _attendance(db)
    assert (got["1"]["attended"], got["1"]["within_target"], got["2"]["attended"]) == (1, 0, 0)
    with db.unit_of_work() as session:
        b = measures.breaches(session, START, END)
    assert b["late"] == 1 and b["listed"][0]["grade"] == 1


def test_an_incident_never_regraded_is_measured_as_before(db, fixed_clock, make_incident, make_unit, dispatcher):
    iid, uid = make_incident(grade=1), make_unit("A1")
    _arrive(db, fixed_clock, iid, uid, dispatcher, 10)
    got = _attendance(db)
    assert (got["1"]["attended"], got["1"]["within_target"]) == (1, 1)
    _ = timedelta
