"""Append to and verify the audit trail."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit.model import GENESIS, canonical, content_digest, entry_digest, pending_mac
from bluelamp.audit.store import AuditEntry, AuditHead, AuditPending
from bluelamp.config import get_settings
from bluelamp.db.base import table

log = logging.getLogger("bluelamp.audit")


def audit_key() -> bytes:
    """The chain's HMAC key: BLUELAMP_AUDIT_KEY, else derived from BLUELAMP_SECRET_KEY. Either way it
    lives outside the database, so write access to the tables alone cannot recompute the chain."""
    import hmac as _hmac

    settings = get_settings()
    if settings.audit_key:
        return settings.audit_key.encode()
    return _hmac.new(settings.resolved_secret_key().encode(), b"bluelamp audit chain v1", hashlib.sha256).digest()


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record one change of state in the caller's transaction; it commits or rolls back with it.

    Entries are written when the transaction commits (`flush_pending`), unchained, and chained by the
    sealer just after the commit (`audit/sealer.py`).
    """
    content = {"before": before, "after": after}
    pending = session.info.setdefault("audit_pending", [])
    pending.append((clock.now(), actor, action, entity, str(entity_id), content))


def flush_pending(session: Session) -> None:
    """Write the transaction's entries to `audit_pending`, in order, in one INSERT.

    Nothing here is shared with other writers (no head row, no lock beyond the new rows), so audited
    transactions commit in parallel; each entry commits atomically with its change, and carries a MAC
    with the audit key so that only entries written by bluelamp are ever chained.
    """
    rows = take_pending_rows(session)
    if rows:
        # A Core statement on the table, compiled once: this runs in every audited transaction, and the
        # ORM's bulk layer costs more CPU than the statement (measured: benchmarks/bench_contacts_api.py).
        session.execute(insert(table(AuditPending)), rows)


def take_pending_rows(session: Session) -> list[dict[str, Any]]:
    """The transaction's entries as `audit_pending` rows (each with its MAC), in order, taken from the
    session: the caller writes them in this transaction (`flush_pending`, or a closing statement of its
    own: contact/write.py), and the sealer chains them once it has committed."""
    pending = session.info.pop("audit_pending", None)
    if not pending:
        return []
    key = _key_cached()
    rows = []
    for at, actor, action, entity, eid, content in pending:
        cdig = content_digest(content)
        nonce = secrets.token_hex(16)
        rows.append({"at": at, "actor": actor, "action": action, "entity": entity, "entity_id": eid,
                     "content": content, "content_digest": cdig, "nonce": nonce,
                     "mac": pending_mac(nonce, at, actor, action, entity, eid, cdig, key)})
    session.info["audit_written"] = True
    return rows


def seal_due(session: Session) -> None:
    """after_commit: this transaction wrote entries, so they are to be chained once it has ended."""
    if session.info.pop("audit_written", False):
        session.info["audit_seal_due"] = True


def seal_after_commit(session: Session, transaction: Any) -> None:
    """after_transaction_end: the connection is back in the pool; chain what was just committed."""
    if transaction.parent is None and session.info.pop("audit_seal_due", False):
        from bluelamp.audit.sealer import sealer_for

        sealer_for(session.get_bind().engine).after_commit()


def _anchored_seq(path: Path) -> int:
    """The entry the anchor file names (0 when there is none yet)."""
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


_KEY: dict[int, bytes] = {}


def _key_cached() -> bytes:
    """The key for the settings in force (computed once per settings object)."""
    settings = get_settings()
    key = _KEY.get(id(settings))
    if key is None:
        key = _KEY[id(settings)] = audit_key()
    return key


def anchor_path_for(url: str) -> Path:
    """One anchor file per database, under var/."""
    var_dir = get_settings().var_dir
    if var_dir.is_absolute():  # a relative one follows the working directory: resolved each time
        return _anchor_path(url, var_dir)
    return _anchor_path.__wrapped__(url, var_dir)


@lru_cache(maxsize=64)
def _anchor_path(url: str, var_dir: Path) -> Path:
    # Cached: every sealing round asks, and resolving the folder costs system calls each time.
    name = hashlib.sha256(url.encode()).hexdigest()[:12]
    return var_dir.resolve() / f"audit-{name}.anchor"


