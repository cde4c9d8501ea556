"""Engine and session factory; nothing is created at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from bluelamp.config import get_settings


class DatabaseUnavailable(RuntimeError):
    """The database did not answer; the app's error handler turns this into a 503."""


class CommitFailed(DatabaseUnavailable):
    """The transaction could not be committed, so nothing of it was stored (answered with a 503)."""


READ_ONLY_OPTION = "bluelamp_read_only"


class ReadOnlyViolation(RuntimeError):
    """A read-only unit of work (a GET) tried to write: a programming error, never a user's."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets pages read while the API writes; foreign keys are off by default in SQLite.
            # The sqlite3 driver's own transaction handling is switched off so that BEGIN IMMEDIATE
            # below takes the write lock at the start of each transaction (no upgrade deadlocks).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers take the write lock at BEGIN; read-only units (Database.unit_of_work(write=False))
            # use a deferred BEGIN and so never wait for, or hold up, a writer (WAL).
            read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    _cache_long_statements()
    _quick_array_escapes()
    return create_engine(url, **kwargs)


# psycopg parses every query's placeholders again on each execution unless the query is at most 4096
# bytes with at most 50 parameters (then the parse is cached, 128 queries). Its limits keep out ORM
# statements whose shape changes with every batch; ours on the hot paths have fixed shapes built once
# (contact/write.py: a contact's rows in one statement has about 80 parameters, 4.4 kB), and parsing
# one of them again cost about as much CPU as the statements it replaced (session 9, cProfile). Only
# what is cached changes: the parse itself, and so every statement sent, is the same.
PSYCOPG_CACHED_LENGTH, PSYCOPG_CACHED_PARAMS = 16384, 256


def _cache_long_statements() -> None:
    try:
        from psycopg import _queries
    except ImportError:  # another driver: nothing to tune
        return
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, PSYCOPG_CACHED_LENGTH)
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, PSYCOPG_CACHED_PARAMS)


# psycopg escapes each text array element that needs quotes with a regular-expression substitution
# whose template is expanded for every double quote; our audit entries go in as arrays of JSON
# documents (contact/write.py's closing statement, the sealer's chaining): about 0.1 ms, 1 % of a
# contact's CPU (session 13, phase timer). db/pg_arrays.py writes the same bytes with bytes.replace.
def _quick_array_escapes() -> None:
    try:
        import psycopg
    except ImportError:  # another driver: nothing to tune
        return
    from bluelamp.db.pg_arrays import QuickListDumper, fits

    if fits():
        psycopg.adapters.register_dumper(list, QuickListDumper)  # text and automatic format, as ListDumper was


class Database:
    """One engine and its session factory, built from settings or a URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Audit entries are written unchained with the transaction and chained (sealed) once it has
        # committed and given back its connection (audit/sealer.py); the anchor moves with each seal.
        from bluelamp.audit.service import flush_pending, forget_pending, seal_after_commit, seal_due
        from bluelamp.jobs.runner import forget_deferred, write_deferred

        # Jobs held for a closing statement (jobs.runner.enqueue_once(defer=True)) that nobody wrote go
        # in before the audit entries, inside the transaction.
        event.listen(self.sessions, "before_commit", write_deferred)
        event.listen(self.sessions, "after_rollback", forget_deferred)
        event.listen(self.sessions, "before_commit", flush_pending)
        event.listen(self.sessions, "after_commit", seal_due)
        event.listen(self.sessions, "after_rollback", forget_pending)
        event.listen(self.sessions, "after_transaction_end", seal_after_commit)
        self.read_engine = self.engine.execution_options(**{READ_ONLY_OPTION: True})
        event.listen(self.sessions, "before_flush", _refuse_read_only_flush)
        event.listen(self.sessions, "do_orm_execute", _refuse_read_only_write)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self, write: bool = True) -> Iterator[Session]:
        """One transaction: commits on success, rolls back on any error.

        A failed commit raises `CommitFailed` (nothing was stored); a unique-key clash found at commit
        stays an `IntegrityError` (a conflict, answered with a 409); a database that does not answer
        (cannot be reached, locked past the busy timeout, a dropped connection, no pool connection
        free) raises `DatabaseUnavailable`. `write=False` marks a read-only unit: on SQLite it starts
        with a deferred BEGIN, so it never takes the write lock.
        """
        session = self.sessions() if write else self.sessions(bind=self.read_engine)
        if not write:
            session.info["read_only"] = True
        try:
            yield session
            try:
                session.commit()
            except IntegrityError:
                raise
            except Exception as exc:
                raise CommitFailed("the transaction could not be committed; nothing was stored") from exc
        except BaseException as exc:
            session.rollback()
            if _not_answering(exc):
                raise DatabaseUnavailable("the database did not answer; nothing was stored") from exc
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _not_answering(exc: BaseException) -> bool:
    """The database itself failed us (not our SQL, not a conflict): the caller gets a 503."""
    if isinstance(exc, OperationalError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _refuse_read_only_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("read_only") and (session.new or session.dirty or session.deleted):
        raise ReadOnlyViolation("a read-only unit of work (GET) tried to write; use a write unit of work")


def _refuse_read_only_write(state: Any) -> None:
    if state.session.info.get("read_only") and (state.is_insert or state.is_update or state.is_delete):
        raise ReadOnlyViolation("a read-only unit of work (GET) tried to write; use a write unit of work")


@lru_cache(maxsize=8)
def _database_for(url: str) -> Database:
    return Database(url)


def get_database(url: str | None = None) -> Database:
    return _database_for(url or get_settings().resolved_database_url())
