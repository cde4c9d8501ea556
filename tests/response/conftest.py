"""Fixtures of the response tests: incidents and units made directly through the services."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest


@pytest.fixture
def make_incident(db):  # type: ignore[no-untyped-def]
    """make_incident(grade=1, urban=True, lat=..., lon=..., received_at=...) -> incident id (awaiting)."""
    from bluelamp import clock
    from bluelamp.contact import imports
    from bluelamp.response import service

    counter = iter(range(1, 10_000))

    def make(grade: int = 1, urban: bool = True, lat: float | None = 52.80, lon: float | None = -2.12,
             received_at: datetime | None = None, flags: list[str] | None = None) -> int:
        received = received_at or clock.now()
        attend_by = service.attend_by_for_grade(grade, urban, received)
        with db.unit_of_work() as session:
            ref = f"t{next(counter)}-{received.timestamp()}"
            [cid] = imports.insert_imported(session, [imports.imported_contact_row(
                source="test", external_ref=ref, agency="police", channel="999", received_at=received,
                narrative="test incident", grade=grade, route="deploy", attend_by=attend_by, reason="test",
                urban=urban, recorded_by="test")])
            incident = service.open_incident(
                session, contact_id=cid, grade=grade, flags=flags or [], urban=urban, received_at=received,
                attend_by=attend_by, lat=lat, lon=lon, location_description="1 High Street", actor="user:test")
            return incident.id

    return make

@pytest.fixture
def make_unit(db):  # type: ignore[no-untyped-def]
    """make_unit("A1", lat, lon, unit_type="response_car", ...) -> unit id, on shift around now."""
    from bluelamp import clock
    from bluelamp.response import units

    def make(call_sign: str, lat: float | None = 52.80, lon: float | None = -2.12, unit_type: str = "response_car",
             skills: list[str] | None = None, on_shift: bool = True) -> int:
        now = clock.now()
        start = now - timedelta(hours=2) if on_shift else now + timedelta(hours=2)
        with db.unit_of_work() as session:
            unit = units.create_unit(session, "user:test", call_sign=call_sign, unit_type=unit_type,
                                     skills=skills, lat=lat, lon=lon, shift_start=start,
                                     shift_end=start + timedelta(hours=10))
            return unit.id

    return make

@pytest.fixture
def dispatcher(principal):  # type: ignore[no-untyped-def]
    return principal("dispatcher")

@pytest.fixture
def supervisor(principal):  # type: ignore[no-untyped-def]
    return principal("supervisor")
