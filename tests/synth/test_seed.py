"""Seeding the demo force into the database: rows the spine can use, deterministic, quick for a few days."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.audit.store import AuditEntry
from bluelamp.contact.matching import match_people
from bluelamp.contact.model import ContactIn
from bluelamp.contact.store import Contact, ContactPerson, Person
from bluelamp.db.engine import Database
from bluelamp.identity import service as identity
from bluelamp.policy import load_policy
from bluelamp.response.store import Incident
from bluelamp.synth import demo


def _digest(db: Database) -> str:
    """The demo's content, without database ids (PostgreSQL sequences are not reset between tests)."""
    h = hashlib.sha256()
    with db.unit_of_work() as s:
        rows = s.execute(
            select(Contact.external_ref, Contact.received_at, Contact.narrative, Contact.grade, Contact.route,
                   Contact.location_description, Contact.status, Person.phone)
            .outerjoin(ContactPerson, (ContactPerson.contact_id == Contact.id) & ContactPerson.is_caller)
            .outerjoin(Person, Person.id == ContactPerson.person_id)
            .order_by(Contact.external_ref)).all()
        times = s.execute(select(Incident.external_ref, Incident.arrived_at, Incident.status)
                          .order_by(Incident.external_ref)).all()
    for row in [*rows, *times]:
        h.update(repr(tuple(clock.iso(v) if hasattr(v, "tzinfo") else v for v in row)).encode())
    return h.hexdigest()


NOW = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(database_url, tmp_path_factory):
    """Two days of the demo force, seeded once for the read-only tests of this module, in a database of
    their own: the shared test database is emptied by every other test's `db` fixture, which may run
    between these (pytest-xdist interleaves modules)."""
    url, drop = _own_database(database_url, tmp_path_factory)
    db = Database(url)
    from bluelamp.db.migrate import upgrade

    upgrade(db.engine)
    previous = clock.set_clock(clock.FixedClock(NOW))
    try:
        summary = demo.seed(db, days=2, seed=42)
        yield db, summary
    finally:
        clock.set_clock(previous)
        db.dispose()
        drop()


def _own_database(shared_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Callable[[], None]]:
    """A new empty database beside the shared one (same kind: SQLite file or PostgreSQL database)."""
    url = make_url(shared_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'seeded.sqlite3'}", lambda: None
    name = f"{url.database}_seeded"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_a_short_seed_writes_contacts_people_and_incidents(seeded):
    # How long seeding takes is a benchmark's question (wall-clock asserts fail on a loaded machine).
    db, summary = seeded
    fixed_now = clock.now()
    assert 3000 <= summary["contacts"] <= 5000
    assert summary["incidents"] > 500 and summary["people"] > summary["contacts"] / 2
    with db.unit_of_work() as s:
        assert s.execute(select(func.count()).select_from(Contact)).scalar_one() == summary["contacts"]
        assert s.execute(select(func.count()).select_from(Incident)).scalar_one() == summary["incidents"]
        newest = s.execute(select(func.max(Contact.received_at))).scalar_one()
        oldest = s.execute(select(func.min(Contact.received_at))).scalar_one()
    assert fixed_now - timedelta(days=2) <= oldest and newest <= fixed_now


def test_demo_users_log_in_with_the_demo_password(seeded):
    db, summary = seeded
    assert summary["users_created"] == 11
    with db.unit_of_work() as s:
        for name, role in demo.USERS[:3]:  # password checks are slow by design; three make the point
            who = identity.authenticate(s, name, demo.PASSWORD)
            assert who is not None and role in who.roles


@pytest.mark.slow  # over 2 s on a loaded machine: full suite only
def test_contacts_carry_the_triage_proposal_and_an_accepted_decision(seeded):
    db, _ = seeded
    with db.unit_of_work() as s:
        contacts = list(s.execute(select(Contact).order_by(Contact.received_at)).scalars())
    statuses = {c.status for c in contacts}
    assert statuses == {"decided", "awaiting_decision"}
    waiting = [c for c in contacts if c.status == "awaiting_decision"]
    assert 1 <= len(waiting) <= 60
    assert min(c.received_at for c in waiting) > max(c.received_at for c in contacts) - timedelta(hours=6)
    for c in contacts[:500]:
        p = c.proposal
        assert p["grade"] == c.grade and p["route"] == c.route and p["flags"] == c.flags
        assert p["policy_version"] == c.policy_version and c.recorded_by == "system:demo"
        assert (p["attend_by"] is not None) == (c.route in ("deploy", "appointment"))
        if c.status == "decided":
            assert c.decision["grade"] == c.grade and c.decision["route"] == c.route
    grades = {c.grade for c in contacts}
    assert grades == {1, 2, 3, 4}
    assert len({c.narrative for c in contacts}) > 500
    assert {c.channel for c in contacts} == {"999", "101", "chat", "online"}
    assert any(c.household for c in contacts)


