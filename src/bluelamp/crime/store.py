"""Tables of the crime context: crimes, parties, plans, actions, reviews, alerts, bureau tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, JSONType, UTCDateTime

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
    crime_id: Mapped[int] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    level: Mapped[int] = mapped_column(Integer)  # 1: due soon or missed; 2: missed or escalated
    role: Mapped[str] = mapped_column(String(24))  # who should act
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BureauTask(Base):
    """Administrative work for the crime admin bureau, generated by rules, with the officer time it saves."""

    __tablename__ = "bureau_task"
    __table_args__ = (
        Index("ix_bureau_task_queue", "status", "due_at"),
        Index("ix_bureau_task_victim", "victim_id", "kind"),
        Index("ix_bureau_task_saved", "status", "kind", "minutes_saved"),  # hours saved: an index-only scan
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    crime_id: Mapped[int | None] = mapped_column(ForeignKey("crime.id", ondelete="CASCADE"), nullable=True, index=True)
    victim_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clock_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, assigned, done, cancelled
    assigned_to: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    minutes_saved: Mapped[float] = mapped_column(Float, default=0.0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
