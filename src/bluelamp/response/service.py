"""Use cases of the response context."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.response.store import Incident

OPEN_STATUSES = ("awaiting", "dispatched", "en_route", "at_scene")


def open_incident(
    session: Session,
    *,
    contact_id: int,
    grade: int,
    flags: list[str],
    urban: bool,
    received_at: datetime,
    attend_by: datetime | None,
    lat: float | None = None,
    lon: float | None = None,
    location_description: str | None = None,
    area: str | None = None,
    actor: str,
) -> Incident:
    """Create the incident for a contact routed to deploy or appointment, and start its clock."""
    incident = Incident(
        contact_id=contact_id, grade=grade, status="awaiting", flags=list(flags), urban=urban,
        received_at=received_at, attend_by=attend_by, lat=lat, lon=lon,
        location_description=location_description, area=area, agency="police", source="live", extra={},
    )
    session.add(incident)
    session.flush()
    audit.record(session, actor, "incident.opened", "incident", incident.id,
                 after={"contact_id": contact_id, "grade": grade, "attend_by": clock.iso(attend_by)})
    _schedule_rethrive(session, incident)
    return incident


def _schedule_rethrive(session: Session, incident: Incident) -> None:
    from bluelamp.jobs.runner import enqueue
    from bluelamp.policy import load_policy

    rules = load_policy().reassessment
    if incident.attend_by is not None and rules.at_attend_by:
        enqueue(session, "incident.rethrive", {"incident_id": incident.id}, incident.attend_by,
                dedupe_key=f"rethrive:{incident.id}:0")
    elif incident.attend_by is None:
        enqueue(session, "incident.rethrive", {"incident_id": incident.id},
                incident.received_at + timedelta(hours=rules.every_hours), dedupe_key=f"rethrive:{incident.id}:0")


def regrade_for_contact(session: Session, contact_id: int, grade: int, attend_by: datetime | None, actor: str) -> None:
    """Apply the handler's decision to the contact's open incident."""
    incident = session.execute(
        select(Incident).where(Incident.contact_id == contact_id, Incident.status.in_(OPEN_STATUSES))
    ).scalar_one_or_none()
    if incident is None or (incident.grade == grade and incident.attend_by == attend_by):
        return
    before = {"grade": incident.grade, "attend_by": clock.iso(incident.attend_by)}
    incident.grade, incident.attend_by = grade, attend_by
    audit.record(session, actor, "incident.regraded", "incident", incident.id, before=before,
                 after={"grade": grade, "attend_by": clock.iso(attend_by)})


def incident_for_contact(session: Session, contact_id: int) -> Incident | None:
    return session.execute(
        select(Incident).where(Incident.contact_id == contact_id).order_by(Incident.id.desc()).limit(1)
    ).scalar_one_or_none()


def open_incidents(session: Session, limit: int = 500) -> list[Incident]:
    return list(
        session.execute(
            select(Incident).where(Incident.status.in_(OPEN_STATUSES))
            .order_by(Incident.grade, Incident.attend_by.is_(None), Incident.attend_by).limit(limit)
        ).scalars()
    )


def get_incident(session: Session, incident_id: int) -> Incident | None:
    return session.get(Incident, incident_id)


def stand_down_for_contact(session: Session, contact_id: int, reason: str, actor: str) -> None:
    """Close an open incident whose contact no longer needs officers (the decision changed the route)."""
    incident = session.execute(
        select(Incident).where(Incident.contact_id == contact_id, Incident.status.in_(OPEN_STATUSES))
    ).scalar_one_or_none()
    if incident is None:
        return
    before = {"status": incident.status}
    incident.status, incident.closed_at = "closed", clock.now()
    incident.extra = {**(incident.extra or {}), "closure_reason": reason}
    audit.record(session, actor, "incident.stood_down", "incident", incident.id, before=before,
                 after={"status": "closed", "reason": reason})
