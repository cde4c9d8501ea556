"""Tables of the victims context: victims, their Right 6 clocks, updates, referrals, DASH and MARAC."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, JSONType, UTCDateTime

OPEN_CLOCK = text("status = 'open'")
ACTIVE = text("active")


class Victim(Base):
    """A victim of a crime: the 12-rights checklist, needs, enhanced rights and the agreed contact plan."""

    __tablename__ = "victim"
    __table_args__ = (
        Index("ix_victim_update_due", "next_update_due_at", postgresql_where=ACTIVE, sqlite_where=ACTIVE),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("crime_party.id", ondelete="CASCADE"), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false once the crime closes
    enhanced: Mapped[bool] = mapped_column(Boolean, default=False)
    enhanced_reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)  # the categories
    # Why: [{category, why, source}] (source: offence, crime, age, needs, repeat, assessment, override).
    enhanced_basis: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)
    # Victim care's override: {enhanced, reason, by, at}; it holds until changed.
    enhanced_override: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    rights: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # "1".."12" -> {at, by, note}
    needs: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    needs_assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    contact_method: Mapped[str | None] = mapped_column(String(16), nullable=True)
    contact_every_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    contact_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_update_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    vps_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    vps_accepted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Right6Clock(Base):
    """A Victims' Code Right 6 clock: an event in the case the victim must be told about by `due_at`."""

    __tablename__ = "right6_clock"
    __table_args__ = (
        Index("ix_right6_clock_due", "due_at", postgresql_where=OPEN_CLOCK, sqlite_where=OPEN_CLOCK),
        Index("ix_right6_clock_warn", "warn_at", postgresql_where=text("status = 'open' AND warned_at IS NULL"),
              sqlite_where=text("status = 'open' AND warned_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id", ondelete="CASCADE"), index=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    event_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enhanced: Mapped[bool] = mapped_column(Boolean, default=False)
    working_days: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open, met, missed, met_late
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(120))


class VictimUpdate(Base):
    """An update given to a victim (how, when, by whom), which meets the clocks open at the time."""

    __tablename__ = "victim_update"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    clocks_met: Mapped[list[int]] = mapped_column(JSONType, default=list)


class VictimReferral(Base):
    """A referral of a victim to a support service (Right 4), with consent."""

    __tablename__ = "victim_referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id", ondelete="CASCADE"), index=True)
    service: Mapped[str] = mapped_column(String(40))
    consent: Mapped[bool] = mapped_column(Boolean)
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class DashAssessment(Base):
    """A completed DASH checklist with its actuarial and final levels and why."""

    __tablename__ = "dash_assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id", ondelete="CASCADE"), index=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), index=True)
    dash_version: Mapped[str] = mapped_column(String(40))
    policy_version: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType)
    yes_count: Mapped[int] = mapped_column(Integer)
    actuarial: Mapped[str] = mapped_column(String(12))
    judgement: Mapped[str | None] = mapped_column(String(12), nullable=True)
    judgement_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    incidents_in_window: Mapped[int] = mapped_column(Integer)
    escalation: Mapped[bool] = mapped_column(Boolean)
    level: Mapped[str] = mapped_column(String(12))
    marac: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(120))


class MaracReferral(Base):
    """A referral to the multi-agency risk assessment conference, from a DASH assessment."""

    __tablename__ = "marac_referral"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dash_id: Mapped[int] = mapped_column(ForeignKey("dash_assessment.id", ondelete="CASCADE"), unique=True)
    victim_id: Mapped[int] = mapped_column(ForeignKey("victim.id", ondelete="CASCADE"), index=True)
    criteria: Mapped[list[str]] = mapped_column(JSONType)  # high_risk, escalation, professional_judgement
    status: Mapped[str] = mapped_column(String(16), default="to_submit")  # to_submit, submitted, heard
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(120))
    meeting_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
