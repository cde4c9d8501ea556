"""Append to and verify the audit trail."""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit.model import GENESIS, canonical, content_digest, entry_digest
from bluelamp.audit.store import AuditEntry, AuditHead
from bluelamp.config import get_settings

log = logging.getLogger("bluelamp.audit")


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

    Entries are appended to the chain when the transaction commits (`flush_pending`), so the
    chain's lock is held only for the commit itself, not for the rest of the use case.
    """
    content = {"before": before, "after": after}
    pending = session.info.setdefault("audit_pending", [])
    pending.append((clock.now(), actor, action, entity, str(entity_id), content))


def flush_pending(session: Session) -> None:
    """Append the transaction's pending entries to the chain, in order, in one go.

    The UPDATE on the head row takes a row lock on PostgreSQL (and the write lock on SQLite), so
    concurrent transactions append one after another and the chain never forks.
    """
    pending = session.info.pop("audit_pending", None)
    if not pending:
        return
    row = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + len(pending))
        .returning(AuditHead.seq, AuditHead.digest)
    ).one()
    last_seq, prev = int(row[0]), str(row[1])
    seq = last_seq - len(pending)
    rows = []
    for at, actor, action, entity, eid, content in pending:
        seq += 1
        cdig = content_digest(content)
        digest = entry_digest(seq, prev, at, actor, action, entity, eid, cdig)
        rows.append({"seq": seq, "at": at, "actor": actor, "action": action, "entity": entity,
                     "entity_id": eid, "content": content, "content_digest": cdig, "prev_digest": prev,
                     "digest": digest})
        prev = digest
    session.execute(insert(AuditEntry), rows)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(digest=prev))
    session.info.setdefault("audit_anchor", []).append((last_seq, prev))


def anchor_path_for(url: str) -> Path:
    """One anchor file per database, under var/."""
    name = hashlib.sha256(url.encode()).hexdigest()[:12]
    return get_settings().var_dir.resolve() / f"audit-{name}.anchor"


def write_anchor(seq: int, digest: str, path: Path) -> None:
    """Keep the newest digest outside the table, so removing entries from the end is detected.

    Several threads and server processes commit at once: a lock file serialises the
    read-compare-replace, so the anchor only ever moves forward.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = path.read_text().split()
            if current and int(current[0]) >= seq:
                return
        except (FileNotFoundError, ValueError):
            pass
        tmp = path.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
        tmp.write_text(f"{seq} {digest}\n")
        os.replace(tmp, path)


def anchor_after_commit(session: Session) -> None:
    pending = session.info.pop("audit_anchor", [])
    if pending:
        seq, digest = max(pending)
        try:
            write_anchor(seq, digest, anchor_path_for(str(session.get_bind().engine.url)))
        except OSError as exc:
            # The change is committed; a lagging anchor only weakens the end-of-chain check until
            # the next commit moves it on, so report and carry on.
            log.warning("audit anchor not updated: %s", type(exc).__name__)


def forget_pending(session: Session) -> None:
    session.info.pop("audit_anchor", None)
    session.info.pop("audit_pending", None)


@dataclass
class VerifyResult:
    """What `bluelamp audit verify` found."""

    entries: int = 0
    head_seq: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, anchor_path: Path | None = None) -> VerifyResult:
    """Walk the chain: every digest recomputed, every link checked, the end checked against the anchor."""
    flush_pending(session)
    result = VerifyResult()
    prev = GENESIS
    expected_seq = 1
    stream = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in stream.yield_per(2000):
        result.entries += 1
        if entry.seq != expected_seq:
            result.problems.append(f"entry {expected_seq} is missing (next found is {entry.seq})")
        if entry.prev_digest != prev:
            result.problems.append(f"entry {entry.seq}: link to the previous entry is broken")
        if entry.content is not None and content_digest(entry.content) != entry.content_digest:
            result.problems.append(f"entry {entry.seq}: content was changed")
        recomputed = entry_digest(
            entry.seq, entry.prev_digest, entry.at, entry.actor, entry.action, entry.entity,
            entry.entity_id, entry.content_digest,
        )
        if recomputed != entry.digest:
            result.problems.append(f"entry {entry.seq}: digest does not match its fields")
        prev = entry.digest
        expected_seq = entry.seq + 1
        result.head_seq = entry.seq
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != result.head_seq or head.digest != prev):
        result.problems.append(f"audit head says entry {head.seq} but the chain ends at {result.head_seq}")
    path = anchor_path or anchor_path_for(str(session.get_bind().engine.url))
    if path.exists():
        try:
            a_seq_s, a_digest = path.read_text().split()
            a_seq = int(a_seq_s)
        except ValueError:
            result.problems.append(f"anchor file {path} is unreadable")
        else:
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
    return result


def erase_content(session: Session, seq: int, actor: str, reason: str) -> None:
    """Erase one entry's content under a retention rule; its digest still chains."""
    entry = session.get(AuditEntry, seq)
    if entry is None:
        raise LookupError(f"audit entry {seq} does not exist")
    session.execute(text("UPDATE audit_entry SET content = NULL WHERE seq = :s"), {"s": seq})
    record(session, actor, "audit.content_erased", "audit_entry", seq, after={"reason": reason})


def trail(session: Session, entity: str, entity_id: object) -> list[AuditEntry]:
    flush_pending(session)
    return list(
        session.execute(
            select(AuditEntry)
            .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
            .order_by(AuditEntry.seq)
        ).scalars()
    )


__all__ = ["record", "verify", "trail", "anchor_after_commit", "write_anchor", "canonical"]
