"""Tables of the response context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, JSONType, UTCDateTime


class Incident(Base):
    """Something officers attend, with its attend-by clock and every timestamp of its life."""

    __tablename__ = "incident"
    __table_args__ = (
        UniqueConstraint("source", "external_ref", name="uq_incident_source_external_ref"),
        Index("ix_incident_status", "status", "grade", "attend_by"),
        Index("ix_incident_received", "agency", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), nullable=True, index=True)
    agency: Mapped[str] = mapped_column(String(32), default="police")
    source: Mapped[str] = mapped_column(String(32), default="live")
    external_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    grade: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="awaiting")
    flags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    urban: Mapped[bool] = mapped_column(Boolean, default=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    location_description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    area: Mapped[str | None] = mapped_column(String(64), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attend_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    enroute_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
