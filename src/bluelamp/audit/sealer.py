"""Chaining committed audit entries: the sealer (docs/security.md, "Sealing").

A business transaction appends its entries to `audit_pending` (`service.flush_pending`): no lock shared
with other writers, and every entry commits atomically with its change. Just after the commit, the
sealer moves every entry committed meanwhile into the chain in one short transaction: it locks the head
row, takes the waiting entries (read and deleted from `audit_pending` in one `DELETE ... RETURNING`,
then put in `id` order), checks each one's MAC (one that fails is put back as it was), gives them their
sequence numbers and HMAC digests, inserts them into `audit_entry`, moves the head and then the anchor
file. The process's sealer keeps a connection of its own between rounds (no pool checkout or pre-ping). So transactions commit in parallel (PostgreSQL groups their WAL flushes) and the
chain's lock is held for one sealing transaction per batch, not for every commit.

Order: entries are chained in the order of their `audit_pending.id` within a batch, and batch after
batch. An entry whose transaction committed before another transaction began gets a smaller id (ids come
from one sequence, taken inside the transaction) and is visible to any batch that sees the later one, so
it is always chained first; concurrent transactions are ordered by their ids. Deterministic either way.

In a process, one thread seals at a time (`Sealer`): a committing thread that finds no round running
runs one itself; one that finds a round running leaves its entries to the next round, which the
process's sealer thread runs (so a burst of commits costs a few rounds, and no request waits behind
another's sealing). Several processes serialise on the head row. Anything left waiting by a crash is
sealed by `seal_waiting` at start-up (`db.migrate.upgrade`) and on every pass of the job runner.
"""

from __future__ import annotations

import hmac
import logging
import threading
from typing import Any

from sqlalchemy import BigInteger, Engine, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from bluelamp.audit.model import content_digest, entry_digest, pending_mac
from bluelamp.audit.store import AuditEntry, AuditHead, AuditPending
from bluelamp.db.base import table

log = logging.getLogger("bluelamp.audit")

BATCH = 2000  # entries chained in one sealing transaction at most (more wait for the next one)
WAIT_S = 10.0  # wait_idle's default


def pending_ok(row: Any, key: bytes) -> bool:
    """Whether a waiting entry is as its transaction wrote it (content present and matching, MAC valid)."""
    if row.content is None or content_digest(row.content) != row.content_digest:
        return False
    expected = pending_mac(row.nonce, row.at, row.actor, row.action, row.entity, row.entity_id,
                           row.content_digest, key)
    return hmac.compare_digest(expected, row.mac)


_refused: set[tuple[str, int]] = set()  # (database, pending id) already reported, so the log says it once


Anchoring = tuple[int, str, int, int, Any]


def _statements() -> dict[str, Any]:
    """The sealing round's statements, built once: a round runs after every commit of a lone writer,
    and building and cache-keying the statements anew each time cost a good part of the round's CPU."""
    head, entries, pending = table(AuditHead), table(AuditEntry), table(AuditPending)
    named = select(entries.c.digest).where(entries.c.seq == bindparam("a", type_=BigInteger)).scalar_subquery()
    oldest = select(pending.c.id).order_by(pending.c.id).limit(bindparam("n", type_=BigInteger))
    return {
        "head": select(head.c.seq, head.c.digest, head.c.keyed_from, named).where(head.c.id == 1)
        .with_for_update(of=head),
        # Read and remove the oldest waiting entries in one statement (RETURNING gives no order: they
        # are sorted by id below). An entry that fails its check is put back as it was.
        "take": delete(pending).where(pending.c.id.in_(oldest.scalar_subquery())).returning(*pending.c),
        "put_back": insert(pending),
        "chain": insert(entries),
        "move": update(head).where(head.c.id == 1).values(seq=bindparam("s", type_=BigInteger),
                                                          digest=bindparam("d")),
        "chain_and_move": _chain_and_move(head, entries),
    }


CHAINED = ("seq", "at", "actor", "action", "entity", "entity_id", "content", "content_digest", "prev_digest",
           "digest")


