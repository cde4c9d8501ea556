"""Use cases of the response context: open, dispatch, arrive, clear, close and regrade incidents.

Every function changes state inside the caller's transaction and writes one audit entry per change.
Units (creating them, their status, the recommendation) are in `bluelamp.response.units`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.db.attach import insert_attached
from bluelamp.identity.model import Principal
from bluelamp.policy import controls
from bluelamp.response import model
from bluelamp.response.model import OPEN_STATUSES, ResponseError
from bluelamp.response.store import Assignment, Incident, IncidentRegrade, Unit

__all__ = ["OPEN_STATUSES", "ResponseError"]
DISPATCHERS = ("dispatcher", "supervisor")


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
    source: str = "live",
) -> Incident:
    """Create the incident for a contact routed to deploy or appointment, and start its clock."""
    incident = new_incident(contact_id=contact_id, grade=grade, flags=flags, urban=urban, received_at=received_at,
                            attend_by=attend_by, lat=lat, lon=lon, location_description=location_description,
                            area=area, source=source)
    insert_attached(session, incident)  # one INSERT ... RETURNING, no unit of work (db/attach.py)
    incident_opened(session, incident, actor)
    return incident


def new_incident(*, contact_id: int | None, grade: int, flags: list[str], urban: bool, received_at: datetime,
                 attend_by: datetime | None, lat: float | None = None, lon: float | None = None,
                 location_description: str | None = None, area: str | None = None,
                 source: str = "live") -> Incident:
    """The incident `open_incident` inserts, not yet stored (recording a contact inserts it together
    with the contact's rows, contact/store.py; `incident_opened` follows once it has its id)."""
    return Incident(
        contact_id=contact_id, grade=grade, status="awaiting", flags=list(flags), urban=urban,
        received_at=received_at, attend_by=attend_by, lat=lat, lon=lon,
        location_description=location_description, area=area, agency="police", source=source, extra={},
    )


def incident_opened(session: Session, incident: Incident, actor: str, defer_prompt: bool = False) -> None:
    """What follows a new incident's insert: its audit entry and its first re-THRIVE prompt
    (`defer_prompt`: held for the caller's closing statement, jobs.runner.enqueue_once)."""
    audit.record(session, actor, "incident.opened", "incident", incident.id,
                 after={"contact_id": incident.contact_id, "grade": incident.grade,
                        "attend_by": clock.iso(incident.attend_by)})
    _schedule_rethrive(session, incident, new=True, defer=defer_prompt)


def _schedule_rethrive(session: Session, incident: Incident, new: bool = False, defer: bool = False) -> None:
    from functools import partial

    from bluelamp.jobs.runner import enqueue, enqueue_once
    from bluelamp.policy import load_policy

    # A new incident (a contact being recorded) queues its prompt in one statement.
    put: Any = partial(enqueue_once, defer=defer) if new else enqueue
    rules = load_policy().reassessment
    if incident.attend_by is not None and rules.at_attend_by:
        put(session, "incident.rethrive", {"incident_id": incident.id}, incident.attend_by,
            dedupe_key=f"rethrive:{incident.id}:0")
    elif incident.attend_by is None:
        put(session, "incident.rethrive", {"incident_id": incident.id},
            incident.received_at + timedelta(hours=rules.every_hours), dedupe_key=f"rethrive:{incident.id}:0")


def _reschedule_rethrive(session: Session, incident: Incident) -> None:
    """The re-THRIVE prompt follows the attend-by: after a regrade the waiting prompt moves to the new
    attend-by (at once when that has already passed; for an incident without one, the policy interval)."""
    from bluelamp.jobs.store import Job
    from bluelamp.policy import load_policy

    now = clock.now()
    target = (incident.attend_by if incident.attend_by is not None
              else incident.received_at + timedelta(hours=load_policy().reassessment.every_hours))
    pending = session.execute(select(Job).where(
        Job.kind == "incident.rethrive", Job.status == "queued",
        Job.dedupe_key.like(f"rethrive:{incident.id}:%"))).scalars().all()
    for job in pending:
        job.run_at = max(clock.as_utc(target), now)
    if not pending:
        _schedule_rethrive(session, incident)


def regrade_for_contact(session: Session, contact_id: int, grade: int, attend_by: datetime | None, actor: str) -> None:
    """Apply the handler's decision to the contact's open incident."""
    incident = session.execute(
        select(Incident).where(Incident.contact_id == contact_id, Incident.status.in_(OPEN_STATUSES))
    ).scalar_one_or_none()
    if incident is None or (incident.grade == grade and incident.attend_by == attend_by):
        return
    before = {"grade": incident.grade, "attend_by": clock.iso(incident.attend_by)}
    if incident.arrived_at is not None:
        _hold_measure(incident, grade, attend_by)  # after arrival the decision no longer moves the measure
    elif incident.measure_grade is not None:
        incident.measure_grade, incident.measure_attend_by = grade, attend_by  # the call's decided grade
    incident.grade, incident.attend_by = grade, attend_by
    _reschedule_rethrive(session, incident)
    audit.record(session, actor, "incident.regraded", "incident", incident.id, before=before,
                 after={"grade": grade, "attend_by": clock.iso(attend_by)})


def _hold_measure(incident: Incident, grade: int, attend_by: datetime | None) -> None:
    """Before a regrade: the attendance measure keeps the highest grade held before the first arrival
    (and that grade's attend-by). An upgrade before arrival raises it; nothing after arrival moves it."""
    if incident.measure_grade is None:
        incident.measure_grade, incident.measure_attend_by = incident.grade, incident.attend_by
    if incident.arrived_at is None and grade < incident.measure_grade:
        incident.measure_grade, incident.measure_attend_by = grade, attend_by


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


def stand_down_for_contact(session: Session, contact_id: int, reason: str, actor: str,
                           approved_by: str | None = None, requested_by: str | None = None) -> None:
    """Close an open incident whose contact no longer needs officers (the decision changed the route).
    Standing down a grade 1 or 2 incident before any arrival is a close without attendance: unless a
    second person already approved the decision (`approved_by`, not its requester: the contact's
    two-person downgrade), it waits for a supervisor who is not the requester (`requested_by`, else
    `actor`; response/regrades.py), the incident still open."""
    incident = session.execute(
        select(Incident).where(Incident.contact_id == contact_id, Incident.status.in_(OPEN_STATUSES))
    ).scalar_one_or_none()
    if incident is None:
        return
    from bluelamp.response import regrades

    reduced = unattended_close_reduces(incident) if incident.grade in STAND_DOWN_NEEDS_SECOND else []
    asker = requested_by or actor
    if reduced and not (approved_by and approved_by != asker):
        waiting = regrades.pending_for(session, incident.id)
        if waiting is None or waiting.kind != "close":
            regrades.request_close(session, incident, {"at": None, "disposition": "stood down",
                                                       "disposition_code": None, "reason": reason},
                                   reduced, asker)
        return
    regrades.withdraw_pending(session, incident, "stood down", actor)
    before = {"status": incident.status}
    now = clock.now()
    _release_units(session, incident, now)
    incident.status, incident.closed_at = "closed", now
    incident.extra = {**(incident.extra or {}), "closure_reason": reason,
                      **({"approved_by": approved_by, "requested_by": asker} if reduced else {})}
    audit.record(session, actor, "incident.stood_down", "incident", incident.id, before=before,
                 after={"status": "closed", "reason": reason, "approved_by": approved_by})


STAND_DOWN_NEEDS_SECOND = (1, 2)  # grades whose stand-down before arrival needs a second person


# --- the board -------------------------------------------------------------------------------------


def incident_json(incident: Incident, now: datetime) -> dict[str, Any]:
    """The contract's fields (id, contact_id, grade, status, flags, location, attend_by, seconds_left) and more."""
    left = model.seconds_left(incident.attend_by, now)
    return {
        "id": incident.id, "contact_id": incident.contact_id, "grade": incident.grade, "status": incident.status,
        "flags": list(incident.flags or []),
        "location": {"lat": incident.lat, "lon": incident.lon, "description": incident.location_description,
                     "urban": incident.urban, "area": incident.area},
        "attend_by": clock.iso(incident.attend_by),
        "seconds_left": None if left is None else int(left // 1),
        "clock": model.clock_state(incident.attend_by, incident.arrived_at, now),
        "agency": incident.agency, "source": incident.source, "external_ref": incident.external_ref,
        "call_type": incident.call_type,
        "received_at": clock.iso(incident.received_at), "dispatched_at": clock.iso(incident.dispatched_at),
        "enroute_at": clock.iso(incident.enroute_at), "arrived_at": clock.iso(incident.arrived_at),
        "closed_at": clock.iso(incident.closed_at),
    }


def list_incidents(session: Session, status: str = "open", now: datetime | None = None,
                   limit: int = 500) -> list[Incident]:
    """Incidents in a status (`open` = any open one), by grade then time left (no clock last)."""
    now = now or clock.now()
    statuses = OPEN_STATUSES if status == "open" else (status,)
    query = select(Incident).where(Incident.status.in_(statuses))
    if status == "closed":
        query = query.order_by(Incident.closed_at.desc())
    else:
        # attend_by order is time-left order: the soonest deadline has the least time left.
        query = query.order_by(Incident.grade, Incident.attend_by.is_(None), Incident.attend_by, Incident.id)
    return list(session.execute(query.limit(limit)).scalars())


def assignments_for(session: Session, incident_ids: list[int]) -> dict[int, list[tuple[Assignment, Unit]]]:
    """Every assignment of these incidents with its unit, in one query."""
    out: dict[int, list[tuple[Assignment, Unit]]] = {i: [] for i in incident_ids}
    if not incident_ids:
        return out
    rows = session.execute(
        select(Assignment, Unit).join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.incident_id.in_(incident_ids)).order_by(Assignment.id)
    ).all()
    for a, u in rows:
        out[a.incident_id].append((a, u))
    return out


def assignment_json(a: Assignment, u: Unit) -> dict[str, Any]:
    return {"id": a.id, "unit_id": u.id, "call_sign": u.call_sign, "unit_type": u.unit_type,
            "dispatched_at": clock.iso(a.dispatched_at), "enroute_at": clock.iso(a.enroute_at),
            "arrived_at": clock.iso(a.arrived_at), "cleared_at": clock.iso(a.cleared_at),
            "dispatched_by": a.dispatched_by, "eta_s": a.eta_s, "recommended_unit_id": a.recommended_unit_id,
            "override_reason": a.override_reason}


# --- lifecycle ---------------------------------------------------------------------------------------


def _incident_for_update(session: Session, incident_id: int) -> Incident:
    incident = session.execute(
        select(Incident).where(Incident.id == incident_id).with_for_update()
    ).scalar_one_or_none()
    if incident is None:
        raise ResponseError(f"incident {incident_id} not found", "incident_id", 404)
    return incident


def _unit_for_update(session: Session, unit_id: int) -> Unit:
    unit = session.execute(select(Unit).where(Unit.id == unit_id).with_for_update()).scalar_one_or_none()
    if unit is None:
        raise ResponseError(f"unit {unit_id} not found", "unit_id", 404)
    return unit


def _open(incident: Incident) -> None:
    if incident.status in ("closed", "merged"):
        raise ResponseError(f"incident {incident.id} is already {incident.status}", "status", 409)


def _when(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None or at.utcoffset() is None:
        raise ResponseError("time must carry a time zone (e.g. 2026-03-01T21:14:05Z)", "at")
    return clock.as_utc(at)


LATE_AFTER = timedelta(minutes=5)  # a stage time further back than this was entered late


def _mark_late(a: Assignment, stage: str, when: datetime, now: datetime, late_reason: str | None,
               actor: str) -> dict[str, str | None] | None:
    """A dispatch, en-route or arrival time entered more than LATE_AFTER after it happened needs a
    reason; it is kept on the assignment, marked late, and counted beside the attendance measures
    (issue 12 item 10: a backdated arrival must not pass quietly as a target met). Imports do not
    come through here."""
    if now - when <= LATE_AFTER:
        return None
    if not (late_reason and late_reason.strip()):
        minutes = int((now - when).total_seconds() // 60)
        raise ResponseError(f"the {stage} time is {minutes} minutes ago: a time entered late needs a "
                            "late_reason (why it was not recorded at the time)", "late_reason")
    entry = {"at": clock.iso(when), "entered_at": clock.iso(now), "by": actor, "reason": late_reason.strip()[:500]}
    a.late = {**(a.late or {}), stage: entry}
    return entry


def dispatch(session: Session, incident_id: int, unit_id: int, principal: Principal, *,
             reason: str | None = None, at: datetime | None = None, late_reason: str | None = None) -> Assignment:
    """Send a unit. Choosing other than the recommended unit needs a reason, which is kept."""
    from bluelamp.response import units

    now = clock.now()
    incident = _incident_for_update(session, incident_id)
    _open(incident)
    unit = _unit_for_update(session, unit_id)
    if unit.status != "available":
        raise ResponseError(f"unit {unit.call_sign} is {unit.status.replace('_', ' ')}, not available", "unit_id", 409)
    view = units.unit_view(unit)
    if not view.on_shift(now):
        raise ResponseError(f"unit {unit.call_sign} is not on shift now", "unit_id", 409)
    when = model.check_stage_time(_when(at, now), incident.received_at, now, "dispatch", "call received")
    rec = units.recommend_for(session, incident, now)
    best = rec.best
    chosen = next((c for c in rec.candidates if c.unit_id == unit.id), None)
    override = best is not None and best.unit_id != unit.id
    if override and not (reason and reason.strip()):
        raise ResponseError(f"{best.call_sign} is recommended: give a reason for choosing "  # type: ignore[union-attr]
                            f"{unit.call_sign}", "reason")
    assignment = Assignment(
        incident_id=incident.id, unit_id=unit.id, dispatched_at=when, dispatched_by=principal.actor,
        eta_s=chosen.eta_s if chosen else None, recommended_unit_id=best.unit_id if best else None,
        override_reason=reason.strip() if override and reason else None,
    )
    late = _mark_late(assignment, "dispatched", when, now, late_reason, principal.actor)
    session.add(assignment)
    before = {"status": incident.status, "unit_status": unit.status}
    unit.status, unit.incident_id, unit.updated_at = "dispatched", incident.id, now
    if incident.status == "awaiting":
        incident.status = "dispatched"
    if incident.dispatched_at is None or when < incident.dispatched_at:
        incident.dispatched_at = when
    session.flush()
    audit.record(session, principal.actor, "incident.dispatched", "incident", incident.id, before=before, after={
        "unit": unit.call_sign, "at": clock.iso(when), "recommended": best.call_sign if best else None,
        "override_reason": assignment.override_reason, "eta_s": assignment.eta_s, "warnings": rec.warnings,
        "late": late,
    })
    return assignment


def _assignment(session: Session, incident: Incident, unit_id: int) -> Assignment:
    a = session.execute(
        select(Assignment).where(Assignment.incident_id == incident.id, Assignment.unit_id == unit_id,
                                 Assignment.cleared_at.is_(None)).order_by(Assignment.id.desc()).limit(1)
    ).scalar_one_or_none()
    if a is None:
        raise ResponseError(f"unit {unit_id} has not been dispatched to incident {incident.id}", "unit_id", 409)
    return a


def mark_en_route(session: Session, incident_id: int, unit_id: int, principal: Principal, *,
                  at: datetime | None = None, late_reason: str | None = None) -> Assignment:
    """The unit is on its way."""
    now = clock.now()
    incident = _incident_for_update(session, incident_id)
    _open(incident)
    a = _assignment(session, incident, unit_id)
    if a.enroute_at is not None:
        raise ResponseError("this unit is already en route", "status", 409)
    if a.arrived_at is not None:
        raise ResponseError("this unit has already arrived", "status", 409)
    when = model.check_stage_time(_when(at, now), a.dispatched_at, now, "en-route", "dispatch")
    late = _mark_late(a, "en_route", when, now, late_reason, principal.actor)
    a.enroute_at = when
    before = {"status": incident.status}
    if incident.status == "dispatched":
        incident.status = "en_route"
    if incident.enroute_at is None or when < incident.enroute_at:
        incident.enroute_at = when
    audit.record(session, principal.actor, "incident.unit_en_route", "incident", incident.id, before=before,
                 after={"unit_id": unit_id, "at": clock.iso(when), "status": incident.status, "late": late})
    return a


def mark_arrived(session: Session, incident_id: int, unit_id: int, principal: Principal, *,
                 at: datetime | None = None, late_reason: str | None = None) -> Assignment:
    """The unit is at the scene; the first arrival stops the incident's clock."""
    now = clock.now()
    incident = _incident_for_update(session, incident_id)
    _open(incident)
    a = _assignment(session, incident, unit_id)
    if a.arrived_at is not None:
        raise ResponseError("this unit has already arrived", "status", 409)
    when = model.check_stage_time(_when(at, now), a.enroute_at or a.dispatched_at, now, "arrival",
                                  "en-route" if a.enroute_at else "dispatch")
    late = _mark_late(a, "arrived", when, now, late_reason, principal.actor)
    a.arrived_at = when
    unit = _unit_for_update(session, unit_id)
    unit.status, unit.updated_at = "at_scene", now
    before = {"status": incident.status, "arrived_at": clock.iso(incident.arrived_at)}
    incident.status = "at_scene"
    if incident.arrived_at is None or when < incident.arrived_at:
        incident.arrived_at = when
    met = None if incident.attend_by is None else incident.arrived_at <= incident.attend_by
    from bluelamp.response import regrades

    waiting = regrades.pending_for(session, incident.id)
    if waiting is not None and waiting.kind == "close":  # attended now: the close no longer reduces anything
        regrades.withdraw_pending(session, incident, "a unit arrived", principal.actor)
    audit.record(session, principal.actor, "incident.unit_arrived", "incident", incident.id, before=before,
                 after={"unit_id": unit_id, "at": clock.iso(when), "status": "at_scene", "target_met": met,
                        "late": late})
    return a


def clear_unit(session: Session, incident_id: int, unit_id: int, principal: Principal, *,
               at: datetime | None = None) -> Assignment:
    """The unit leaves the incident and is available again."""
    now = clock.now()
    incident = _incident_for_update(session, incident_id)
    a = _assignment(session, incident, unit_id)
    when = model.check_stage_time(_when(at, now), a.arrived_at or a.enroute_at or a.dispatched_at, now,
                                  "clear", "previous stage")
    a.cleared_at = when
    unit = _unit_for_update(session, unit_id)
    if unit.incident_id == incident.id:
        unit.status, unit.incident_id, unit.updated_at = "available", None, now
    audit.record(session, principal.actor, "incident.unit_cleared", "incident", incident.id,
                 after={"unit_id": unit_id, "at": clock.iso(when)})
    return a


def _release_units(session: Session, incident: Incident, when: datetime) -> None:
    for a, unit in assignments_for(session, [incident.id])[incident.id]:
        if a.cleared_at is None:
            a.cleared_at = max(when, a.arrived_at or a.enroute_at or a.dispatched_at)
        if unit.incident_id == incident.id:
            unit.status, unit.incident_id, unit.updated_at = "available", None, when


def _disposition(code: str | None, reason: str | None, disposition: str | None) -> tuple[str | None, str | None]:
    """A disposition code must be one of the policy's (dispositions.yaml) and comes with a reason in words;
    the code's name stands as the disposition text when none is given."""
    if code is None:
        return disposition, (reason.strip() or None) if reason else None
    from bluelamp.policy import load_policy

    doc = load_policy().doc("dispositions")
    found = doc.get(code.strip())
    if found is None:
        raise ResponseError(f"unknown disposition code {code!r}; one of "
                            f"{', '.join(d.code for d in doc.dispositions)}", "disposition_code")
    if not (reason and reason.strip()):
        raise ResponseError("a reason is required with the disposition code", "reason")
    return (disposition.strip() if disposition and disposition.strip() else found.name), reason.strip()


def close_incident(session: Session, incident_id: int, principal: Principal, *,
                   at: datetime | None = None, disposition: str | None = None,
                   disposition_code: str | None = None, reason: str | None = None) -> Incident:
    """Close the incident and free its units, with a disposition (a policy code and a reason, or words).
    Closing twice is an error. A close that no unit attended reduces the response (policy/controls.py):
    a supervisor asks for it and it waits, the incident still open, for a second supervisor
    (response/regrades.py); the incident is returned unchanged with its pending request."""
    now = clock.now()
    disposition, reason = _disposition(disposition_code, reason, disposition)
    incident = _incident_for_update(session, incident_id)
    _open(incident)
    when = model.check_stage_time(_when(at, now), incident.arrived_at or incident.received_at, now, "closing",
                                  "arrival" if incident.arrived_at else "call received")
    reduced = unattended_close_reduces(incident)
    if reduced and not (disposition and disposition.strip()):
        raise ResponseError("closing an incident no unit attended needs a disposition (what happened instead)",
                            "disposition")
    if reduced and not principal.has_any("supervisor"):
        raise ResponseError(f"closing an incident no unit attended reduces the response ({'; '.join(reduced)}): "
                            "it needs a supervisor", "role", 403)
    detail = {"at": clock.iso(when) if at is not None else None, "disposition": disposition,
              "disposition_code": disposition_code.strip() if disposition_code else None, "reason": reason}
    if reduced:
        from bluelamp.response import regrades

        regrades.request_close(session, incident, detail, reduced, principal.actor)
        return incident
    finish_close(session, incident, detail, [], principal.actor)
    return incident


def unattended_close_reduces(incident: Incident) -> list[str]:
    """Why closing this incident now reduces its response (empty: a unit has arrived, it does not)."""
    if incident.arrived_at is not None:
        return []
    return controls.reduces_response(controls.Response(incident.grade, "deploy", incident.attend_by),
                                     controls.Response(incident.grade, controls.NOT_ATTENDED, None))


def finish_close(session: Session, incident: Incident, detail: dict[str, Any], reduced: list[str], by: str,
                 approved_by: str | None = None) -> None:
    """The one place an incident is closed by a controller: units freed, disposition kept, audited.
    `detail` holds the close's fields (at, disposition, disposition_code, reason); a close that
    reduced the response names who asked (`by`) and who approved it."""
    from bluelamp.response import regrades

    actor = approved_by or by
    now = clock.now()
    at = detail.get("at")
    when = max(_parse_iso(at), incident.arrived_at or incident.received_at) if at else now
    regrades.withdraw_pending(session, incident, "the incident was closed", actor)
    before = {"status": incident.status}
    _release_units(session, incident, when)
    incident.status, incident.closed_at = "closed", when
    extra = dict(incident.extra or {})
    for key in ("disposition", "disposition_code"):
        if detail.get(key):
            extra[key] = detail[key]
    if detail.get("reason"):
        extra["closure_reason"] = detail["reason"]
    if reduced:
        extra.update({"requested_by": by, "approved_by": approved_by, "reduced": reduced})
    incident.extra = extra
    audit.record(session, actor, "incident.closed", "incident", incident.id, before=before,
                 after={"status": "closed", "at": clock.iso(when), "disposition": detail.get("disposition"),
                        "disposition_code": detail.get("disposition_code"), "reason": detail.get("reason"),
                        **({"requested_by": by, "approved_by": approved_by, "reduced": reduced} if reduced else {})})


def _parse_iso(value: str) -> datetime:
    return clock.as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


def add_note(session: Session, incident_id: int, principal: Principal, text: str) -> Incident:
    """A controller's note on the incident's log (kept on the incident and in the audit trail)."""
    text = (text or "").strip()
    if not text:
        raise ResponseError("a note cannot be blank", "text")
    incident = _incident_for_update(session, incident_id)
    now = clock.now()
    note = {"at": clock.iso(now), "by": principal.actor, "text": text}
    incident.extra = {**(incident.extra or {}), "notes": [*(incident.extra or {}).get("notes", []), note]}
    audit.record(session, principal.actor, "incident.note_added", "incident", incident.id, after={"text": text})
    return incident


def attend_by_for_grade(grade: int, urban: bool, received_at: datetime) -> datetime | None:
    """The policy's attend-by for a grade, counted in UTC (15 minutes are 15 minutes across BST)."""
    from bluelamp.policy import load_policy

    minutes = load_policy().grades.get(grade).target_minutes(urban)
    return received_at + timedelta(minutes=minutes) if minutes is not None else None


def regrade(session: Session, incident_id: int, grade: int, reason: str, principal: Principal) -> Incident:
    """Change an open incident's grade, with a reason. An upgrade applies at once; a downgrade (the one
    control, policy/controls.py) needs a supervisor and waits for a second one (response/regrades.py)."""
    from bluelamp.response import regrades

    if grade not in (1, 2, 3, 4):
        raise ResponseError("grade must be 1, 2, 3 or 4", "grade")
    if not (reason and reason.strip()):
        raise ResponseError("a reason is required to regrade an incident", "reason")
    incident = lock_open_incident(session, incident_id)
    if grade == incident.grade:
        raise ResponseError(f"incident {incident.id} is already grade {grade}", "grade", 409)
    new_attend_by = attend_by_for_grade(grade, incident.urban, incident.received_at)
    reduced = controls.reduces_response(controls.Response(incident.grade, "deploy", incident.attend_by),
                                        controls.Response(grade, "deploy", new_attend_by))
    if reduced:
        if not principal.has_any("supervisor"):
            raise ResponseError("a downgrade needs a supervisor", "grade", 403)
        regrades.request_downgrade(session, incident, grade, reason.strip(), reduced, principal)
        return incident
    regrades.withdraw_pending(session, incident, f"upgraded to grade {grade}", principal.actor)
    before = {"grade": incident.grade, "attend_by": clock.iso(incident.attend_by)}
    apply_regrade(session, incident, grade, reason.strip(), principal.actor)
    audit.record(session, principal.actor, "incident.regraded", "incident", incident.id, before=before,
                 after={"grade": grade, "attend_by": clock.iso(incident.attend_by), "reason": reason.strip(),
                        "downgrade": False})
    return incident


def lock_open_incident(session: Session, incident_id: int) -> Incident:
    incident = _incident_for_update(session, incident_id)
    _open(incident)
    return incident


def apply_regrade(session: Session, incident: Incident, grade: int, reason: str, by: str,
                  approved_by: str | None = None) -> None:
    """The one place an incident's grade changes on the board: the regrade row, the measure, the clock."""
    new_attend_by = attend_by_for_grade(grade, incident.urban, incident.received_at)
    session.add(IncidentRegrade(incident_id=incident.id, at=clock.now(), by=by, from_grade=incident.grade,
                                to_grade=grade, reason=reason, approved_by=approved_by))
    _hold_measure(incident, grade, new_attend_by)
    incident.grade = grade
    incident.attend_by = new_attend_by
    _reschedule_rethrive(session, incident)


def regrades_for(session: Session, incident_id: int) -> list[IncidentRegrade]:
    return list(session.execute(
        select(IncidentRegrade).where(IncidentRegrade.incident_id == incident_id).order_by(IncidentRegrade.id)
    ).scalars())
