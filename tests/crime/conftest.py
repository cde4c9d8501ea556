"""Fixtures for the crime tests: a contact to record a crime from, and a clock set to a working Monday."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2 March 2026, 09:00 GMT


@pytest.fixture
def clock0() -> Iterator[object]:
    from bluelamp import clock

    fc = clock.FixedClock(T0)
    previous = clock.set_clock(fc)
    yield fc
    clock.set_clock(previous)


@pytest.fixture
def make_contact(db):  # type: ignore[no-untyped-def]
    """make_contact(received_at=None) -> id of a decided 101 contact."""
    from bluelamp.contact.store import Contact

    def make(received_at: datetime | None = None, flags: list[str] | None = None) -> int:
        at = received_at or T0 - timedelta(hours=2)
        with db.unit_of_work() as session:
            c = Contact(channel="101", agency="police", source="test", received_at=at, answered_at=at,
                        narrative="Someone broke into my shed and took my bike", urban=True, answers={},
                        proposal={"grade": 3, "route": "appointment"}, grade=3, route="appointment",
                        flags=flags or [], policy_version="2026.1", household=[], status="decided",
                        recorded_by="user:test")
            session.add(c)
            session.flush()
            return c.id

    return make


@pytest.fixture
def count(db):  # type: ignore[no-untyped-def]
    """count(Table) -> rows in it."""
    from sqlalchemy import func, select

    def do(table) -> int:  # type: ignore[no-untyped-def]
        with db.unit_of_work() as session:
            return int(session.execute(select(func.count()).select_from(table)).scalar_one())

    return do


_ids = iter(range(10_000, 10**9))


@pytest.fixture
def who():  # type: ignore[no-untyped-def]
    """who("supervisor") -> a Principal with those roles (no user row: services need only the principal)."""
    from bluelamp.identity.model import Principal

    def make(*roles: str) -> Principal:
        n = next(_ids)
        return Principal(user_id=n, username=f"{roles[0]}{n}", roles=frozenset(roles))

    return make
