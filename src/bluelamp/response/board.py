"""The dispatch board's data, loaded for speed: what `GET /api/v1/board` and the board page poll.

The board refreshes every few seconds with hundreds of incidents and units, so it reads plain columns
(SQLAlchemy Core rows on the session's connection: no ORM objects, no identity map, no ORM result layer) and only the columns the board shows: an
incident's `extra`, a unit's history and an assignment already cleared are never loaded. The rows go
through the same JSON builders as everything else (`service.incident_json`, `units.unit_json`,
`service.assignment_json`, `regrades.request_json`), which read attributes, so the board says exactly
what the incident and unit routes say. Assignments and pending regrades are found by joining the open
incidents in SQL rather than binding a list of hundreds of ids.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.policy import load_policy
from bluelamp.response import regrades, service, units
from bluelamp.response.model import OPEN_STATUSES
from bluelamp.response.store import Assignment, Incident, RegradeRequest, Unit

LIMIT = 500  # as service.list_incidents

INCIDENT_COLUMNS = (Incident.id, Incident.contact_id, Incident.grade, Incident.status, Incident.flags, Incident.lat,
                    Incident.lon, Incident.location_description, Incident.urban, Incident.area, Incident.attend_by,
                    Incident.agency, Incident.source, Incident.external_ref, Incident.call_type,
                    Incident.received_at, Incident.dispatched_at, Incident.enroute_at, Incident.arrived_at,
                    Incident.closed_at)
UNIT_COLUMNS = (Unit.id, Unit.call_sign, Unit.unit_type, Unit.skills, Unit.status, Unit.lat, Unit.lon, Unit.area,
                Unit.shift_start, Unit.shift_end, Unit.incident_id, Unit.position_at)


def _open_ids() -> Any:
    """The ids of the incidents the board lists (the same filter, order and limit as the incident query)."""
    return (select(Incident.id).where(Incident.status.in_(OPEN_STATUSES))
            .order_by(Incident.grade, Incident.attend_by.is_(None), Incident.attend_by, Incident.id).limit(LIMIT))


def board_data(session: Session, now: datetime | None = None) -> dict[str, Any]:
    """Open incidents (by grade then time left) with their units on them and any pending downgrade, and
    every unit with its position's age: four queries."""
    now = now or clock.now()
    db = session.connection()  # Core: rows straight from the driver, without the ORM's result layer
    incidents = db.execute(
        select(*INCIDENT_COLUMNS).where(Incident.status.in_(OPEN_STATUSES))
        .order_by(Incident.grade, Incident.attend_by.is_(None), Incident.attend_by, Incident.id).limit(LIMIT)).all()
    open_ids = _open_ids().subquery()
    on: dict[int, list[dict[str, Any]]] = {}
    for r in db.execute(
            select(Assignment.id, Assignment.incident_id, Assignment.dispatched_at, Assignment.enroute_at,
                   Assignment.arrived_at, Assignment.cleared_at, Assignment.dispatched_by, Assignment.eta_s,
                   Assignment.recommended_unit_id, Assignment.override_reason,
                   Unit.id.label("unit_id"), Unit.call_sign, Unit.unit_type)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.incident_id.in_(select(open_ids.c.id)), Assignment.cleared_at.is_(None))
            .order_by(Assignment.id)):
        unit = SimpleNamespace(id=r.unit_id, call_sign=r.call_sign, unit_type=r.unit_type)
        on.setdefault(r.incident_id, []).append(service.assignment_json(r, unit))  # type: ignore[arg-type]
    pending = {r.incident_id: r for r in db.execute(
        select(RegradeRequest.id, RegradeRequest.incident_id, RegradeRequest.at, RegradeRequest.by,
               RegradeRequest.from_grade, RegradeRequest.to_grade, RegradeRequest.reason, RegradeRequest.reduces,
               RegradeRequest.status, RegradeRequest.decided_by, RegradeRequest.decided_at, RegradeRequest.note,
               RegradeRequest.kind, RegradeRequest.detail)
        .where(RegradeRequest.incident_id.in_(select(open_ids.c.id)), RegradeRequest.status == "pending"))}
    rows = []
    for i in incidents:
        row = service.incident_json(i, now)  # type: ignore[arg-type]
        row["units"] = on.get(i.id, [])
        row["pending_regrade"] = row["pending_approval"] = regrades.request_json(pending.get(i.id))  # type: ignore[arg-type]
        rows.append(row)
    policy = load_policy()
    unit_rows = [units.unit_json(u, now, policy)  # type: ignore[arg-type]
                 for u in db.execute(select(*UNIT_COLUMNS).order_by(Unit.call_sign))]
    return {"now": clock.iso(now), "incidents": rows, "units": unit_rows}