def write_anchor(seq: int, digest: str, path: Path, still_holds: Any = None, keyed_from: int = 1) -> bool:
    """Keep the newest digest outside the table, so removing entries from the end is detected.

    Before the anchor moves on, the entry it names must still be in the chain unchanged
    (`still_holds(seq, digest)`); if it is not, the chain was rewritten: the anchor stays where it is
    (so `audit verify` keeps failing), an alarm file is written beside it and the log says so.

    Several threads and server processes commit at once: a lock file serialises the
    read-compare-replace, so the anchor only ever moves forward. Returns whether it moved.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = path.read_text().split()
            if current and int(current[0]) >= seq:
                return False
        except (FileNotFoundError, ValueError):
            current = []
        if current and still_holds is not None and not still_holds(int(current[0]), current[1]):
            log.critical("audit chain rewritten: anchored entry %s no longer matches; anchor kept", current[0])
            alarm = path.with_suffix(".alarm")
            alarm.write_text(f"{clock.iso(clock.now())} anchored entry {current[0]} no longer matches its digest\n")
            return False
        tmp = path.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(f"{seq} {digest} {keyed_from}\n")
        os.replace(tmp, path)
        return True


def _holds(engine: Any) -> Any:
    from bluelamp.db.engine import READ_ONLY_OPTION

    def check(seq: int, digest: str) -> bool:
        with engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as conn:
            found = conn.execute(select(AuditEntry.digest).where(AuditEntry.seq == seq)).scalar_one_or_none()
        return found == digest

    return check


def anchor_committed(engine: Any, anchoring: tuple[int, str, int, int, Any]) -> None:
    """Move the anchor to a sealing transaction's last entry, once that transaction has committed."""
    seq, digest, keyed_from, seen_seq, seen_digest = anchoring
    fresh = _holds(engine)

    def holds(anchored: int, anchored_digest: str) -> bool:
        # The entry the anchor named when the batch was sealed was read then, under the head lock (a
        # missing entry reads None: it does not hold); if the anchor has moved on since, the entry it
        # names now is read afresh.
        return seen_digest == anchored_digest if anchored == seen_seq else fresh(anchored, anchored_digest)

    path = anchor_path_for(str(engine.url))
    with _wanted_lock:
        best = _wanted.get(path)
        if best is None or seq > best[0]:
            _wanted[path] = (seq, digest, keyed_from, holds)
    _drain_anchor(path)


# One thread of a process replaces the anchor file at a time (a rename costs milliseconds here); a
# commit that finds one at work leaves its entry to it, and the writer goes on until nothing newer
# is wanted. A burst of commits then costs one replace of the file, not one each, and the anchor
# still reaches the newest committed entry before the writer stops.
_wanted_lock = threading.Lock()
_anchoring = threading.Lock()
_wanted: dict[Path, tuple[int, str, int, Any]] = {}


def _drain_anchor(path: Path) -> None:
    while _anchoring.acquire(blocking=False):
        try:
            while True:
                with _wanted_lock:
                    item = _wanted.pop(path, None)
                if item is None:
                    break
                seq, digest, keyed_from, holds = item
                try:
                    write_anchor(seq, digest, path, holds, keyed_from)
                except OSError as exc:
                    # The change is committed; a lagging anchor only weakens the end-of-chain check
                    # until the next commit moves it on, so report and carry on.
                    log.warning("audit anchor not updated: %s", type(exc).__name__)
        finally:
            _anchoring.release()
        with _wanted_lock:
            if path not in _wanted:  # else it came in as the writer stopped: go round again
                return


def forget_pending(session: Session) -> None:
    session.info.pop("audit_pending", None)
    session.info.pop("audit_written", None)
    session.info.pop("audit_seal_due", None)


@dataclass
class VerifyResult:
    """What `bluelamp audit verify` found."""

    entries: int = 0
    head_seq: int = 0
    problems: list[str] = field(default_factory=list)
    unsealed: int = 0  # committed entries still waiting to be chained (checked by their MAC)
    oldest_unsealed_s: float | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


# An entry is chained within milliseconds of its commit, and a crash's leftovers at the next start or job
# runner pass (every few seconds): one still waiting after this long means the sealer is not running.
UNSEALED_ALARM_S = 300.0


