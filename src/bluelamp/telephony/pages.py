"""HTML pages of the telephony context: the call-back queue for handlers, and the dashboard's call panel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.identity.model import Principal
from bluelamp.telephony import callbacks
from bluelamp.telephony import measures as call_measures
from bluelamp.telephony.model import OUTCOMES, TelephonyError
from bluelamp.web.auth import DbSession, page_roles
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)
HANDLERS = ("call_handler", "supervisor")


def _page(request: Request, session: Session, principal: Principal, error: str | None = None,
          status: int = 200) -> HTMLResponse:
    now = clock.now()
    items = [callbacks.item_json(c, now) for c in callbacks.queue(session, "open", now, 200)]
    mine = [callbacks.item_json(c, now) for c in callbacks.queue(session, "taken", now, 200)
            if c.taken_by == principal.actor]
    return render(request, "telephony/callbacks.html", {
        "items": items, "mine": mine, "alerts": callbacks.open_alerts(session), "outcomes": OUTCOMES,
        "error": error, "now_iso": clock.iso(now)}, status)


@router.get("/callbacks", response_class=HTMLResponse)
def callbacks_page(request: Request, session: DbSession,
                   principal: Annotated[Principal, Depends(page_roles(*HANDLERS))], none: str = "") -> HTMLResponse:
    """Abandoned 999 calls to call back now, then the 101 call-back queue, most urgent first."""
    return _page(request, session, principal, "No call-back is due now." if none else None)


@router.post("/callbacks/next")
def take_next_page(request: Request, session: DbSession,
                   principal: Annotated[Principal, Depends(page_roles(*HANDLERS))]) -> Response:
    # Nothing due is a redirect too (never a 2xx for a write route that may have written nothing).
    if callbacks.take_next(session, principal) is None:
        return RedirectResponse("/callbacks?none=1", status_code=303)
    return RedirectResponse("/callbacks", status_code=303)


@router.post("/callbacks/{item_id}/outcome")
def outcome_page(request: Request, session: DbSession, item_id: int,
                 principal: Annotated[Principal, Depends(page_roles(*HANDLERS))],
                 outcome: Annotated[str, Form(max_length=16)] = "",
                 contact_id: Annotated[str, Form(max_length=12)] = "",
                 note: Annotated[str, Form(max_length=500)] = "") -> Response:
    cid = int(contact_id) if contact_id.strip().isdigit() else None
    if contact_id.strip() and cid is None:
        return _page(request, session, principal, "contact_id: a contact number is digits only", 422)
    try:
        callbacks.record_outcome(session, item_id, outcome, principal, cid, note)
    except TelephonyError as exc:
        session.rollback()
        return _page(request, session, principal, f"{exc.field}: {exc}", exc.status)
    return RedirectResponse("/callbacks", status_code=303)


@router.post("/callbacks/alerts/{alert_id}/done")
def alert_done_page(request: Request, session: DbSession, alert_id: int,
                    principal: Annotated[Principal, Depends(page_roles(*HANDLERS))],
                    outcome: Annotated[str, Form(max_length=16)] = "",
                    note: Annotated[str, Form(max_length=500)] = "") -> Response:
    try:
        callbacks.resolve_alert(session, alert_id, outcome, principal, note)
    except TelephonyError as exc:
        session.rollback()
        return _page(request, session, principal, f"{exc.field}: {exc}", exc.status)
    return RedirectResponse("/callbacks", status_code=303)


def dashboard_panel(session: Session, date_from: str, date_to: str) -> dict[str, Any]:
    """The call measures panel of the performance dashboard: per line, per day and per hour of the day."""
    from bluelamp.performance.service import make_scope, zone

    tz = zone()
    scope = make_scope(date.fromisoformat(date_from), date.fromisoformat(date_to), tz=tz)
    start: datetime = scope.start
    return {"lines": call_measures.calls(session, start, scope.end),
            "days": call_measures.breakdown(session, start, scope.end, tz, "day"),
            "hours": call_measures.breakdown(session, start, scope.end, tz, "hour_of_day"),
            "callbacks": callbacks.measures(session, start, scope.end)}