def _chain_and_move(head: Any, entries: Any) -> Any:
    """PostgreSQL: the chained entries' insert and the head's move in one statement (a data-modifying
    CTE; the entries as arrays through unnest), under the head lock the round already holds."""
    from sqlalchemy import ARRAY, func
    from sqlalchemy.dialects.postgresql import JSONB

    arrays = [bindparam(f"e_{k}", type_=ARRAY(JSONB if k == "content" else entries.c[k].type)) for k in CHAINED]
    given = func.unnest(*arrays).table_valued(*CHAINED).render_derived("e")
    chain = insert(entries).from_select(list(CHAINED), select(*[given.c[k] for k in CHAINED])).cte("chained")
    return (update(head).where(head.c.id == 1)
            .values(seq=bindparam("s", type_=BigInteger), digest=bindparam("d")).add_cte(chain))


_STATEMENTS: dict[str, Any] = {}


def _st() -> dict[str, Any]:
    if not _STATEMENTS:
        _STATEMENTS.update(_statements())
    return _STATEMENTS


def seal_batch(conn: Connection, key: bytes) -> tuple[int, int, Anchoring | None]:
    """Chain up to BATCH waiting entries in the connection's transaction (the caller commits).

    Returns how many were read, how many chained and, when any was, what the anchor needs afterwards:
    (last seq, its digest, keyed_from, the seq the anchor named, that entry's digest as read now).
    Four statements: lock the head, take the waiting entries, insert them chained, move the head; on
    PostgreSQL the last two are one.
    """
    from bluelamp.audit.service import _anchored_seq, anchor_path_for

    st = _st()
    where = str(conn.engine.url)
    anchored = _anchored_seq(anchor_path_for(where))
    # The head row lock (PostgreSQL; the write lock on SQLite) serialises sealers across processes. In
    # READ COMMITTED the next statement reads after the lock is granted, so it sees every entry the
    # previous sealer left and none it already moved.
    row = conn.execute(st["head"], {"a": anchored}).one()
    waiting = sorted(conn.execute(st["take"], {"n": BATCH}).all(), key=lambda w: w.id)
    if not waiting:
        return 0, 0, None
    seq, prev, keyed_from = int(row[0]), str(row[1]), int(row[2] or 1)
    rows, refused = [], []
    for w in waiting:
        if not pending_ok(w, key):
            # Forged or edited while it waited: never chained, left where verify reports it.
            if (where, w.id) not in _refused:
                _refused.add((where, w.id))
                log.critical("audit entry waiting as %s fails its MAC or content digest; not chained", w.id)
                _raise_alarm(conn, f"waiting entry {w.id} fails its MAC or content digest")
            refused.append(dict(w._mapping))
            continue
        seq += 1
        digest = entry_digest(seq, prev, w.at, w.actor, w.action, w.entity, w.entity_id, w.content_digest, key)
        rows.append({"seq": seq, "at": w.at, "actor": w.actor, "action": w.action, "entity": w.entity,
                     "entity_id": w.entity_id, "content": w.content, "content_digest": w.content_digest,
                     "prev_digest": prev, "digest": digest})
        prev = digest
    if refused:
        conn.execute(st["put_back"], refused)
    if not rows:
        return len(waiting), 0, None
    if conn.dialect.name == "postgresql":  # one round trip and one statement's CPU instead of two
        conn.execute(st["chain_and_move"], {"s": seq, "d": prev,
                                            **{f"e_{k}": [r[k] for r in rows] for k in CHAINED}})
    else:
        conn.execute(st["chain"], rows)
        conn.execute(st["move"], {"s": seq, "d": prev})
    return len(waiting), len(rows), (seq, prev, keyed_from, anchored, row[3])


def _raise_alarm(conn: Connection, what: str) -> None:
    from bluelamp import clock
    from bluelamp.audit.service import anchor_path_for

    try:
        alarm = anchor_path_for(str(conn.engine.url)).with_suffix(".alarm")
        alarm.parent.mkdir(parents=True, exist_ok=True)
        with open(alarm, "a") as out:
            out.write(f"{clock.iso(clock.now())} {what}\n")
    except OSError as exc:
        log.warning("audit alarm file not written: %s", type(exc).__name__)


