"""The alert table, written only by `bluelamp.alerts.service` (crime and victims call it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, UTCDateTime


class CrimeAlert(Base):
    """An alert raised by the clock sweep: a missed review, a recording clock, a victim's clock.

    `subject_id` is the crime for crime alerts and the clock or victim for victims' alerts; one alert per
    (kind, subject, due time, level), so running the sweep twice raises nothing new.
    """

    __tablename__ = "crime_alert"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "due_at", "level", name="uq_crime_alert_subject"),
        Index("ix_crime_alert_open", "resolved_at", "role", "raised_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # review_missed, recording, right6, contact_update
    subject_id: Mapped[int] = mapped_column(Integer)
    # None for an alert about a call (an abandoned 999 call: telephony), not a crime
    crime_id: Mapped[int | None] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), index=True,
                                                 nullable=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    level: Mapped[int] = mapped_column(Integer)  # 1: due soon or missed; 2: missed or escalated
    role: Mapped[str] = mapped_column(String(24))  # who should act
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