def test_one_audit_entry_per_batch_and_the_chain_verifies(seeded):
    db, _ = seeded
    with db.unit_of_work() as s:
        actions = list(s.execute(select(AuditEntry.action)).scalars())
        assert 1 <= actions.count("demo.seeded") <= 2
        assert actions.count("user.created") == 11
        assert audit.verify(s).ok


def test_incidents_have_plausible_times_and_some_are_open_now(seeded):
    db, _ = seeded
    now = clock.now()
    with db.unit_of_work() as s:
        incidents = list(s.execute(select(Incident)).scalars())
    closed = [i for i in incidents if i.status == "closed"]
    open_ = [i for i in incidents if i.status != "closed"]
    assert open_ and closed
    for i in closed:
        assert i.dispatched_at is not None and i.dispatched_at >= i.received_at
        assert i.closed_at is not None and i.closed_at <= now
        if i.arrived_at is not None:
            assert i.dispatched_at <= i.arrived_at <= i.closed_at
    for i in open_:
        assert all(t is None or t <= now for t in (i.dispatched_at, i.enroute_at, i.arrived_at))
    urgent = [i for i in closed if i.grade == 1 and i.arrived_at is not None and i.urban]
    within = sum((i.arrived_at - i.received_at) <= timedelta(minutes=15) for i in urgent) / len(urgent)
    assert 0.7 <= within <= 0.97  # mostly in time, with a tail of breaches


def test_repeat_callers_share_one_person_row_that_the_spines_matching_finds(seeded):
    db, _ = seeded
    policy = load_policy()
    with db.unit_of_work() as s:
        person_id, n = s.execute(
            select(ContactPerson.person_id, func.count()).where(ContactPerson.is_caller)
            .group_by(ContactPerson.person_id).order_by(func.count().desc()).limit(1)).one()
        assert n >= 2
        person = s.get(Person, person_id)
        assert person is not None and person.phone
        contact = ContactIn(channel="101", narrative="calling again", caller={"name": person.name, "phone": person.phone})
        result = match_people(s, contact, clock.now(), policy)
        assert result.people[0][0].id == person_id
        assert "repeat_caller" in result.history_flags
        # A phone alone never links two people (issue 12), but it still counts the repeat calls.
        contact = ContactIn(channel="101", narrative="calling again", caller={"name": "x", "phone": person.phone})
        result = match_people(s, contact, clock.now(), policy)
        assert result.people[0][0].id != person_id
        assert "repeat_caller" in result.history_flags
        s.rollback()


@pytest.mark.slow
def test_the_same_seed_gives_the_same_force(db, fixed_clock, tmp_path):
    demo.seed(db, days=1, seed=7)
    other = Database(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    from bluelamp.db.migrate import upgrade

    upgrade(other.engine)
    demo.seed(other, days=1, seed=7)
    assert _digest(db) == _digest(other)
    other.dispose()


@pytest.mark.slow
def test_the_command_seeds_once_and_then_refuses_politely(db, fixed_clock):
    from bluelamp.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--days", "1", "--seed", "3", "--quiet"])
    assert first.exit_code == 0, first.output
    assert '"contacts": ' in first.output.strip().splitlines()[-1]
    again = runner.invoke(app, ["demo", "--days", "1"])
    assert again.exit_code == 1
    assert "already holds the demo force" in again.output


@pytest.mark.slow
def test_seed_if_empty_seeds_recent_days_then_the_rest_in_the_background(db, fixed_clock):
    thread = demo.seed_if_empty(db, days=3, seed=5, recent_days=1)
    assert thread is not None
    with db.unit_of_work() as s:
        first = s.execute(select(func.count()).select_from(Contact)).scalar_one()
    assert first > 1000
    thread.join(timeout=120)
    assert not thread.is_alive()
    with db.unit_of_work() as s:
        total = s.execute(select(func.count()).select_from(Contact)).scalar_one()
        oldest = s.execute(select(func.min(Contact.received_at))).scalar_one()
    # Three days in all at about 2,000 a day. (Not "first + 2,000": reads no longer wait for the seeding
    # thread's write lock, so `first` may already include some of the background days.)
    assert total >= first and total > 4000
    assert oldest < fixed_clock.now - timedelta(days=2)
    assert demo.seed_if_empty(db, days=3, seed=5) is None  # not empty any more
