"""JSON routes of the telephony context: the platform's event feed, the call measures, the call-back queue.

`POST /api/v1/telephony/events` (role `telephony`, admin) takes a list of events and answers 202 with
what was accepted, what was a duplicate and what was rejected (by index, with the reason): one bad
event never loses the others. `GET /api/v1/callbacks?status=open` is the queue, most urgent first.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bluelamp import clock
from bluelamp.identity.model import Principal
from bluelamp.telephony import callbacks, service
from bluelamp.telephony import measures as call_measures
from bluelamp.telephony.model import MAX_CALL_ID, OUTCOMES, TelephonyError
from bluelamp.web.auth import DbSession, require_roles

router = APIRouter(tags=["telephony"])
FEED = ("telephony",)
HANDLERS = ("call_handler", "supervisor")
READERS = ("leader", "analyst", "supervisor")


@router.post("/telephony/events", status_code=202)
def post_events(
    session: DbSession,
    principal: Annotated[Principal, Depends(require_roles(*FEED))],
    events: Annotated[list[Any], Body(max_length=service.MAX_EVENTS)],
) -> JSONResponse:
    """Call events from the contact-centre platform; idempotent by (call_id, event, at), any order."""
    result = service.ingest(session, events, principal.actor)
    return JSONResponse(result, 202)


@router.get("/telephony/calls", dependencies=[Depends(require_roles("supervisor"))])
def flagged_calls(session: DbSession, unoffered: Annotated[bool, Query()] = True,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
    """Calls kept but flagged: events arrived for a call never offered (no numbers shown)."""
    if not unoffered:
        raise TelephonyError("only unoffered=true is listed here", "unoffered")
    return [service.call_json(c) for c in service.flagged_calls(session, limit)]


@router.get("/telephony/calls/{call_id}", dependencies=[Depends(require_roles("supervisor"))])
def get_call(session: DbSession, call_id: str) -> dict[str, Any]:
    """One call's derived state and its event count."""
    from sqlalchemy import select

    from bluelamp.telephony.store import Call

    if len(call_id) > MAX_CALL_ID:
        raise TelephonyError("call_id is too long", "call_id")
    call = session.execute(select(Call).where(Call.call_id == call_id)).scalar_one_or_none()
    if call is None:
        raise TelephonyError("no such call", "call_id", 404)
    return service.call_json(call)


@router.get("/telephony/measures", dependencies=[Depends(require_roles(*READERS))])
def get_call_measures(
    session: DbSession,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    by: Annotated[str, Query(pattern="^(day|hour|hour_of_day)$")] = "day",
) -> dict[str, Any]:
    """The call measures for a period, per line, and broken down by day, hour or hour of the day."""
    from bluelamp.performance.service import make_scope, resolve_period, zone

    tz = zone()
    d_from, d_to = resolve_period(date_from, date_to, tz)
    scope = make_scope(d_from, d_to, tz=tz)
    return {"from": d_from.isoformat(), "to": d_to.isoformat(), "timezone": tz.key,
            "calls": call_measures.calls(session, scope.start, scope.end),
            "callbacks": callbacks.measures(session, scope.start, scope.end),
            "by": by, "rows": call_measures.breakdown(session, scope.start, scope.end, tz, by)}


# --- the call-back queue ----------------------------------------------------------------------------


@router.get("/callbacks", dependencies=[Depends(require_roles(*HANDLERS))])
def get_callbacks(session: DbSession, status: Annotated[str, Query(pattern="^(open|taken|closed)$")] = "open",
                  limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> list[dict[str, Any]]:
    """The call-back queue, most urgent first: each with id, number, deadline, priority and reasons."""
    now = clock.now()
    return [callbacks.item_json(c, now) for c in callbacks.queue(session, status, now, limit)]


@router.post("/callbacks/next")
def take_next(session: DbSession, principal: Annotated[Principal, Depends(require_roles(*HANDLERS))]) -> dict[str, Any]:
    """Take the most urgent item that is due now; 404 when there is none."""
    item = callbacks.take_next(session, principal)
    if item is None:
        raise TelephonyError("no call-back is due now", "queue", 404)
    return callbacks.item_json(item)


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(pattern="^(" + "|".join(OUTCOMES) + ")$")
    contact_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    note: str | None = Field(default=None, max_length=500)


@router.post("/callbacks/{item_id}/outcome")
def post_outcome(session: DbSession, item_id: int, body: OutcomeIn,
                 principal: Annotated[Principal, Depends(require_roles(*HANDLERS))]) -> dict[str, Any]:
    """Record one attempt: reached (with the contact recorded), no_answer (retried up to the limit), not_needed."""
    item = callbacks.record_outcome(session, item_id, body.outcome, principal, body.contact_id, body.note)
    return callbacks.item_json(item)


@router.get("/callbacks/alerts", dependencies=[Depends(require_roles(*HANDLERS))])
def get_alerts(session: DbSession) -> list[dict[str, Any]]:
    """Open alerts for abandoned 999 calls: call back now (never queue items)."""
    return callbacks.open_alerts(session)


class AlertDoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(pattern="^(" + "|".join(OUTCOMES) + ")$")
    note: str | None = Field(default=None, max_length=500)


@router.post("/callbacks/alerts/{alert_id}/done")
def alert_done(session: DbSession, alert_id: int, body: AlertDoneIn,
               principal: Annotated[Principal, Depends(require_roles(*HANDLERS))]) -> dict[str, Any]:
    """Record the call-back to an abandoned 999 call and close its alert."""
    callbacks.resolve_alert(session, alert_id, body.outcome, principal, body.note)
    return {"id": alert_id, "resolved": True, "outcome": body.outcome}
