"""JSON routes of the contact context (CONTRACT.md: POST/GET /api/v1/contacts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bluelamp.contact import service
from bluelamp.contact.model import ContactIn
from bluelamp.identity.model import Principal
from bluelamp.web.auth import DbSession, require_roles
from bluelamp.web.pools import pooled

router = APIRouter(tags=["contacts"])

RECORDERS = ("call_handler", "chat_operator", "supervisor")
READERS = ("call_handler", "chat_operator", "dispatcher", "supervisor", "investigator", "cab_officer",
           "victim_care", "auditor")


@router.post("/contacts", status_code=201)
@pooled("contacts")  # threads of its own: nothing else can starve contact recording
def record_contact(
    request: Request,
    data: Annotated[ContactIn, Body()],
    principal: Annotated[Principal, Depends(require_roles(*RECORDERS))],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Record a contact: person matching, triage, and the proposal applied at once."""
    db = request.app.state.db
    body = data.model_dump(mode="json", exclude_unset=True)
    idem = (idempotency_key, service.request_digest(body)) if idempotency_key else None
    # A repeated key is found by the key's unique index when the new request tries to take it
    # (ReplayRace below), so the common case of a new key costs no extra round trip.
    try:
        with db.unit_of_work() as session:
            result = service.record_contact(session, data, principal, idempotency=idem)
    except service.ReplayRace:
        return _replay_after_race(db, idem, principal)
    return JSONResponse(result, 201)


def _replay_after_race(db: Any, idem: tuple[str, str] | None, principal: Principal) -> JSONResponse:
    """A concurrent twin with the same key committed first: answer with its response."""
    with db.unit_of_work() as session:
        replay = service.find_replay(session, idem[0], principal, idem[1]) if idem else None
    if replay is None or not replay.response:
        raise HTTPException(409, detail="Idempotency-Key: a request with this key is still in progress")
    return JSONResponse(replay.response, replay.status_code, headers={"Idempotent-Replayed": "true"})


@router.get("/contacts/{contact_id}", dependencies=[Depends(require_roles(*READERS))])
def get_contact(contact_id: int, session: DbSession) -> dict[str, Any]:
    contact = service.get_contact(session, contact_id)
    if contact is None:
        raise HTTPException(404, detail=f"id: contact {contact_id} not found")
    return service.contact_json(session, contact)


@router.get("/contacts", dependencies=[Depends(require_roles(*READERS))])
def list_queue(session: DbSession) -> list[dict[str, Any]]:
    """Contacts awaiting a decision or a downgrade approval, most urgent first."""
    return [
        {"id": c.id, "channel": c.channel, "grade": c.grade, "route": c.route, "flags": c.flags,
         "status": c.status, "received_at": c.received_at.isoformat()}
        for c in service.queue(session)
    ]


class DecisionIn(BaseModel):
    """The handler's decision on the proposal."""

    model_config = ConfigDict(extra="forbid")
    grade: int = Field(ge=1, le=4)
    route: str = Field(max_length=48)
    reason: str | None = Field(default=None, max_length=2000)
    appointment_at: datetime | None = None


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    note: str | None = Field(default=None, max_length=2000)


@router.post("/contacts/{contact_id}/decision")
def decide(
    contact_id: int, data: DecisionIn, session: DbSession,
    principal: Annotated[Principal, Depends(require_roles("call_handler", "chat_operator", "supervisor"))],
) -> dict[str, Any]:
    contact = service.decide(session, contact_id, principal, grade=data.grade, route=data.route,
                             reason=data.reason, appointment_at=data.appointment_at)
    return service.contact_json(session, contact)


@router.post("/contacts/{contact_id}/approval")
def approve(
    contact_id: int, data: ApprovalIn, session: DbSession,
    principal: Annotated[Principal, Depends(require_roles("supervisor"))],
) -> dict[str, Any]:
    contact = service.approve_downgrade(session, contact_id, principal, data.approve, data.note)
    return service.contact_json(session, contact)
