"""A dashboard read never writes: days without a daily summary are counted live (the same figures)
and the page says the summaries are being built; the job runner builds them, a few days per run."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bluelamp import clock
from bluelamp.jobs.runner import enqueue, run_due
from bluelamp.performance.store import RollupDay

FEB = "from=2026-02-01&to=2026-02-28"


def _days(db) -> int:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return int(s.execute(select(func.count()).select_from(RollupDay)).scalar_one())


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_first_dashboard_read_writes_nothing_and_the_job_builds_the_summaries(client, db, make_user, world):
    _, h = make_user("leader")
    first = client.get(f"/api/v1/performance/dashboard?{FEB}", headers=h)
    assert first.status_code == 200
    body = first.json()
    # On 1 March the days up to 27 February are settled (two days are always counted live): 27 days of
    # February and the 28 of the period before it have no summary yet.
    assert body["summaries_pending_days"] == 27 + 28
    assert _days(db) == 0  # the GET wrote nothing
    page = client.get(f"/performance?{FEB}", headers=h)
    assert page.status_code == 200 and 'id="summaries-pending"' in page.text

    with db.unit_of_work() as s:
        enqueue(s, "performance.rollup.fill", {"days": 400}, clock.now())
    while run_due(db):
        pass
    assert _days(db) > 56  # every settled day of the last 400 is summarised, in runs of a few days
    second = client.get(f"/api/v1/performance/dashboard?{FEB}", headers=h).json()
    assert second["summaries_pending_days"] == 0
    assert [m["value"] for m in second["measures"]] == [m["value"] for m in body["measures"]]
    assert [m["denominator"] for m in second["measures"]] == [m["denominator"] for m in body["measures"]]


def _hold_write_lock(db) -> Any:  # type: ignore[no-untyped-def]
    """Another transaction that holds every write: SQLite's database lock, or on PostgreSQL an EXCLUSIVE
    lock on every table (it lets reads through and makes any INSERT, UPDATE or DELETE wait)."""
    if db.dialect == "sqlite":
        holder = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=1)
        holder.execute("BEGIN IMMEDIATE")
        return holder
    from bluelamp.db.base import Base

    conn = db.engine.connect()
    conn.begin()
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    conn.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
    return conn


def _a_write_waits(db) -> bool:  # type: ignore[no-untyped-def]
    """True when a write from a third connection cannot get its lock within 0.2 s (the holder works)."""
    if db.dialect == "sqlite":
        other = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0.2)
        try:
            other.execute("UPDATE audit_head SET seq = seq WHERE id = 1")
        except sqlite3.OperationalError:
            return True
        finally:
            other.close()
        return False
    from sqlalchemy.exc import DBAPIError

    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET lock_timeout = '200ms'")
        try:
            conn.execute(text("UPDATE audit_head SET seq = seq WHERE id = 1"))
        except DBAPIError:
            return True
        finally:
            conn.rollback()
    return False


def _in_thread(fn, timeout: float):  # type: ignore[no-untyped-def]
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    t.start()
    t.join(timeout)
    return out[0] if out else None


def test_reads_and_healthz_do_not_wait_for_a_held_write_lock(client, db, make_user, world):
    """A GET that wrote anything would wait behind the held locks and not answer in time. (Reads of
    personal records also append to the access log, a write: those are not used here.)"""
    _, leader = make_user("leader")
    client.get("/api/v1/measures", headers=leader)  # token resolved and cached before the lock
    holder = _hold_write_lock(db)
    try:
        assert _a_write_waits(db)
        health = _in_thread(lambda: client.get("/healthz"), 5)
        board = _in_thread(lambda: client.get("/api/v1/performance/dashboard?from=2026-02-01&to=2026-02-28",
                                              headers=leader), 10)
        measures = _in_thread(lambda: client.get("/api/v1/measures?from=2026-02-01&to=2026-02-28",
                                                 headers=leader), 10)
    finally:
        holder.rollback()
        holder.close()
    assert health is not None and health.status_code == 200
    assert board is not None and board.status_code == 200, "a GET waited for the write lock"
    assert board.json()["summaries_pending_days"] > 0  # it counted live rather than write summaries
    assert measures is not None and measures.status_code == 200
