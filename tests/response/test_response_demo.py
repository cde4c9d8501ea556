"""The demo force gets units on shift and realistic dispatch and arrival times."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bluelamp import clock
from bluelamp.response.demo import seed_units_and_dispatch
from bluelamp.response.store import Assignment, Incident, Unit


def test_demo_incidents_get_times_units_and_a_live_board(db, make_incident):
    end = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)
    previous = clock.set_clock(clock.FixedClock(end))
    try:
        old = [make_incident(grade=g, received_at=end - timedelta(days=2, minutes=7 * k))
               for k, g in enumerate([1, 1, 2, 2, 3] * 8)]
        recent = make_incident(grade=1, received_at=end - timedelta(minutes=6))
        counts = seed_units_and_dispatch(db, random.Random(7), end - timedelta(days=3), end, source="live")
        again = seed_units_and_dispatch(db, random.Random(7), end - timedelta(days=3), end, source="live")
    finally:
        clock.set_clock(previous)
    assert counts["units"] >= 10 and counts["incidents_timed"] == 41
    assert again == {"units": 0, "incidents_timed": 0, "open_assigned": 0}
    with db.unit_of_work() as session:
        timed = [session.get(Incident, i) for i in old]
        assert all(i.status == "closed" and i.dispatched_at and i.closed_at for i in timed)
        attended = [i for i in timed if i.arrived_at]
        assert len(attended) >= 30
        assert all(i.received_at <= i.dispatched_at <= i.arrived_at <= i.closed_at for i in attended)
        live = session.get(Incident, recent)
        assert live.status != "closed"
        assert all(t is None or t <= end for t in (live.dispatched_at, live.arrived_at))
        units = list(session.scalars(select(Unit)))
        assert all(u.shift_start <= end < u.shift_end for u in units)
        # Six minutes old at grade 1: with seed 7 a car is already assigned and still on it.
        assert live.dispatched_at is not None and counts["open_assigned"] == 1
        a = session.scalars(select(Assignment).where(Assignment.incident_id == recent)).one()
        assert session.get(Unit, a.unit_id).incident_id == recent
