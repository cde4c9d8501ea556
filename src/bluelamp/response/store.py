"""Tables of the response context: incidents, units, assignments of units to incidents, regrades."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, JSONType, UTCDateTime


class Incident(Base):
    """Something officers attend, with its attend-by clock and every timestamp of its life.

    `received_at` .. `closed_at` are the first occurrence of each stage (first dispatch, first unit
    en route, first arrival); each unit's own times are on its `Assignment`. Imported CAD rows carry
    the export's times directly (they have no assignments).
    """

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
    # Added in 0002_response.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    call_type: Mapped[str | None] = mapped_column(String(120), nullable=True)
    source_priority: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The grade and attend-by the attendance measure uses, once a regrade has happened (NULL: `grade`
    # and `attend_by`): the highest grade held before the first arrival (issue 13; docs/measures.md).
    measure_grade: Mapped[int | None] = mapped_column(Integer, nullable=True)
    measure_attend_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def measured_grade(self) -> int:
        return self.measure_grade if self.measure_grade is not None else self.grade

    @property
    def measured_attend_by(self) -> datetime | None:
        return self.measure_attend_by if self.measure_grade is not None else self.attend_by


class Unit(Base):
    """A deployable resource: a call sign with its type, skills, status, last position and shift."""

    __tablename__ = "unit"
    __table_args__ = (Index("ix_unit_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(32), unique=True)
    unit_type: Mapped[str] = mapped_column(String(24))  # response_car, neighbourhood, firearms, dog, traffic
    skills: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="available")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    area: Mapped[str | None] = mapped_column(String(64), nullable=True)
    shift_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    shift_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Added in l15a_unit_position_at: when `lat`/`lon` were taken (the AVL fix's own time; NULL: unknown).
    position_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Assignment(Base):
    """One unit sent to one incident: who chose it, what was recommended, and the unit's own times."""

    __tablename__ = "assignment"
    __table_args__ = (Index("ix_assignment_unit", "unit_id", "cleared_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enroute_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    dispatched_by: Mapped[str] = mapped_column(String(120))
    eta_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    recommended_unit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    override_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # stage -> {at, entered_at, by, reason} for a stage time entered late (response/service.py)
    late: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)


class IncidentRegrade(Base):
    """A change of an incident's grade: from, to, why, who, and the supervisor for a downgrade."""

    __tablename__ = "incident_regrade"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(120))
    from_grade: Mapped[int] = mapped_column(Integer)
    to_grade: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class RegradeRequest(Base):
    """A reduction of an incident's response asked for and not yet decided (issue 12 item 8): a downgrade
    (`kind` regrade) or a close without any unit attending (`kind` close, with the close's fields in
    `detail`). The incident keeps its grade, clocks and units until a supervisor other than the requester
    approves it. `status` is pending, approved, refused or withdrawn (an upgrade, an arrival or the
    closing of the incident ends a pending request)."""

    __tablename__ = "incident_regrade_request"
    __table_args__ = (Index("ix_incident_regrade_request_status", "status", "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(120))
    from_grade: Mapped[int] = mapped_column(Integer)
    to_grade: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    reduces: Mapped[list[str]] = mapped_column(JSONType, default=list)  # controls.reduces_response's words
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="regrade", server_default="regrade")
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
