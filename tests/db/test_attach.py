"""insert_attached: one INSERT ... RETURNING, and the object behaves as after `session.add` + `flush`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from bluelamp.contact.store import Person
from bluelamp.db.attach import insert_attached
from bluelamp.db.engine import ReadOnlyViolation
from bluelamp.response.store import Incident


def _statements(db):  # type: ignore[no-untyped-def]
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(" ".join(a[2].split())))
    return seen


def test_row_written_with_defaults_and_object_attached(db) -> None:  # type: ignore[no-untyped-def]
    seen = _statements(db)
    with db.unit_of_work() as session:
        person = insert_attached(session, Person(name="Ann Lee", name_key="ann lee"))
        assert person.id is not None and person in session and not session.new and not session.dirty
        assert person.markers == [] and person.address_verified is True  # the columns' defaults
        inserts = [s for s in seen if s.startswith("INSERT INTO person")]
        assert len(inserts) == 1 and "RETURNING" in inserts[0]
        # A later change flushes as an UPDATE of that row, as after a flush.
        person.markers = ["vulnerable"]
    with db.unit_of_work() as session:
        stored = session.execute(select(Person).where(Person.name_key == "ann lee")).scalar_one()
        assert stored.id == person.id and stored.markers == ["vulnerable"] and stored.address_verified is True
    assert any(s.startswith("UPDATE person") for s in seen)


def test_pending_changes_are_flushed_first(db) -> None:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        first = insert_attached(session, Person(name="A", name_key="a"))
        first.phone_key = "07700900001"  # dirty: written before the next insert, as a flush would
        seen = _statements(db)
        insert_attached(session, Person(name="B", name_key="b"))
        assert [s.split()[0] for s in seen] == ["UPDATE", "INSERT"]


def test_every_column_is_set_so_nothing_reloads(db) -> None:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        incident = insert_attached(session, Incident(contact_id=None, grade=2, received_at=datetime.now(UTC)))
        seen = _statements(db)
        assert (incident.status, incident.agency, incident.flags, incident.extra) == ("awaiting", "police", [], {})
        assert incident.arrived_at is None and incident.measure_grade is None
        assert seen == []  # no attribute was left to load


def test_refused_in_a_read_only_unit(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReadOnlyViolation), db.unit_of_work(write=False) as session:
        insert_attached(session, Person(name="C", name_key="c"))