def verify(session: Session, anchor_path: Path | None = None,
           unsealed_alarm_s: float = UNSEALED_ALARM_S) -> VerifyResult:
    """Walk the chain: every digest recomputed, every link checked, the end checked against the anchor;
    then the entries committed but not chained yet: each one's MAC checked, counted, and a problem if
    any has waited longer than `unsealed_alarm_s`."""
    flush_pending(session)
    result = VerifyResult()
    prev = GENESIS
    expected_seq = 1
    head = session.get(AuditHead, 1)
    keyed_from = (head.keyed_from if head is not None else None) or 1
    key = _key_cached()
    nulled: list[int] = []
    erased: set[int] = set()
    stream = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in stream.yield_per(2000):
        result.entries += 1
        if entry.seq != expected_seq:
            result.problems.append(f"entry {expected_seq} is missing (next found is {entry.seq})")
        if entry.prev_digest != prev:
            result.problems.append(f"entry {entry.seq}: link to the previous entry is broken")
        if entry.content is not None and content_digest(entry.content) != entry.content_digest:
            result.problems.append(f"entry {entry.seq}: content was changed")
        if entry.content is None:
            nulled.append(entry.seq)
        if entry.action == "audit.content_erased" and entry.entity == "audit_entry" and entry.entity_id.isdigit():
            erased.add(int(entry.entity_id))
        recomputed = entry_digest(
            entry.seq, entry.prev_digest, entry.at, entry.actor, entry.action, entry.entity,
            entry.entity_id, entry.content_digest, key if entry.seq >= keyed_from else None,
        )
        if recomputed != entry.digest:
            result.problems.append(f"entry {entry.seq}: digest does not match its fields")
        prev = entry.digest
        expected_seq = entry.seq + 1
        result.head_seq = entry.seq
    erased |= _verify_waiting(session, result, unsealed_alarm_s)
    for seq in nulled:
        if seq not in erased:
            result.problems.append(f"entry {seq}: content is missing and no erasure entry names it")
    if head is not None and (head.seq != result.head_seq or head.digest != prev):
        result.problems.append(f"audit head says entry {head.seq} but the chain ends at {result.head_seq}")
    path = anchor_path or anchor_path_for(str(session.get_bind().engine.url))
    if path.exists():
        try:
            fields = path.read_text().split()
            a_seq_s, a_digest = fields[0], fields[1]
            a_seq = int(a_seq_s)
            a_keyed = int(fields[2]) if len(fields) > 2 else None
        except (ValueError, IndexError):
            result.problems.append(f"anchor file {path} is unreadable")
        else:
            if a_keyed is not None and a_keyed != keyed_from:
                result.problems.append(f"the chain says it is keyed from entry {keyed_from}, the anchor says {a_keyed}")
            if a_seq > result.head_seq:
                result.problems.append(
                    f"entries removed from the end: the anchor records entry {a_seq}, "
                    f"the chain ends at {result.head_seq}"
                )
            else:
                found = session.get(AuditEntry, a_seq)
                if found is None or found.digest != a_digest:
                    result.problems.append(f"entry {a_seq} does not match the anchored digest")
    elif result.entries:
        result.problems.append(f"no anchor file at {path}: cannot check the end of the chain")
    alarm = path.with_suffix(".alarm")
    if alarm.exists():
        result.problems.append(f"alarm raised: {alarm.read_text().strip()}")
    return result


def _verify_waiting(session: Session, result: VerifyResult, alarm_s: float) -> set[int]:
    """Check the entries waiting to be chained; returns the entries their valid erasures name."""
    from bluelamp.audit.sealer import pending_ok

    erased: set[int] = set()
    key = _key_cached()
    now = clock.now()
    oldest = None
    for w in session.execute(select(table(AuditPending)).order_by(AuditPending.id)).all():
        result.unsealed += 1
        if not pending_ok(w, key):
            what = "content is missing" if w.content is None else "it fails its MAC or content digest"
            result.problems.append(f"waiting entry {w.id} (not chained yet): {what}: forged or edited")
        elif w.action == "audit.content_erased" and w.entity == "audit_entry" and w.entity_id.isdigit():
            erased.add(int(w.entity_id))
        oldest = w.at if oldest is None else min(oldest, w.at)
    if oldest is not None:
        result.oldest_unsealed_s = max(0.0, (now - oldest).total_seconds())
        if result.oldest_unsealed_s > alarm_s:
            result.problems.append(
                f"{result.unsealed} committed entries not chained, the oldest for "
                f"{result.oldest_unsealed_s:.0f} s: the sealer is not running (bluelamp jobs run seals them)")
    return erased


def erase_content(session: Session, seq: int, actor: str, reason: str) -> None:
    """Erase one entry's content under a retention rule; its digest still chains."""
    entry = session.get(AuditEntry, seq)
    if entry is None:
        raise LookupError(f"audit entry {seq} does not exist")
    session.execute(text("UPDATE audit_entry SET content = NULL WHERE seq = :s"), {"s": seq})
    record(session, actor, "audit.content_erased", "audit_entry", seq, after={"reason": reason})


def trail(session: Session, entity: str, entity_id: object) -> list[AuditEntry | AuditPending]:
    """A record's entries, oldest first: the chained ones, then any committed but not chained yet
    (an `AuditPending` has the same fields but no `seq` or `digest`)."""
    flush_pending(session)
    sealed: list[AuditEntry | AuditPending] = list(
        session.execute(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.seq)
        ).scalars()
    )
    return sealed + list(session.execute(
        select(AuditPending).where(AuditPending.entity == entity, AuditPending.entity_id == str(entity_id))
        .order_by(AuditPending.id)).scalars())


__all__ = ["record", "verify", "trail", "anchor_committed", "write_anchor", "canonical"]
