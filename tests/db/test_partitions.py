"""Monthly partitions on PostgreSQL: the migration on a populated database (up and down), partitions
created ahead of time, and rows landing in the right partition. SQLite stays one plain table each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url

from bluelamp.db import partitions

PG = os.environ.get("BLUELAMP_TEST_DATABASE_URL", "")
needs_pg = pytest.mark.skipif(not PG, reason="partitioning is PostgreSQL only")


def _where(conn: Connection, table: str, where: str) -> list[str]:
    return [str(r) for r in conn.execute(text(f"SELECT tableoid::regclass::text FROM {table} WHERE {where}")).scalars()]


def _constraint(conn: Connection, name: str) -> str | None:
    return conn.execute(text("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :n"),
                        {"n": name}).scalar()


@pytest.fixture
def scratch(database_url: str) -> Iterator[Engine]:
    """A database of its own, migrated to head and then back to just before the partitioning."""
    from bluelamp.db.engine import get_database

    base = make_url(PG)
    name = f"bluelamp_test_part_{os.getpid()}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = get_database(base.set(database=name).render_as_string(hide_password=False))
    from bluelamp.db.migrate import upgrade

    upgrade(db.engine)
    _alembic(db.engine, "downgrade", "part@-1")
    yield db.engine
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _alembic(engine: Engine, what: str, target: str) -> None:
    from alembic import command

    from bluelamp.db.migrate import alembic_config

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, what)(cfg, target)


def _populate(conn: Connection) -> None:
    contact = ("INSERT INTO contact (id, channel, agency, source, external_ref, received_at, narrative, urban, "
               "answers, proposal, grade, route, flags, policy_version, household, status, recorded_by) VALUES "
               "(:id, '999', 'police', 'cad', :ref, :at, 'n', true, '{}', '{}', 1, 'deploy', '[]', '2026.1', "
               "'[]', 'decided', 'test')")
    for cid, at in ((11, "2026-09-03 10:00+00"), (12, "2026-10-31 23:59:59+00"), (13, "2001-01-05 08:00+00")):
        conn.execute(text(contact), {"id": cid, "ref": f"r{cid}", "at": at})
    conn.execute(text("SELECT setval('contact_id_seq', 13)"))
    for iid, cid, at in ((21, 11, "2026-09-03 10:00+00"), (22, 12, "2026-10-31 23:59:59+00")):
        conn.execute(text("INSERT INTO incident (id, contact_id, agency, source, grade, status, flags, urban, "
                          "received_at, extra) VALUES (:i, :c, 'police', 'live', 1, 'awaiting', '[]', true, :at, "
                          "'{}')"), {"i": iid, "c": cid, "at": at})
    conn.execute(text("SELECT setval('incident_id_seq', 22)"))
    conn.execute(text("INSERT INTO tel_call_event (call_id, event, line, at, received_at, received_by) VALUES "
                      "('c1', 'offered', '999', '2026-10-02 01:00+00', now(), 't')"))
    conn.execute(text("INSERT INTO audit_entry (seq, at, actor, action, entity, entity_id, content_digest, "
                      "prev_digest, digest) VALUES (1, '2026-09-03 10:00+00', 'a', 'x', 'contact', '11', "
                      "'d', 'p', 'g')"))


@needs_pg
def test_the_migration_partitions_a_populated_database_and_the_downgrade_restores_it(scratch: Engine) -> None:
    with scratch.begin() as conn:
        _populate(conn)
        assert _constraint(conn, "fk_incident_contact_id_contact") == "FOREIGN KEY (contact_id) REFERENCES contact(id)"
    _alembic(scratch, "upgrade", "heads")
    with scratch.begin() as conn:
        for table in partitions.PARTITIONED:
            assert partitions.is_partitioned(conn, table), table
        assert _where(conn, "contact", "id = 11") == ["contact_p2026_09"]
        assert _where(conn, "contact", "id = 12") == ["contact_p2026_10"]
        assert _where(conn, "contact", "id = 13") == ["contact_pdefault"]  # older than BACK_MONTHS
        assert _where(conn, "incident", "id = 22") == ["incident_p2026_10"]
        assert _where(conn, "tel_call_event", "call_id = 'c1'") == ["tel_call_event_p2026_10"]
        assert _where(conn, "audit_entry", "seq = 1") == ["audit_entry_p2026_09"]
        assert _constraint(conn, "pk_contact") == "PRIMARY KEY (id, received_at)"
        assert _constraint(conn, "uq_incident_source_external_ref") == "UNIQUE (source, external_ref, received_at)"
        assert _constraint(conn, "uq_tel_call_event_key") == "UNIQUE (call_id, event, at)"
        assert _constraint(conn, "fk_incident_contact_id_contact") is None
        assert _constraint(conn, "fk_api_token_user_id_user_account") is not None  # untouched elsewhere
        # the sequence carries on where it was, and the partition indexes exist
        new_id = conn.execute(text("INSERT INTO incident (agency, source, grade, status, flags, urban, received_at, "
                                   "extra) VALUES ('police', 'live', 2, 'awaiting', '[]', true, now(), '{}') "
                                   "RETURNING id")).scalar_one()
        assert new_id == 23
        assert conn.execute(text("SELECT to_regclass('ix_incident_status')")).scalar() == "ix_incident_status"
    _alembic(scratch, "downgrade", "part@-1")
    with scratch.begin() as conn:
        for table in partitions.PARTITIONED:
            assert not partitions.is_partitioned(conn, table), table
        assert conn.execute(text("SELECT count(*) FROM contact")).scalar_one() == 3
        assert sorted(conn.execute(text("SELECT id FROM incident")).scalars()) == [21, 22, 23]
        assert _constraint(conn, "pk_contact") == "PRIMARY KEY (id)"
        assert _constraint(conn, "uq_incident_source_external_ref") == "UNIQUE (source, external_ref)"
        assert _constraint(conn, "fk_incident_contact_id_contact") == "FOREIGN KEY (contact_id) REFERENCES contact(id)"
        assert _constraint(conn, "fk_assignment_incident_id_incident") == (
            "FOREIGN KEY (incident_id) REFERENCES incident(id) ON DELETE CASCADE")
        assert conn.execute(text("SELECT to_regclass('part_saved_ddl')")).scalar() is None
        assert conn.execute(text("SELECT nextval('incident_id_seq')")).scalar_one() == 24
    _alembic(scratch, "upgrade", "heads")  # and up again
    with scratch.connect() as conn:
        assert _where(conn, "incident", "id = 21") == ["incident_p2026_09"]


@needs_pg
def test_months_created_ahead_take_their_rows_out_of_the_default_partition(db) -> None:  # type: ignore[no-untyped-def]
    far = "2031-06-10 12:00+00"  # no partition yet: the default one takes it, nothing is refused
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO tel_call_event (call_id, event, line, at, received_at, received_by) VALUES "
                          "('far', 'offered', '101', :at, now(), 't')"), {"at": far})
        assert _where(conn, "tel_call_event", "call_id = 'far'") == ["tel_call_event_pdefault"]
    with db.engine.begin() as conn:
        created = partitions.ensure_ahead(conn, date(2031, 5, 20), ahead=1)
    assert created == [f"{t}_p2031_{m}" for t in partitions.PARTITIONED for m in ("05", "06")]
    with db.engine.begin() as conn:
        assert _where(conn, "tel_call_event", "call_id = 'far'") == ["tel_call_event_p2031_06"]
        assert partitions.ensure_ahead(conn, date(2031, 5, 20), ahead=1) == []  # already there
        names = [p.name for p in partitions.partitions(conn, "contact")]
        assert names.index("contact_p2031_05") < names.index("contact_p2031_06") < names.index("contact_pdefault")


@needs_pg
def test_a_recorded_contact_its_incident_and_its_audit_entry_land_in_their_month(client, make_user, db,
                                                                                fixed_clock) -> None:  # type: ignore[no-untyped-def]
    from bluelamp.db.partition_job import create_ahead

    fixed_clock.now = datetime(2029, 7, 15, 9, tzinfo=UTC)  # a month no other test creates
    with db.unit_of_work() as session:
        assert create_ahead(session, "test", ahead=0) == [f"{t}_p2029_07" for t in partitions.PARTITIONED]
    _, headers = make_user("call_handler")
    res = client.post("/api/v1/contacts", headers=headers, json={
        "channel": "999", "narrative": "He has a knife and is kicking my door in right now"})
    assert res.status_code == 201, res.text
    body = res.json()
    with db.engine.connect() as conn:
        assert _where(conn, "contact", f"id = {body['id']}") == ["contact_p2029_07"]
        assert _where(conn, "incident", f"id = {body['incident_id']}") == ["incident_p2029_07"]
        assert set(_where(conn, "audit_entry", f"entity_id = '{body['id']}'")) == {"audit_entry_p2029_07"}
        assert _where(conn, "audit_entry", "action = 'db.partitions_created'") == ["audit_entry_p2029_07"]
    assert client.get(f"/api/v1/contacts/{body['id']}", headers=headers).status_code == 200


@pytest.mark.slow  # over 2 s on a loaded machine: full suite only
def test_the_partitions_command_creates_nothing_on_sqlite_and_lists_on_postgresql(database_url: str) -> None:
    out = subprocess.run([sys.executable, "-m", "bluelamp", "db", "partitions", "--list"], capture_output=True,
                         text=True, env={**os.environ, "BLUELAMP_DATABASE_URL": database_url}, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if database_url.startswith("sqlite"):
        assert result == {"dialect": "sqlite", "created": [], "partitions": {}}
    else:
        assert set(result["partitions"]) == set(partitions.PARTITIONED)
        assert result["partitions"]["contact"][-1]["name"] == "contact_pdefault"


def test_ahead_must_be_a_sensible_number_of_months(database_url: str) -> None:
    out = subprocess.run([sys.executable, "-m", "bluelamp", "db", "partitions", "--ahead", "-1"],
                         capture_output=True, text=True, env={**os.environ, "BLUELAMP_DATABASE_URL": database_url})
    assert out.returncode == 1
    assert "--ahead" in out.stderr


def test_month_arithmetic_crosses_years() -> None:
    assert partitions.add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert partitions.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert partitions.partition_name("contact", date(2027, 2, 1)) == "contact_p2027_02"
    assert partitions.month_start(datetime(2026, 3, 31, 23, tzinfo=UTC).date()) == date(2026, 3, 1)
