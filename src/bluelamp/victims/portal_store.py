"""Tables of the victim's own page (/my-case): access codes, victims' sessions, sign-in attempts, the
online setting of a crime and which updates a victim has read online."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, UTCDateTime


class VictimAccessCode(Base):
    """A victim's access code: only its argon2 hash is kept; it expires and can be revoked."""

    __tablename__ = "victim_access_code"
    __table_args__ = (Index("ix_victim_access_code_crime", "crime_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id", ondelete="CASCADE"), index=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PortalSession(Base):
    """A victim signed in to /my-case: only the SHA-256 of the cookie's secret is stored."""

    __tablename__ = "portal_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("victim_access_code.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PortalAttempt(Base):
    """One sign-in attempt: the reference and address as keyed digests (no personal data), the crime only
    when the code was right. Wrong codes are counted from here (throttling across server processes)."""

    __tablename__ = "portal_attempt"
    __table_args__ = (Index("ix_portal_attempt_ref", "ref_digest", "at"),
                      Index("ix_portal_attempt_addr", "addr_digest", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ref_digest: Mapped[str] = mapped_column(String(32))
    addr_digest: Mapped[str] = mapped_column(String(32))
    ok: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(16))  # signed_in, wrong_code, throttled, hidden


class CrimeOnline(Base):
    """Victim care's decision on showing a crime online: marked sensitive, or enabled despite the facts."""

    __tablename__ = "crime_online"

    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), primary_key=True)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)  # marked sensitive by victim care
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)    # shown online although sensitive
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class PortalUpdateRead(Base):
    """An update the victim has seen on their page (first time only): the measure of updates read online."""

    __tablename__ = "portal_update_read"

    update_id: Mapped[int] = mapped_column(ForeignKey("victim_update.id", ondelete="CASCADE"), primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id", ondelete="CASCADE"), index=True)
    first_read_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
