"""Tables of the audit trail: the entries and a one-row head that serialises appends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, JSONType, UTCDateTime


class AuditEntry(Base):
    """One change of state: who, what, when, before and after, chained by digest."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    # content may be erased under a retention rule; content_digest keeps the chain verifiable.
    content: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    content_digest: Mapped[str] = mapped_column(String(64))
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The latest sequence number and digest; its row lock serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    digest: Mapped[str] = mapped_column(String(64))
    # Entries from this sequence number on are HMAC-keyed (NULL: all of them); the anchor file
    # repeats it, so moving it to accept forged plain digests is detected.
    keyed_from: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class AuditPending(Base):
    """An entry committed with its change but not yet chained (docs/security.md, "Sealing").

    A business transaction only INSERTs here (no lock shared with other writers); the sealer moves
    entries into `audit_entry` just after the commit, many at a time, in the order of `id`. Not
    partitioned, and no foreign keys: rows live here for milliseconds."""

    __tablename__ = "audit_pending"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    content_digest: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(32))
    mac: Mapped[str] = mapped_column(String(64), unique=True)


class AccessEntry(Base):
    """One read of a personal record: who, when, which record, by which route, from where, and why
    (when a reason was asked). Append-only, and written outside the audit chain's lock."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_record", "kind", "record_id", "id"),
                      Index("ix_access_log_actor", "actor", "at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(64))
    route: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
