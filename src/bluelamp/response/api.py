"""JSON routes of the response context: the incident board, dispatch and arrival, units."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from bluelamp import clock
from bluelamp.identity.model import Principal
from bluelamp.location import duplicates
from bluelamp.response import regrades, service, units
from bluelamp.response.model import STATUSES, UNIT_STATUSES, UNIT_TYPES
from bluelamp.web.auth import DbSession, require_roles

router = APIRouter(tags=["incidents"])

READERS = ("dispatcher", "supervisor", "call_handler")
ACTORS = ("dispatcher", "supervisor")


def log_shown(request: Request, incident_ids: Iterable[int]) -> None:
    """The incidents a list showed (address, flags, notes): each is an access-log read, once per reader
    and record in a window however often the board polls (audit/access.py, LIST_READS)."""
    request.state.access_reads = [("incident", i) for i in incident_ids]


@router.get("/incidents", dependencies=[Depends(require_roles(*READERS))])
def list_incidents(
    session: DbSession,
    request: Request,
    status: Annotated[Literal["open", "awaiting", "dispatched", "en_route", "at_scene", "closed"],
                      Query(description="open (any open status) or one status")] = "open",
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> list[dict[str, Any]]:
    """Incidents by grade then time left: `id, contact_id, grade, status, flags, location, attend_by, seconds_left`."""
    now = clock.now()
    found = service.list_incidents(session, status, now, limit)
    log_shown(request, (i.id for i in found))
    contacts = duplicates.contact_ids_for(session, found)  # every contact of each incident (issue 15)
    return [{**service.incident_json(i, now), "contact_ids": contacts[i.id]} for i in found]


@router.get("/board", dependencies=[Depends(require_roles(*READERS))])
def board(session: DbSession, request: Request) -> dict[str, Any]:
    """Everything the incident board page polls for: open incidents with their units, and every unit."""
    from bluelamp.response.board import board_data  # plain rows, the columns shown (response/board.py)

    data = board_data(session)
    log_shown(request, (row["id"] for row in data["incidents"]))
    return data


@router.get("/incidents/{incident_id}", dependencies=[Depends(require_roles(*READERS))])
def get_incident(incident_id: int, session: DbSession) -> dict[str, Any]:
    incident = service.get_incident(session, incident_id)
    if incident is None:
        raise HTTPException(404, detail=f"incident_id: incident {incident_id} not found")
    out = service.incident_json(incident, clock.now())
    out["assignments"] = [service.assignment_json(a, u)
                          for a, u in service.assignments_for(session, [incident.id])[incident.id]]
    out["regrades"] = [{"at": clock.iso(r.at), "by": r.by, "from_grade": r.from_grade, "to_grade": r.to_grade,
                        "reason": r.reason, "approved_by": r.approved_by}
                       for r in service.regrades_for(session, incident.id)]
    # a pending downgrade or close without attendance (`kind`), awaiting a second supervisor;
    # `pending_regrade` is the older name of the same object
    out["pending_regrade"] = out["pending_approval"] = regrades.request_json(regrades.pending_for(session, incident.id))
    out["extra"] = incident.extra
    out["contact_ids"] = duplicates.contact_ids_for(session, [incident])[incident.id]
    return out


@router.get("/incidents/{incident_id}/recommendation", dependencies=[Depends(require_roles(*READERS))])
def recommendation(incident_id: int, session: DbSession) -> dict[str, Any]:
    """Available suitable units ranked by estimated arrival, with warnings."""
    return units.recommendation(session, incident_id).to_dict()


class DispatchIn(BaseModel):
    """Send a unit; `reason` is required when it is not the recommended one."""

    model_config = ConfigDict(extra="forbid")
    unit_id: int
    reason: str | None = Field(default=None, max_length=2000)
    at: datetime | None = None
    late_reason: str | None = Field(default=None, max_length=500,
                                    description="needed when `at` is more than 5 minutes ago (entered late)")


class StageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: datetime | None = None
    late_reason: str | None = Field(default=None, max_length=500,
                                    description="needed when `at` is more than 5 minutes ago (entered late)")


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: datetime | None = None
    disposition: str | None = Field(default=None, max_length=200)
    disposition_code: str | None = Field(default=None, max_length=32, description="a code of dispositions.yaml")
    reason: str | None = Field(default=None, max_length=2000, description="why, in words (needed with a code)")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=4000)


class RegradeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grade: int = Field(ge=1, le=4)
    reason: str = Field(min_length=1, max_length=2000)


def _detail(session: DbSession, incident_id: int) -> dict[str, Any]:
    session.flush()
    return get_incident(incident_id, session)


@router.post("/incidents/{incident_id}/dispatch")
def dispatch(incident_id: int, data: DispatchIn, session: DbSession,
             principal: Annotated[Principal, Depends(require_roles(*ACTORS))]) -> dict[str, Any]:
    service.dispatch(session, incident_id, data.unit_id, principal, reason=data.reason, at=data.at,
                     late_reason=data.late_reason)
    return _detail(session, incident_id)


@router.post("/incidents/{incident_id}/units/{unit_id}/{stage}")
def unit_stage(incident_id: int, unit_id: int, stage: Literal["en-route", "arrived", "clear"], data: StageIn,
               session: DbSession,
               principal: Annotated[Principal, Depends(require_roles(*ACTORS))]) -> dict[str, Any]:
    """Record a unit en route, arrived, or cleared from the incident (`at` defaults to now)."""
    if stage == "clear":
        service.clear_unit(session, incident_id, unit_id, principal, at=data.at)
    else:
        action = {"en-route": service.mark_en_route, "arrived": service.mark_arrived}[stage]
        action(session, incident_id, unit_id, principal, at=data.at, late_reason=data.late_reason)
    return _detail(session, incident_id)


@router.post("/incidents/{incident_id}/close", responses={202: {"description": "a close without attendance: "
                                                                 "pending, awaiting a second supervisor"}})
def close(incident_id: int, data: CloseIn, session: DbSession, response: Response,
          principal: Annotated[Principal, Depends(require_roles(*ACTORS))]) -> dict[str, Any]:
    """Close the incident (200). A close that no unit attended is a supervisor's and waits for a second
    supervisor (202: the incident stays open with `pending_approval` of kind `close`; `POST .../approval`)."""
    incident = service.close_incident(session, incident_id, principal, at=data.at, disposition=data.disposition,
                                      disposition_code=data.disposition_code, reason=data.reason)
    if incident.status != "closed":
        response.status_code = 202
    return _detail(session, incident_id)


@router.post("/incidents/{incident_id}/notes")
def add_note(incident_id: int, data: NoteIn, session: DbSession,
             principal: Annotated[Principal, Depends(require_roles(*ACTORS))]) -> dict[str, Any]:
    """Add a note to the incident's log (open or closed)."""
    service.add_note(session, incident_id, principal, data.text)
    return _detail(session, incident_id)


