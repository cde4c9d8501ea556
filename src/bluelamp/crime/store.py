"""Tables of the crime context: crimes, parties, plans, actions, reviews and the reviews that fall due."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.alerts.store import CrimeAlert
from bluelamp.bureau.store import BureauTask
from bluelamp.db.base import Base, JSONType, UTCDateTime

# Alerts and bureau tasks are their own small parts (bluelamp.alerts, bluelamp.bureau), each table
# written by its own service; the tables are re-exported here for code that imports them from crime.

OPEN_SQL = text("status <> 'closed'")


class Crime(Base):
    """A recorded crime: where it came from, its offence, the NCRS clock, risk, review schedule, outcome."""

    __tablename__ = "crime"
    __table_args__ = (
        Index("ix_crime_oic", "oic", "status"),
        Index("ix_crime_review_due", "next_review_due_at", postgresql_where=OPEN_SQL, sqlite_where=OPEN_SQL),
        Index("ix_crime_recording_due", "record_due_at", postgresql_where=text("recorded_at IS NULL"),
              sqlite_where=text("recorded_at IS NULL")),
        Index("ix_crime_status", "status", "reported_at"),
        Index("ix_crime_team", "team", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), nullable=True, index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), nullable=True, index=True)
    source: Mapped[str] = mapped_column(String(32), default="live")
    offence: Mapped[str] = mapped_column(String(64))
    offence_group: Mapped[str] = mapped_column(String(64))
    most_serious: Mapped[bool] = mapped_column(Boolean, default=False)
    domestic: Mapped[bool] = mapped_column(Boolean, default=False)
    hate: Mapped[bool] = mapped_column(Boolean, default=False)  # a hate crime (enhanced rights)
    summary: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    record_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A restarted recording clock keeps the original (from the contact or incident) and the reason.
    original_record_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recording_restart_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recorded_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    oic: Mapped[str] = mapped_column(String(120))  # officer in charge (username)
    team: Mapped[str | None] = mapped_column(String(48), nullable=True)  # the OIC's team when assigned
    risk: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="open")
    next_review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    plan_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    plan_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # report + plan_within_hours
    first_plan_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # the first plan saved
    outcome: Mapped[str | None] = mapped_column(String(8), nullable=True)
    outcome_evidence: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    closure_requested_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    closure_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    policy_version: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrimeParty(Base):
    """A victim, suspect or witness in a crime (optionally the matched person)."""

    __tablename__ = "crime_party"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True, index=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    dob: Mapped[date | None] = mapped_column(Date, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    __table_args__ = (Index("ix_crime_party_name", "name_key", "dob"),)


class InvestigationPlan(Base):
    """The crime's investigation plan: its elements, score and the reasons points were lost."""

    __tablename__ = "investigation_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), unique=True)
    elements: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    policy_version: Mapped[str] = mapped_column(String(16))


class InvestigationAction(Base):
    """An action recorded against an element of the plan, with when it is due and when it was done."""

    __tablename__ = "investigation_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), index=True)
    element: Mapped[str] = mapped_column(String(48))
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)


class SupervisoryReview(Base):
    """A supervisor's review of a crime: written direction, risk, the plan score seen, next review due."""

    __tablename__ = "supervisory_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(120))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    direction: Mapped[str] = mapped_column(Text)
    risk: Mapped[str] = mapped_column(String(8))
    plan_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    was_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    next_due_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewDue(Base):
    """A supervisory review that falls due: one row per due time, met by the review that answered it.

    Written whenever a crime's next review is set; a review done closes the open row (`review_id`,
    `done_at`); closing the crime cancels a row not yet due, and leaves an overdue one missed. The
    measure `reviews_on_time` counts these rows once due, so a review never done is a missed review.
    """

    __tablename__ = "review_due"
    __table_args__ = (Index("ix_review_due_due", "due_at"), Index("ix_review_due_open", "crime_id", "done_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    risk: Mapped[str] = mapped_column(String(8))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)  # the crime closed before it fell due


__all__ = ["Crime", "CrimeParty", "InvestigationPlan", "InvestigationAction", "SupervisoryReview", "ReviewDue",
           "CrimeAlert", "BureauTask"]
