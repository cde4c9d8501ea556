"""JSON routes of the contact context (CONTRACT.md: POST/GET /api/v1/contacts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bluelamp import clock
from bluelamp.contact import service
from bluelamp.contact.matching import person_json
from bluelamp.contact.model import Answers, ContactIn
from bluelamp.identity import access
from bluelamp.identity.model import Principal
from bluelamp.web.auth import DbSession, require_roles
from bluelamp.web.pools import pooled

router = APIRouter(tags=["contacts"])
MAX_FUTURE = timedelta(minutes=2)  # clock skew allowed between the sender and us
MAX_PAST = timedelta(minutes=60)  # further back is a contact written up late: it needs a reason

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
    if data.received_at is not None and clock.as_utc(data.received_at) > clock.now() + MAX_FUTURE:
        # A contact from the future would sink down the board and never breach its clock.
        raise HTTPException(422, detail="received_at: more than 2 minutes in the future; send the time the "
                                        "contact was received, with its time zone")
    if data.received_at is not None and clock.as_utc(data.received_at) < clock.now() - MAX_PAST \
            and not (data.received_at_reason and data.received_at_reason.strip()):
        # Backdating sends a contact to the top of the board and can move its clock: only with a reason
        # (kept in the audit entry); old records come in through `bluelamp import`, not this route.
        raise HTTPException(422, detail="received_at_reason: received_at is more than 60 minutes ago; say why "
                                        "the contact is recorded late (or import old records)")
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


@router.get("/contacts/{contact_id}")
def get_contact(
    contact_id: int, session: DbSession,
    principal: Annotated[Principal, Depends(require_roles(*READERS))],
    reason: Annotated[str | None, Query(max_length=300)] = None,
) -> dict[str, Any]:
    """The stored contact with its assessment, and `caller` and `people` as given on it; what each
    role sees is the need-to-know policy (identity/access.py)."""
    return _shown(session, contact_id, principal, reason)


def _view(session: DbSession, contact_id: int, principal: Principal, reason: str | None = None) -> tuple[Any, str]:
    """The contact and the need-to-know view this principal has of it (identity/access.py), else 404/403."""
    contact = service.get_contact(session, contact_id)
    if contact is None:
        raise HTTPException(404, detail=f"id: contact {contact_id} not found")
    try:
        return contact, access.view_for("contact", principal, own=access.contact_relation(principal, contact),
                                        reason=reason)
    except access.AccessDenied as exc:
        raise HTTPException(403, detail=f"{exc.field}: {exc}") from None


def _shown(session: DbSession, contact_id: int, principal: Principal, reason: str | None = None) -> dict[str, Any]:
    """The contact as this principal may see it: every answer that carries a contact goes through here,
    the write routes' answers too (a decision must not be a way round need to know)."""
    contact, view = _view(session, contact_id, principal, reason)
    return access.shape_contact(service.contact_json(session, contact), view)


@router.get("/people/{person_id}", tags=["people"])
def get_person(person_id: int, session: DbSession,
               principal: Annotated[Principal, Depends(require_roles("call_handler", "supervisor"))]) -> dict[str, Any]:
    """A person's current details and their history, each value with its source and verified flag."""
    person = service.get_person(session, person_id)
    if person is None:
        raise HTTPException(404, detail=f"id: person {person_id} not found")
    return person_json(session, person)


@router.get("/contacts")
def list_queue(session: DbSession,
               principal: Annotated[Principal, Depends(require_roles(*READERS))]) -> list[dict[str, Any]]:
    """Contacts awaiting a decision or a downgrade approval, most urgent first: those this principal
    may read (need to know by team, identity/access.py), the rest left out."""
    return [
        {"id": c.id, "channel": c.channel, "grade": c.grade, "route": c.route, "flags": c.flags,
         "status": c.status, "received_at": c.received_at.isoformat()}
        for c in service.queue(session, principal=principal) if _readable(principal, c)
    ]


def _readable(principal: Principal, contact: Any) -> bool:
    try:
        access.view_for("contact", principal, own=access.contact_relation(principal, contact))
    except access.AccessDenied:
        return False
    return True


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
    _view(session, contact_id, principal)  # acting on a contact needs the right to read it
    contact = service.decide(session, contact_id, principal, grade=data.grade, route=data.route,
                             reason=data.reason, appointment_at=data.appointment_at)
    return _shown(session, contact.id, principal)


@router.post("/contacts/{contact_id}/answers")
def record_answers(
    contact_id: Annotated[int, Path(ge=1, le=2**63 - 1)], data: Answers, session: DbSession,
    principal: Annotated[Principal, Depends(require_roles("call_handler", "chat_operator", "supervisor"))],
) -> dict[str, Any]:
    """The handler's answers to the key questions: triage runs again and the result is the proposal."""
    _view(session, contact_id, principal)
    contact = service.reassess_with_answers(session, contact_id, principal, data.model_dump(exclude_none=True))
    return _shown(session, contact.id, principal)


@router.post("/contacts/{contact_id}/approval")
def approve(
    contact_id: int, data: ApprovalIn, session: DbSession,
    principal: Annotated[Principal, Depends(require_roles("supervisor"))],
) -> dict[str, Any]:
    contact = service.approve_downgrade(session, contact_id, principal, data.approve, data.note)
    return _shown(session, contact.id, principal)
