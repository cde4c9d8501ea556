"""The board's fast loader (plain rows) says exactly what the incident and unit entities say, in four queries."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import event


def _reference_board(session):  # type: ignore[no-untyped-def]
    """The board built from ORM entities with the same JSON builders (how it was loaded before)."""
    from bluelamp import clock
    from bluelamp.response import regrades, service, units

    now = clock.now()
    incidents = service.list_incidents(session, "open", now)
    assigned = service.assignments_for(session, [i.id for i in incidents])
    pending = regrades.pending_by_incident(session, [i.id for i in incidents])
    rows = []
    for i in incidents:
        row = service.incident_json(i, now)
        row["units"] = [service.assignment_json(a, u) for a, u in assigned[i.id] if a.cleared_at is None]
        row["pending_regrade"] = row["pending_approval"] = regrades.request_json(pending.get(i.id))
        rows.append(row)
    return {"now": clock.iso(now), "incidents": rows, "units": [units.unit_json(u, now) for u in units.list_units(session)]}


def _fill(db) -> None:  # type: ignore[no-untyped-def]
    from bluelamp import clock
    from bluelamp.response.store import Assignment, Incident, RegradeRequest, Unit

    rng = random.Random(3)
    now = clock.now()
    with db.unit_of_work() as s:
        units = [Unit(call_sign=f"T{i:02d}", unit_type=rng.choice(["response_car", "dog"]), skills=["taser"] * (i % 2),
                      status="available", lat=52.8 + i / 100 if i % 5 else None, lon=-2.0 if i % 5 else None,
                      area="Stafford" if i % 3 else None, updated_at=now,
                      shift_start=now - timedelta(hours=1) if i % 4 else None,
                      shift_end=now + timedelta(hours=(8 if i % 7 else -0.5)),
                      position_at=now - timedelta(seconds=rng.uniform(5, 1200)) if i % 5 else None)
                 for i in range(20)]
        s.add_all(units)
        incidents = []
        for k in range(15):
            received = now - timedelta(minutes=rng.uniform(1, 300))
            incidents.append(Incident(
                grade=rng.choice([1, 2, 3, 4]), status=["awaiting", "dispatched", "en_route", "at_scene", "closed"][k % 5],
                flags=rng.sample(["weapon", "injury", "domestic_abuse"], k % 3), urban=k % 2 == 0,
                lat=52.8 if k % 4 else None, lon=-2.1 if k % 4 else None, location_description=f"{k} High Street",
                area="Stafford", received_at=received, attend_by=None if k % 6 == 0 else received + timedelta(minutes=60),
                arrived_at=received + timedelta(minutes=20) if k % 5 == 3 else None, agency="police",
                source="test", external_ref=f"t{k}", extra={"required_skills": ["taser"]} if k % 3 else {}))
        s.add_all(incidents)
        s.flush()
        for n, (u, inc) in enumerate(zip(units, incidents * 2, strict=False)):
            s.add(Assignment(incident_id=inc.id, unit_id=u.id, dispatched_at=inc.received_at + timedelta(minutes=1),
                             dispatched_by="user:test", eta_s=300.0 if n % 2 else None,
                             cleared_at=inc.received_at + timedelta(minutes=30) if n % 4 == 0 else None,
                             arrived_at=inc.received_at + timedelta(minutes=9) if n % 3 == 0 else None))
        s.add(RegradeRequest(incident_id=incidents[1].id, at=now, by="user:sup1", from_grade=1, to_grade=3,
                             reason="calmer now", reduces=["grade"], status="pending"))
        s.add(RegradeRequest(incident_id=incidents[2].id, at=now, by="user:sup1", from_grade=1, to_grade=3,
                             reason="old", reduces=["grade"], status="refused"))


def test_the_board_loader_matches_the_entities_and_takes_four_queries(db, fixed_clock):
    from bluelamp.response.board import board_data

    _fill(db)
    with db.unit_of_work(write=False) as s:
        expected = _reference_board(s)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_rest):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.unit_of_work(write=False) as s:
            got = board_data(s)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert got == expected
    assert len(got["incidents"]) == 12 and len(got["units"]) == 20  # the closed ones are not on the board
    assert any(i["pending_regrade"] for i in got["incidents"])
    assert sum(len(i["units"]) for i in got["incidents"]) > 0
    assert all("extra" not in q for q in statements)  # an incident's extra is never loaded for the board
    assert len([q for q in statements if q.lstrip().upper().startswith("SELECT")]) == 4