@router.post("/incidents/{incident_id}/regrade")
def regrade(incident_id: int, data: RegradeIn, session: DbSession,
            principal: Annotated[Principal, Depends(require_roles(*ACTORS))]) -> dict[str, Any]:
    """Change the grade with a reason. An upgrade applies at once; a downgrade (a supervisor's) waits as
    `pending_regrade` until another supervisor decides it (`POST .../approval`)."""
    service.regrade(session, incident_id, data.grade, data.reason, principal)
    return _detail(session, incident_id)


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    note: str | None = Field(default=None, max_length=2000)


@router.post("/incidents/{incident_id}/approval")
def approve_downgrade(incident_id: int, data: ApprovalIn, session: DbSession,
                      principal: Annotated[Principal, Depends(require_roles("supervisor"))]) -> dict[str, Any]:
    """A supervisor who did not request it approves (the downgrade or close applies) or refuses the pending
    request (`pending_approval`: a downgrade or a close without attendance)."""
    regrades.decide_downgrade(session, incident_id, principal, data.approve, data.note)
    return _detail(session, incident_id)


# --- units -----------------------------------------------------------------------------------------


class UnitIn(BaseModel):
    """A new unit."""

    model_config = ConfigDict(extra="forbid")
    call_sign: str = Field(min_length=1, max_length=32)
    unit_type: Literal[UNIT_TYPES]  # type: ignore[valid-type]
    skills: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list, max_length=20)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    area: str | None = Field(default=None, max_length=64)
    shift_start: datetime | None = None
    shift_end: datetime | None = None


class UnitPatch(BaseModel):
    """Changes to a unit (only the fields given)."""

    model_config = ConfigDict(extra="forbid")
    status: Literal[UNIT_STATUSES] | None = None  # type: ignore[valid-type]
    skills: list[Annotated[str, Field(max_length=32)]] | None = Field(default=None, max_length=20)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    area: str | None = Field(default=None, max_length=64)
    shift_start: datetime | None = None
    shift_end: datetime | None = None


@router.get("/units", dependencies=[Depends(require_roles(*READERS))], tags=["units"])
def list_units(session: DbSession) -> list[dict[str, Any]]:
    now = clock.now()
    return [units.unit_json(u, now) for u in units.list_units(session)]


@router.post("/units", status_code=201, tags=["units"])
def create_unit(data: UnitIn, session: DbSession,
                principal: Annotated[Principal, Depends(require_roles("supervisor"))]) -> dict[str, Any]:
    unit = units.create_unit(session, principal, **data.model_dump())
    return units.unit_json(unit)


@router.patch("/units/{unit_id}", tags=["units"])
def update_unit(unit_id: int, data: UnitPatch, session: DbSession,
                principal: Annotated[Principal, Depends(require_roles(*ACTORS))]) -> dict[str, Any]:
    unit = units.update_unit(session, unit_id, principal, **data.model_dump(exclude_unset=True))
    return units.unit_json(unit)


__all__ = ["router", "STATUSES"]
