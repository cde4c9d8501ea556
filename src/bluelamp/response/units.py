"""Use cases about units: create, update status, position and shift, and recommend units for an incident."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.identity.model import Principal
from bluelamp.response import model
from bluelamp.response.model import UNIT_STATUSES, UNIT_TYPES, ResponseError
from bluelamp.response.store import Incident, Unit

if TYPE_CHECKING:
    from bluelamp.policy import Policy

# Statuses a person may set by hand; dispatched and at_scene follow from dispatch and arrival.
MANUAL_STATUSES = ("available", "busy", "off_duty")


def unit_view(unit: Unit) -> model.UnitView:
    return model.UnitView(unit.id, unit.call_sign, unit.unit_type, frozenset(unit.skills or ()), unit.status,
                          unit.lat, unit.lon, unit.shift_start, unit.shift_end, unit.position_at)


def incident_view(incident: Incident) -> model.IncidentView:
    skills = (incident.extra or {}).get("required_skills") or ()
    return model.IncidentView(incident.id, incident.grade, incident.urban, incident.lat, incident.lon,
                              incident.attend_by, frozenset(skills))


def unit_json(unit: Unit, now: datetime | None = None, policy: Policy | None = None) -> dict[str, Any]:
    now = now or clock.now()
    return {"id": unit.id, "call_sign": unit.call_sign, "unit_type": unit.unit_type, "skills": list(unit.skills or []),
            "status": unit.status, "lat": unit.lat, "lon": unit.lon, "area": unit.area,
            "shift_start": clock.iso(unit.shift_start), "shift_end": clock.iso(unit.shift_end),
            "on_shift": unit_view(unit).on_shift(now), "incident_id": unit.incident_id,
            **_position_state(unit, now, policy)}


def _position_state(unit: Unit, now: datetime, policy: Policy | None = None) -> dict[str, Any]:
    from bluelamp.location.positions import position_state

    return position_state(unit.position_at, now, policy)


def travel_model() -> model.TravelModel:
    """Road speed by area type, detour factor and turnout from policy (location.yaml `travel`)."""
    from bluelamp.policy import load_policy

    t = load_policy().doc("location").travel
    return model.TravelModel(t.urban_kmh, t.rural_kmh, t.detour_factor, t.turnout_seconds)


def _target(incident: Incident, rec: model.Recommendation, now: datetime) -> dict[str, Any] | None:
    """The attendance target by name (e.g. "15 min urban") and whether the best unit can meet it."""
    if incident.attend_by is None:
        return None
    minutes = round((incident.attend_by - incident.received_at).total_seconds() / 60)
    name = f"{minutes} min {'urban' if incident.urban else 'rural'}" if incident.grade == 1 else f"{minutes} min"
    best = rec.best
    can = best.makes_target if best is not None else False
    left = (incident.attend_by - now).total_seconds()
    if best is None:
        text = f"no unit available: the {name} target cannot be met"
    elif can is None:
        text = f"the {name} target: arrival cannot be estimated (no position)"
    elif can:
        text = f"{best.call_sign} can meet the {name} target (about {round((best.eta_s or 0) / 60)} min)"
    else:
        text = f"the {name} target cannot be met: best estimate {round((best.eta_s or 0) / 60)} min " \
               f"({best.call_sign}), {max(0, round(left / 60))} min left"
    return {"name": name, "minutes": minutes, "attend_by": clock.iso(incident.attend_by), "can_meet": can,
            "text": text}


def _check_shift(start: datetime | None, end: datetime | None) -> None:
    for name, value in (("shift_start", start), ("shift_end", end)):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ResponseError(f"{name} must carry a time zone", name)
    if start is not None and end is not None and end <= start:
        raise ResponseError("shift_end must be after shift_start", "shift_end")


def _check_position(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ResponseError("give both lat and lon, or neither", "lat")
    if lat is not None and not -90 <= lat <= 90:
        raise ResponseError("lat must be between -90 and 90", "lat")
    if lon is not None and not -180 <= lon <= 180:
        raise ResponseError("lon must be between -180 and 180", "lon")


def create_unit(session: Session, principal: Principal | str, *, call_sign: str, unit_type: str,
                skills: list[str] | None = None, lat: float | None = None, lon: float | None = None,
                area: str | None = None, shift_start: datetime | None = None, shift_end: datetime | None = None,
                status: str = "available") -> Unit:
    """Add a unit to the fleet."""
    actor = principal if isinstance(principal, str) else principal.actor
    call_sign = call_sign.strip()
    if not call_sign:
        raise ResponseError("call_sign is required", "call_sign")
    if unit_type not in UNIT_TYPES:
        raise ResponseError(f"unit_type must be one of {', '.join(UNIT_TYPES)}", "unit_type")
    if status not in MANUAL_STATUSES:
        raise ResponseError(f"a new unit's status must be one of {', '.join(MANUAL_STATUSES)}", "status")
    _check_shift(shift_start, shift_end)
    _check_position(lat, lon)
    if session.execute(select(Unit.id).where(Unit.call_sign == call_sign)).first():
        raise ResponseError(f"call sign {call_sign} already exists", "call_sign", 409)
    unit = Unit(call_sign=call_sign, unit_type=unit_type, skills=sorted(set(skills or [])), status=status,
                lat=lat, lon=lon, area=area, shift_start=shift_start and clock.as_utc(shift_start),
                shift_end=shift_end and clock.as_utc(shift_end), updated_at=clock.now())
    session.add(unit)
    session.flush()
    audit.record(session, actor, "unit.created", "unit", unit.id, after=unit_json(unit))
    return unit


def update_unit(session: Session, unit_id: int, principal: Principal, **changes: Any) -> Unit:
    """Change a unit's status (available, busy, off duty), position, area, skills or shift."""
    unit = session.execute(select(Unit).where(Unit.id == unit_id).with_for_update()).scalar_one_or_none()
    if unit is None:
        raise ResponseError(f"unit {unit_id} not found", "unit_id", 404)
    before = unit_json(unit)
    status = changes.pop("status", None)
    if status is not None:
        if status not in UNIT_STATUSES:
            raise ResponseError(f"status must be one of {', '.join(UNIT_STATUSES)}", "status")
        if status not in MANUAL_STATUSES:
            raise ResponseError("dispatched and at scene follow from dispatch and arrival", "status")
        if unit.incident_id is not None:
            raise ResponseError(f"unit {unit.call_sign} is committed to incident {unit.incident_id}: "
                                "clear it from the incident first", "status", 409)
        unit.status = status
    if "lat" in changes or "lon" in changes:
        lat, lon = changes.pop("lat", unit.lat), changes.pop("lon", unit.lon)
        _check_position(lat, lon)
        unit.lat, unit.lon = lat, lon
    if "shift_start" in changes or "shift_end" in changes:
        start, end = changes.pop("shift_start", unit.shift_start), changes.pop("shift_end", unit.shift_end)
        _check_shift(start, end)
        unit.shift_start, unit.shift_end = start, end
    if "skills" in changes:
        unit.skills = sorted(set(changes.pop("skills") or []))
    if "area" in changes:
        unit.area = changes.pop("area")
    if changes:
        raise ResponseError(f"unknown field {sorted(changes)[0]!r}", sorted(changes)[0])
    unit.updated_at = clock.now()
    audit.record(session, principal.actor, "unit.updated", "unit", unit.id, before=before, after=unit_json(unit))
    return unit


