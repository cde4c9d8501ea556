"""Incidents and units for the dispatch browser tests, made through the services (no mocks)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

_refs = count(1)


def make_incident(db, grade: int = 3, lat: float | None = 52.80, lon: float | None = -2.12,  # type: ignore[no-untyped-def]
                  received_at: datetime | None = None, area: str | None = "Stafford",
                  description: str = "1 High Street") -> int:
    from bluelamp import clock
    from bluelamp.contact import imports
    from bluelamp.response import service

    received = received_at or clock.now()
    attend_by = service.attend_by_for_grade(grade, True, received)
    with db.unit_of_work() as session:
        [cid] = imports.insert_imported(session, [imports.imported_contact_row(
            source="test", external_ref=f"disp{next(_refs)}-{received.timestamp()}", agency="police",
            channel="999", received_at=received, narrative="test incident", grade=grade, route="deploy",
            attend_by=attend_by, reason="test", urban=True, recorded_by="test")])
        incident = service.open_incident(
            session, contact_id=cid, grade=grade, flags=[], urban=True, received_at=received,
            attend_by=attend_by, lat=lat, lon=lon, location_description=description, area=area,
            actor="user:test")
        return incident.id


def make_unit(db, call_sign: str, lat: float | None = 52.80, lon: float | None = -2.12,  # type: ignore[no-untyped-def]
              position_age_s: float | None = 30) -> int:
    from bluelamp import clock
    from bluelamp.response import units
    from bluelamp.response.store import Unit

    now = clock.now()
    with db.unit_of_work() as session:
        unit = units.create_unit(session, "user:test", call_sign=call_sign, unit_type="response_car",
                                 lat=lat, lon=lon, shift_start=now - timedelta(hours=2),
                                 shift_end=now + timedelta(hours=8))
        if position_age_s is not None:
            session.get(Unit, unit.id).position_at = now - timedelta(seconds=position_age_s)  # type: ignore[union-attr]
        return unit.id
