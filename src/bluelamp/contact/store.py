"""Tables of the contact context: contacts, people, who was in which contact, idempotency keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp.db.base import Base, JSONType, UTCDateTime


class Contact(Base):
    """One contact from any channel, with the triage proposal and the handler's decision."""

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("source", "external_ref", name="uq_contact_source_external_ref"),
        Index("ix_contact_received", "received_at"),
        Index("ix_contact_status", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    agency: Mapped[str] = mapped_column(String(32), default="police")
    source: Mapped[str] = mapped_column(String(32), default="live")  # live, demo, import:decc ...
    external_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    narrative: Mapped[str] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    location_description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    urban: Mapped[bool] = mapped_column(Boolean, default=True)
    area: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # The proposal is exactly what triage returned; grade/route/flags are the decision in force.
    proposal: Mapped[dict[str, Any]] = mapped_column(JSONType)
    grade: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(48))
    flags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    policy_version: Mapped[str] = mapped_column(String(16))
    household: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(24), default="awaiting_decision")
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(120))
    # The people exactly as this contact gave them, with source, time, actor and whether the channel
    # counts as verified (staff on a 999/101 call) or not (online report, chat): {"caller", "people", ...}.
    given: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # The team (control room) of whoever recorded it, at the time: need to know by team (identity/access.py).
    team: Mapped[str | None] = mapped_column(String(48), nullable=True)


class Person(Base):
    """A person known to the force, matched on phone, name with date of birth, or address."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    phone_key: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    dob: Mapped[date | None] = mapped_column(Date, nullable=True)
    address: Mapped[str | None] = mapped_column(String(500), nullable=True)
    address_key: Mapped[str | None] = mapped_column(String(500), nullable=True, index=True)
    markers: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # False while the address is only what an unverified channel gave: the household check of
    # others ignores it, so a stranger cannot plant people at a victim's address.
    address_verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    __table_args__ = (Index("ix_person_name_dob", "name_key", "dob"),)


class PersonDetail(Base):
    """One value of a person's detail (name, phone, dob, address) as some source gave it. Never
    overwritten: the person's current value is the newest verified one."""

    __tablename__ = "person_detail"
    __table_args__ = (Index("ix_person_detail_person", "person_id", "field", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    field: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(40))  # contact:999, contact:online, contact:chat ...
    verified: Mapped[bool] = mapped_column(Boolean)
    contact_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactPerson(Base):
    """A person's part in one contact (caller, victim, suspect, witness, other)."""

    __tablename__ = "contact_person"
    __table_args__ = (Index("ix_contact_person_person", "person_id", "role"),
                      Index("ix_contact_person_phone", "phone_key", "received_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    role: Mapped[str] = mapped_column(String(16))
    is_caller: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)  # copied so repeat checks need no join
    # The phone as given on this contact: repeat callers are counted by it without linking people.
    phone_key: Mapped[str | None] = mapped_column(String(40), nullable=True)


class IdempotencyKey(Base):
    """A client's Idempotency-Key with the request digest and the response first given."""

    __tablename__ = "idempotency_key"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    principal: Mapped[str] = mapped_column(String(120))
    request_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reassessment(Base):
    """A re-THRIVE prompt: a waiting incident whose attend-by passed, or that has waited too long."""

    __tablename__ = "reassessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