def list_units(session: Session) -> list[Unit]:
    return list(session.execute(select(Unit).order_by(Unit.call_sign)).scalars())


def recommend_for(session: Session, incident: Incident, now: datetime | None = None,
                  travel: model.TravelModel | None = None) -> model.Recommendation:
    """Rank available units for an incident (two queries: available units, waiting grade-1 incidents)."""
    now = now or clock.now()
    # Plain columns, not ORM objects, and the shift checked in SQL: building and parsing 300 entities
    # would cost more than ranking them.
    on_shift = (or_(Unit.shift_start.is_(None), Unit.shift_start <= now),
                or_(Unit.shift_end.is_(None), Unit.shift_end > now))
    available = [
        model.UnitView(r[0], r[1], r[2], frozenset(r[3] or ()), "available", r[4], r[5], None, None,
                       clock.from_db(r[6]))
        for r in session.execute(select(Unit.id, Unit.call_sign, Unit.unit_type, Unit.skills, Unit.lat, Unit.lon,
                                        Unit.position_at)
                                 .where(Unit.status == "available", *on_shift))
    ]
    waiting: list[model.IncidentView] = []
    if incident.grade > 1:
        waiting = [incident_view(i) for i in session.execute(
            select(Incident).where(Incident.status == "awaiting", Incident.grade == 1)).scalars()]
    from bluelamp.policy import load_policy

    stale_s = load_policy().doc("location").positions.stale_after_minutes * 60
    rec = model.recommend(incident_view(incident), available, now, travel or travel_model(), waiting,
                          stale_after_s=stale_s)
    rec.target = _target(incident, rec, now)
    return rec


def recommendation(session: Session, incident_id: int, now: datetime | None = None) -> model.Recommendation:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise ResponseError(f"incident {incident_id} not found", "incident_id", 404)
    if incident.status == "closed":
        raise ResponseError(f"incident {incident_id} is closed", "status", 409)
    return recommend_for(session, incident, now)
