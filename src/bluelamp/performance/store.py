"""Tables of the performance context: areas for improvement with their actions, and case-file audits.

The measures themselves have no table: they are computed from the other contexts' records.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, JSONType, UTCDateTime


class ImprovementItem(Base):
    """A cause of concern, recommendation or area for improvement, with owner, due date and status.

    `measures` are the keys of the live measures that evidence progress; `baseline` keeps their values
    over the period before the item was raised, so the progress report shows the trend since then.
    """

    __tablename__ = "perf_improvement"
    __table_args__ = (Index("ix_perf_improvement_status", "status", "due_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # cause_of_concern, recommendation, afi
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")  # e.g. the inspectorate's letter
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("perf_improvement.id"), nullable=True)
    owner: Mapped[str] = mapped_column(String(120))
    raised_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(24), default="awaiting_review")
    measures: Mapped[list[str]] = mapped_column(JSONType, default=list)
    baseline: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ImprovementAction(Base):
    """An action taken against an item: what, who, when due, and when done."""

    __tablename__ = "perf_improvement_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("perf_improvement.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(120))


class CaseAudit(Base):
    """A case-file audit: a seeded random sample of crimes by offence group, and who ran it."""

    __tablename__ = "perf_case_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer)
    per_group: Mapped[int] = mapped_column(Integer)
    groups: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, complete
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(120))


class CaseAuditItem(Base):
    """One checklist item of one sampled crime: what the records say and what the reviewer found."""

    __tablename__ = "perf_case_audit_item"
    __table_args__ = (
        UniqueConstraint("audit_id", "crime_id", "check", name="uq_perf_case_audit_item_check"),
        Index("ix_perf_case_audit_item_audit", "audit_id", "crime_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("perf_case_audit.id", ondelete="CASCADE"))
    crime_id: Mapped[int] = mapped_column(Integer)
    offence_group: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(32))
    check: Mapped[str] = mapped_column(String(48))
    prefilled: Mapped[str] = mapped_column(String(8))  # yes, no, n/a
    evidence: Mapped[str] = mapped_column(Text, default="")
    finding: Mapped[str | None] = mapped_column(String(8), nullable=True)  # the reviewer's yes, no, n/a
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RollupDay(Base):
    """A day (force local time) whose figures of one family are pre-aggregated in `RollupFigure`."""

    __tablename__ = "perf_rollup_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    family: Mapped[str] = mapped_column(String(32), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RollupFigure(Base):
    """One measure's counts for one day, agency, area and channel: a cache of the records, never edited.

    Derived from the records and rebuilt from them at will (`bluelamp.performance.rollup.refresh`), so it
    carries no audit entry of its own.
    """

    __tablename__ = "perf_rollup_figure"
    __table_args__ = (Index("ix_perf_rollup_figure_day", "family", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    family: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str] = mapped_column(String(32))
    area: Mapped[str] = mapped_column(String(64))  # "" when the record has none
    channel: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(48))
    num: Mapped[float] = mapped_column(Float)
    den: Mapped[int] = mapped_column(Integer)