def seal_waiting(engine: Engine, conn: Connection | None = None) -> int:
    """Chain every entry waiting now, batch after batch; returns how many were chained. With `conn`
    (the process sealer's own connection) each batch is a transaction on it; else on a pooled one."""
    from bluelamp.audit.service import _key_cached, anchor_committed

    key = _key_cached()
    chained = 0
    while True:
        if conn is not None:
            with conn.begin():
                read, n, anchor = seal_batch(conn, key)
        else:
            with engine.connect() as pooled, pooled.begin():
                read, n, anchor = seal_batch(pooled, key)
        chained += n
        if anchor is not None:
            anchor_committed(engine, anchor)
        if read < BATCH or n == 0:  # all read, or a whole batch refused (tampering: verify says so)
            return chained


def seal_left_over(engine: Engine) -> int:
    """The pass at start-up and on every job runner pass: chain whatever waits (a crash's leftovers, a
    round that failed). A read first, so an empty table costs no write lock."""
    from bluelamp.db.engine import READ_ONLY_OPTION

    pending = table(AuditPending)
    with engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as conn, conn.begin():
        if conn.execute(select(pending.c.id).limit(1)).first() is None:
            return 0
    chained = seal_waiting(engine)
    if chained:
        log.info("audit: %d entries left unchained were chained", chained)
    return chained


class Sealer:
    """Sealing rounds for one engine in this process: one at a time, run by whoever finds none running.

    A committing thread that finds the sealer idle runs a round itself and returns once it is done, so
    a lone writer (a command, a test, a quiet server) has its entries chained by the time its unit of
    work returns. One that finds a round running does not wait: it asks for another round, which the
    process's sealer thread runs as soon as the current one ends, so request threads never queue
    behind each other's sealing and, under load, one round chains everything committed meanwhile.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # The rounds' own connection, kept between rounds (only the thread running a round uses it):
        # a pool checkout and its pre-ping cost a round trip and CPU on every round. Dropped on any
        # error; a round that finds it broken (the server restarted) retries once on a new one.
        self._conn: Connection | None = None
        self._cond = threading.Condition()
        self._busy = False
        self._wanted = False
        self._thread: threading.Thread | None = None

    def after_commit(self) -> None:
        with self._cond:
            if self._busy:
                self._wanted = True
                self._kick()
                return
            self._busy, self._wanted = True, False
        self._round()
        with self._cond:
            self._busy = False
            if self._wanted:
                self._kick()
            self._cond.notify_all()

    def wait_idle(self, timeout: float = WAIT_S) -> bool:
        """Wait until no round is running or asked for (what a reader that must see the whole chain,
        such as a test after concurrent writers, waits for)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy and not self._wanted, timeout=timeout)

    def _round(self) -> None:
        try:
            self._seal()
        except Exception as exc:
            # The change and its entry are committed; the entry waits for the next round, the job
            # runner's pass or the next start-up. Reported by type only (no personal data).
            log.warning("audit entries not chained yet: %s", type(exc).__name__)

    def _seal(self) -> None:
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = self.engine.connect()
            try:
                seal_waiting(self.engine, self._conn)
                return
            except DBAPIError as exc:
                self._drop()
                if attempt == 2 or not exc.connection_invalidated:
                    raise
            except BaseException:
                self._drop()
                raise

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception as exc:  # already broken: nothing to give back
                log.debug("audit sealer connection not closed cleanly: %s", type(exc).__name__)

    def _kick(self) -> None:  # with self._cond held
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="bluelamp-audit-sealer", daemon=True)
            self._thread.start()
        self._cond.notify_all()

    def _loop(self) -> None:
        with self._cond:
            while True:
                while not self._wanted or self._busy:
                    self._cond.wait()
                self._busy, self._wanted = True, False
                self._cond.release()
                try:
                    self._round()
                finally:
                    self._cond.acquire()
                    self._busy = False
                    self._cond.notify_all()


_sealers: dict[int, Sealer] = {}
_sealers_lock = threading.Lock()


def sealer_for(engine: Engine) -> Sealer:
    with _sealers_lock:
        found = _sealers.get(id(engine))
        if found is None or found.engine is not engine:
            found = _sealers[id(engine)] = Sealer(engine)
        return found
