"""HTML pages: the mock force web page with the chat widget, the public online report form, and the
operator console. The sockets live in ws.py and are served from here (at the site root)."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from bluelamp.chat import hub as hubs
from bluelamp.chat import online, ws
from bluelamp.chat.api import STAFF, client_address
from bluelamp.chat.settings import get_chat_settings
from bluelamp.contact import service as contacts
from bluelamp.identity.model import Principal
from bluelamp.web.auth import DbSession, page_roles, public
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(ws.router)

REPORT_FIELDS = ("what_happened", "when", "where", "reporting_for", "name", "phone", "email", "dob", "address")


@router.get("/public", dependencies=[Depends(public)])
def force_page(request: Request) -> HTMLResponse:
    """A mock force home page carrying the embeddable widget (one script tag)."""
    return render(request, "chat/public.html", {"principal": None})


@router.get("/public/report", dependencies=[Depends(public)])
def report_form(request: Request) -> HTMLResponse:
    return render(request, "chat/report.html", {"principal": None, "form": {}, "errors": []})


@router.post("/public/report", dependencies=[Depends(public)])
async def report_submit(request: Request) -> HTMLResponse:
    """The form posts here (works without JavaScript); the result page gives the reference number."""
    form = await request.form()
    raw = {k: str(form.get(k) or "").strip() for k in REPORT_FIELDS}
    body = {k: v for k, v in raw.items() if v}
    try:
        data = online.OnlineReportIn.model_validate(body)
    except ValidationError as exc:
        errors = [f"{_label(e['loc'])}: {e['msg']}" for e in exc.errors()]
        return render(request, "chat/report.html", {"principal": None, "form": raw, "errors": errors}, 422)
    wait = await anyio.to_thread.run_sync(hubs.get_hub(request.app).reports.allow, client_address(request))
    if wait:
        return render(request, "chat/report.html", {
            "principal": None, "form": raw,
            "errors": [f"Too many reports from this connection; please try again in {int(wait) + 1} seconds."]}, 429)
    result = await hubs.run(request.app, lambda s: online.submit_report(s, data))
    return render(request, "chat/report_done.html", {"principal": None, "result": result}, 201)


def _label(loc: tuple[object, ...]) -> str:
    return " ".join(str(p) for p in loc).replace("_", " ")


@router.get("/chat/console")
def console(request: Request, session: DbSession,
            principal: Annotated[Principal, Depends(page_roles(*STAFF))]) -> HTMLResponse:
    """The chat operator's console (live over /chat/ws/operator); supervisors also see alerts and all chats."""
    reports = [c for c in contacts.queue(session) if c.channel == "online"][:50]
    return render(request, "chat/console.html", {
        "reports": reports, "supervisor": principal.has_any("supervisor"),
        "limit": get_chat_settings().max_per_operator})
