"""Enqueue timed work and run what is due.

Handlers are registered by kind. A due job is claimed inside a transaction (FOR UPDATE SKIP LOCKED on
PostgreSQL; SQLite's single writer serialises claims), run in its own transaction, and marked done,
or retried with back-off and finally marked failed. Errors are recorded by type only: job payloads
may name people and must not reach the logs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.db.engine import Database
from bluelamp.jobs.store import Job

log = logging.getLogger("bluelamp.jobs")

Handler = Callable[[Session, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}
MAX_ATTEMPTS = 5
LEASE_S = 600  # a job that runs longer than this is taken to have lost its worker, and runs again


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def enqueue(
    session: Session, kind: str, payload: dict[str, Any], run_at: datetime, dedupe_key: str | None = None
) -> Job | None:
    """Queue work in the caller's transaction; with a dedupe_key, at most one such job exists."""
    if dedupe_key and session.execute(select(Job.id).where(Job.dedupe_key == dedupe_key)).first():
        return None
    job = Job(kind=kind, payload=payload, run_at=clock.as_utc(run_at), status="queued", attempts=0,
              dedupe_key=dedupe_key)
    session.add(job)
    return job


def enqueue_once(session: Session, kind: str, payload: dict[str, Any], run_at: datetime, dedupe_key: str,
                 *, defer: bool = False) -> None:
    """`enqueue` with a dedupe_key in one statement (INSERT ... ON CONFLICT DO NOTHING on the key's
    unique index), for hot paths such as recording a contact; an existing job with the key stands.

    `defer=True` holds the row in the session for the caller's closing statement (recording a contact
    writes it with its audit entries, contact/write.py); whatever is still held when the transaction
    commits is written just before the commit (`write_deferred`), so it is never lost.
    """
    row = {"kind": kind, "payload": payload, "run_at": clock.as_utc(run_at), "status": "queued", "attempts": 0,
           "dedupe_key": dedupe_key}
    if defer:
        session.info.setdefault(DEFERRED, []).append(row)
        return
    session.execute(_insert_once(session.get_bind().dialect.name), row)


DEFERRED = "jobs_deferred"


def take_deferred(session: Session) -> list[dict[str, Any]]:
    """The rows `enqueue_once(defer=True)` holds, handed to the caller who writes them."""
    return list(session.info.pop(DEFERRED, None) or [])


def write_deferred(session: Session) -> None:
    """before_commit: write what is still held (in order, each as `enqueue_once` would)."""
    for row in take_deferred(session):
        session.execute(_insert_once(session.get_bind().dialect.name), row)


def forget_deferred(session: Session) -> None:
    """after_rollback: held rows go with the transaction."""
    session.info.pop(DEFERRED, None)


def insert_once_statement(dialect: str) -> Any:
    """enqueue_once's statement (for a caller that writes held rows inside a statement of its own)."""
    return _insert_once(dialect)


@lru_cache(maxsize=2)
def _insert_once(dialect: str) -> Any:
    """enqueue_once's statement, built once per dialect (the values are bound at execution)."""
    make = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return make(Job).on_conflict_do_nothing(index_elements=["dedupe_key"])


def run_due(db: Database, limit: int = 100) -> int:
    """Run every job due now (up to limit); returns how many ran."""
    _load_handlers()
    ran = 0
    while ran < limit:
        with db.unit_of_work() as session:
            # A running job's run_at is its lease: a worker that crashed mid-job leaves it `running`,
            # and once the lease has passed it is due again (up to MAX_ATTEMPTS claims in all).
            query = (
                select(Job).where(Job.status.in_(("queued", "running")), Job.run_at <= clock.now())
                .order_by(Job.run_at, Job.id).limit(1)
            )
            if db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            job = session.execute(query).scalar_one_or_none()
            if job is None:
                return ran
            if job.status == "running" and job.attempts >= MAX_ATTEMPTS:
                job.status, job.last_error = "failed", "LeaseExpired"
                continue
            job.status = "running"
            job.attempts += 1
            job.run_at = clock.now() + timedelta(seconds=LEASE_S)
            job_id, kind, payload = job.id, job.kind, dict(job.payload)
        _run_one(db, job_id, kind, payload)
        ran += 1
    return ran


def _run_one(db: Database, job_id: int, kind: str, payload: dict[str, Any]) -> None:
    fn = HANDLERS.get(kind)
    try:
        if fn is None:
            raise LookupError(f"no handler for job kind {kind!r}")
        with db.unit_of_work() as session:
            fn(session, payload)
            done = session.get(Job, job_id)
            if done is not None:
                done.status = "done"
                done.finished_at = clock.now()
    except Exception as exc:  # a failing job must not stop the runner
        log.warning("job %s (%s) failed: %s", job_id, kind, type(exc).__name__)
        with db.unit_of_work() as session:
            failed = session.get(Job, job_id)
            if failed is not None:
                failed.last_error = type(exc).__name__  # the type only: a message may hold personal data
                if failed.attempts >= MAX_ATTEMPTS:
                    failed.status = "failed"
                else:
                    failed.status = "queued"
                    failed.run_at = clock.now() + timedelta(seconds=30 * 2 ** failed.attempts)


def _load_handlers() -> None:
    # Importing the services registers their handlers.
    import importlib.util

    from bluelamp.contact import service as _contact  # noqa: F401

    for module in ("bluelamp.crime.sweep", "bluelamp.victims.service", "bluelamp.chat.service",
                   "bluelamp.performance.rollup", "bluelamp.db.partition_job"):
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)


class BackgroundRunner:
    """Runs due jobs every few seconds in a daemon thread inside `bluelamp serve`."""

    def __init__(self, db: Database, interval_s: float = 5.0) -> None:
        self.db, self.interval_s = db, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bluelamp-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        from bluelamp.audit.sealer import seal_left_over
        from bluelamp.jobs.schedule import ensure_daily

        last_day = None
        while not self._stop.wait(self.interval_s):
            try:
                if clock.local(clock.now()).date() != last_day:
                    ensure_daily(self.db)
                    last_day = clock.local(clock.now()).date()
                seal_left_over(self.db.engine)  # audit entries a failed round or a crash left unchained
                run_due(self.db)
            except Exception as exc:
                log.warning("job runner pass failed: %s", type(exc).__name__)
