"""Tables of the telephony context: call events as received, each call's derived state, imported
hourly reports, and the 101 call-back queue.

Phone numbers are personal data: they are stored here (the call-back needs them) and never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, JSONType, UTCDateTime

OPEN_ITEM = text("status = 'open'")


class CallEvent(Base):
    """One event exactly as the platform sent it; (call_id, event, at) makes a repeat a duplicate."""

    __tablename__ = "tel_call_event"
    __table_args__ = (
        UniqueConstraint("call_id", "event", "at", name="uq_tel_call_event_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(24))
    line: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    handler: Mapped[str | None] = mapped_column(String(120), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_by: Mapped[str] = mapped_column(String(120))


class Call(Base):
    """A call's state, derived again from all its events whenever one arrives (never edited by hand).

    `unoffered`: events arrived but no `offered` event (kept and flagged; left out of the measures).
    `hour` is the UTC hour of the offer, the unit the measures share with imported reports.
    """

    __tablename__ = "tel_call"
    __table_args__ = (
        Index("ix_tel_call_hour", "line", "hour"),
        Index("ix_tel_call_answered_by", "answered_by", "answered_at"),
        Index("ix_tel_call_number", "number_key", "offered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    line: Mapped[str] = mapped_column(String(8))
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hour: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    callback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    wait_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))  # answered, abandoned, callback, waiting
    unoffered: Mapped[bool] = mapped_column(Boolean, default=False)
    conflicts: Mapped[list[str]] = mapped_column(JSONType, default=list)
    number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    number_key: Mapped[str | None] = mapped_column(String(32), nullable=True)
    contact_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    events: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CallHour(Base):
    """One line's hour of an imported answer-time report (`bluelamp import phone`)."""

    __tablename__ = "tel_call_hour"
    __table_args__ = (UniqueConstraint("line", "hour", name="uq_tel_call_hour_line"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line: Mapped[str] = mapped_column(String(8))
    hour: Mapped[datetime] = mapped_column(UTCDateTime)
    offered: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    bands: Mapped[dict[str, int]] = mapped_column(JSONType)  # "10" .. "121" -> calls answered in the band
    source: Mapped[str] = mapped_column(String(120))  # file name and digest
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Callback(Base):
    """A call-back owed to a caller who hung up on 101 or took the call-back offer.

    status: open (waiting or due again), taken (a handler is calling), closed. outcome when closed:
    reached, not_reached (no answer after the last attempt), not_needed. `attempts` keeps each try.
    """

    __tablename__ = "tel_callback"
    __table_args__ = (
        Index("ix_tel_callback_open", "status", "deadline", postgresql_where=OPEN_ITEM, sqlite_where=OPEN_ITEM),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    line: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(24))  # abandoned, callback_requested
    number: Mapped[str] = mapped_column(String(32))
    number_key: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the caller hung up or asked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    priority: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reasons: Mapped[list[str]] = mapped_column(JSONType)
    findings: Mapped[list[str]] = mapped_column(JSONType)
    policy_version: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    taken_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    contact_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)


__all__ = ["CallEvent", "Call", "CallHour", "Callback"]
