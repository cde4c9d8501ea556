"""JSON routes of the chat context: the public start/transcript/online-report endpoints, and the
operator and supervisor actions (the same ones the console's socket offers)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from bluelamp import clock
from bluelamp.chat import hub as hubs
from bluelamp.chat import online, operations, service, store
from bluelamp.contact.model import Answers, Location, Person
from bluelamp.identity import access
from bluelamp.identity.model import Principal
from bluelamp.web.auth import DbSession, public, require_roles

router = APIRouter(tags=["chat"], lifespan=hubs.lifespan)

STAFF = operations.OPERATORS  # who serves chats: the one definition (operations.py), here as a route guard
FIGURES = ("chat_operator", "supervisor", "analyst", "leader")


def client_address(request: Any) -> str:
    """The peer address (a proxy in front should be trusted only once it is configured to be)."""
    return request.client.host if request.client else "unknown"


def _limited(wait: float) -> HTTPException:
    return HTTPException(429, detail=f"rate: too many requests; try again in {int(wait) + 1} s",
                         headers={"Retry-After": str(int(wait) + 1)})


class DetailsIn(BaseModel):
    """Optional details a person may give: none is required to chat."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=200)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=8, max_length=100)


# ---- public -----------------------------------------------------------------------------------

@router.post("/chat/start", status_code=201, dependencies=[Depends(public)])
async def start_chat(request: Request, details: DetailsIn | None = None) -> JSONResponse:
    """Open a chat (no account); the token is the person's key to it, kept only in their browser."""
    wait = await anyio.to_thread.run_sync(hubs.get_hub(request.app).starts.allow, client_address(request))
    if wait:
        raise _limited(wait)
    given = details.model_dump() if details else {}
    token, chat = await hubs.run(request.app, lambda s: _started(*service.start_chat(s, given)))
    return JSONResponse({"token": token, "reference": chat.reference, "socket": "/chat/ws"}, 201)


def _started(token: str, chat: Any, events: list[Any]) -> tuple[tuple[str, Any], list[Any]]:
    return (token, chat), events


@router.post("/chat/transcript", dependencies=[Depends(public)])
async def transcript(request: Request, data: TokenIn) -> PlainTextResponse:
    """The person's own transcript, as plain text (staff by first name only)."""
    text = await hubs.run(request.app, lambda s: (service.citizen_transcript(s, data.token), []))
    return PlainTextResponse(text, headers={"Content-Disposition": "attachment; filename=chat-transcript.txt",
                                            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


@router.post("/online-reports", status_code=201, dependencies=[Depends(public)])
async def online_report(request: Request, data: online.OnlineReportIn) -> JSONResponse:
    """A public online report: recorded at once as a contact on the `online` channel."""
    wait = await anyio.to_thread.run_sync(hubs.get_hub(request.app).reports.allow, client_address(request))
    if wait:
        raise _limited(wait)
    result = await hubs.run(request.app, lambda s: online.submit_report(s, data))
    return JSONResponse(result, 201)


# ---- staff ------------------------------------------------------------------------------------

Staff = Annotated[Principal, Depends(require_roles(*STAFF))]


async def _act(request: Request, fn: Any) -> Any:
    return await hubs.run(request.app, fn)


@router.get("/chats/queue", dependencies=[Depends(require_roles(*STAFF))])
def queue(session: DbSession) -> list[dict[str, Any]]:
    """Chats waiting for an operator: an emergency first, then by risk, then longest waiting."""
    return [service.summary(c) for c in store.waiting_chats(session)]


@router.get("/chats/figures", dependencies=[Depends(require_roles(*FIGURES))])
def figures(session: DbSession, from_: Annotated[datetime | None, Query(alias="from")] = None,
            to: datetime | None = None) -> dict[str, Any]:
    """Waiting time, handling time, abandonment and outcome per chat (default: the last 7 days)."""
    until = clock.as_utc(to) if to and to.tzinfo else clock.now()
    since = clock.as_utc(from_) if from_ and from_.tzinfo else until - timedelta(days=7)
    return operations.chat_figures(session, since, until)


@router.get("/chats/alerts", dependencies=[Depends(require_roles("supervisor"))])
def alerts(session: DbSession) -> list[dict[str, Any]]:
    return [service.alert_json(a, session.get(store.Chat, a.chat_id) if a.chat_id else None)
            for a in store.open_alerts(session)]


@router.post("/chats/alerts/{alert_id}/ack")
async def ack_alert(alert_id: int, request: Request,
                    principal: Annotated[Principal, Depends(require_roles("supervisor"))]) -> Any:
    return await _act(request, lambda s: operations.ack_alert(s, principal, alert_id))


class TakeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chat_id: int | None = None


@router.post("/chats/take")
async def take(request: Request, data: TakeIn, principal: Staff) -> Any:
    """Take the chat named, or the head of the queue."""
    chat = await _act(request, lambda s: operations.take(s, principal, data.chat_id))
    return await _act(request, lambda s: (operations.view(s, principal, chat.id), []))


@router.get("/chats/by-contact/{contact_id}",
            dependencies=[Depends(require_roles(*access.readers("chat")))])
async def by_contact(contact_id: int, request: Request) -> Any:
    """The chat a contact was recorded from, with its whole transcript (the transcript kept with the contact).
    A chat operator reads only the transcripts of chats they served (identity/access.py)."""
    principal, reason = request.state.principal, request.query_params.get("reason")
    return await _act(request, lambda s: (operations.transcript_for_contact(s, contact_id, principal, reason), []))


@router.get("/chats/{chat_id}")
async def view(chat_id: int, request: Request, principal: Staff,
               after_seq: Annotated[int, Query(ge=0)] = 0) -> Any:
    return await _act(request, lambda s: (operations.view(s, principal, chat_id, after_seq), []))


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(max_length=100_000)
    client_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")


@router.post("/chats/{chat_id}/messages", status_code=201)
async def send(chat_id: int, request: Request, data: MessageIn, principal: Staff) -> Any:
    return await _act(request, lambda s: operations.send(s, principal, chat_id, data.body, data.client_id))


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_user_id: int


@router.post("/chats/{chat_id}/transfer")
async def transfer(chat_id: int, request: Request, data: TransferIn, principal: Staff) -> Any:
    chat = await _act(request, lambda s: operations.transfer(s, principal, chat_id, data.to_user_id))
    return {"id": chat.id, "operator": chat.operator_username, "transfers": chat.transfers}


class ConvertIn(BaseModel):
    """What the operator established, added to the chat's own words and the person's details."""

    model_config = ConfigDict(extra="forbid")
    answers: Answers | None = None
    location: Location | None = None
    caller: Person | None = None
    people: list[Person] = Field(default_factory=list, max_length=50)


@router.post("/chats/{chat_id}/contact", status_code=201)
async def convert(chat_id: int, request: Request, data: ConvertIn, principal: Staff) -> Any:
    """Record the chat as a contact with its THRIVE assessment (then the usual route)."""
    extra = data.model_dump(mode="json", exclude_none=True)
    return await _act(request, lambda s: operations.convert(s, principal, chat_id, extra))


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: str | None = Field(default=None, max_length=32)


@router.post("/chats/{chat_id}/close")
async def close(chat_id: int, request: Request, data: CloseIn, principal: Staff) -> Any:
    chat = await _act(request, lambda s: operations.finish(s, principal, chat_id, data.outcome))
    return service.summary(chat)
