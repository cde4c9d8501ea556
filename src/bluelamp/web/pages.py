"""Sign in, sign out, and the home page that sends each role to its work."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bluelamp.audit import service as audit
from bluelamp.identity import service as identity
from bluelamp.identity.model import ROLES, Principal
from bluelamp.web.auth import current_principal, page_roles, public
from bluelamp.web.pools import pooled
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)

# Where each role starts its shift.
LANDING = [
    ("call_handler", "/contacts/new"), ("supervisor", "/contacts"), ("dispatcher", "/incidents"),
    ("chat_operator", "/chat/console"), ("investigator", "/crimes"), ("cab_officer", "/crimes"),
    ("victim_care", "/crimes"), ("analyst", "/demand"), ("leader", "/performance"), ("auditor", "/audit"),
]


def _safe_next(target: str | None) -> str:
    # Only local paths: never redirect to another site after sign-in.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login", dependencies=[Depends(public)])
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", dependencies=[Depends(public)])
@pooled("login")  # argon2 in a small pool of its own: a flood of sign-ins cannot take the request threads
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    with request.app.state.db.unit_of_work() as session:
        principal = identity.authenticate(session, username, password)
        if principal is not None:
            audit.record(session, principal.actor, "user.signed_in", "user", principal.user_id)
    if principal is None:
        return render(request, "login.html", {"next": _safe_next(next), "error": "Wrong username or password."}, 401)
    request.session.clear()
    request.session["uid"] = principal.user_id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(public)])
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/", dependencies=[Depends(public)])
def home(request: Request) -> Response:
    principal = current_principal(request)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    for role, path in LANDING:
        if role in principal.roles:
            return RedirectResponse(path, status_code=303)
    return RedirectResponse("/contacts", status_code=303)


@router.get("/me")
def me(principal: Annotated[Principal, Depends(page_roles(*ROLES))]) -> dict[str, object]:
    return {"username": principal.username, "roles": sorted(principal.roles)}
