"""Fixtures of the location tests: users with roles, and units made through the response service."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def handler(make_user):  # type: ignore[no-untyped-def]
    return make_user("call_handler")[1]


@pytest.fixture
def controller(make_user):  # type: ignore[no-untyped-def]
    return make_user("dispatcher")[1]


@pytest.fixture
def make_unit(db):  # type: ignore[no-untyped-def]
    """make_unit("A1", lat, lon, unit_type="response_car") -> unit id, on shift around now."""
    from bluelamp import clock
    from bluelamp.response import units

    def make(call_sign: str, lat: float | None = None, lon: float | None = None,
             unit_type: str = "response_car") -> int:
        start = clock.now() - timedelta(hours=2)
        with db.unit_of_work() as session:
            return units.create_unit(session, "user:test", call_sign=call_sign, unit_type=unit_type, lat=lat,
                                     lon=lon, shift_start=start, shift_end=start + timedelta(hours=10)).id

    return make
