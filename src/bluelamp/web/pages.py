"""Sign in, sign out, and the home page that sends each role to its work."""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bluelamp.audit import service as audit
from bluelamp.config import get_settings
from bluelamp.identity import service as identity
from bluelamp.identity.model import ROLES, Principal
from bluelamp.identity.throttle import LoginThrottle
from bluelamp.web.auth import current_principal, page_roles, public
from bluelamp.web.pools import pool
from bluelamp.web.security import csrf_token
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)
log = logging.getLogger("bluelamp.web.login")
throttle = LoginThrottle()

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
async def login_form(request: Request, next: str = "/") -> HTMLResponse:
    # On the event loop: the form needs no database and no thread (a flood of sign-in pages takes
    # none of the request threads).
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", dependencies=[Depends(public)])
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    address = request.client.host if request.client else "unknown"
    # A wait this process already remembers (identity/throttle.py, MEMO_S) is answered here, on the
    # event loop: no thread hop, no statement. Anything else goes to the sign-in pool, which asks the
    # database as before (argon2 in a small pool of its own: a flood cannot take the request threads).
    wait = throttle.remembered_wait_s(username, address)
    if wait > 0:
        return _throttled(request, username, address, next, wait)
    return await pool("login").run(lambda: _login(request, username, password, next, address))


def _throttled(request: Request, username: str, address: str, next: str, wait: float) -> Response:
    """The answer to a sign-in attempt while its username or address is throttled (one definition,
    whether the wait was remembered or read from the database)."""
    log.warning("sign-in refused while throttled: user_ref=%s addr_ref=%s", _ref(username), _ref(address))
    return render(request, "login.html", {"next": _safe_next(next), "error":
                  f"Too many failed sign-ins. Try again in {int(wait) + 1} seconds."}, 429)


def _login(request: Request, username: str, password: str, next: str, address: str) -> Response:
    wait = throttle.wait_s(request.app.state.db, username, address)  # counted in the database
    if wait > 0:
        return _throttled(request, username, address, next, wait)
    # The password is checked (argon2, in a worker process) in a read-only unit of work: on SQLite a
    # write transaction would hold the database's one write lock, and every 999 contact, while it waits.
    with request.app.state.db.unit_of_work(write=False) as session:
        principal = identity.authenticate(session, username, password)
    with request.app.state.db.unit_of_work() as session:
        if principal is not None:
            sid = identity.start_session(session, principal)
            audit.record(session, principal.actor, "user.signed_in", "user", principal.user_id)
        else:
            locked = throttle.failed(session, username, address)
            # Application logs carry no personal data: the username and address as keyed digests only.
            log.warning("sign-in failed: user_ref=%s addr_ref=%s%s", _ref(username), _ref(address),
                        " (now locked)" if locked else "")
            uid = identity.user_id_of(session, username)
            if locked and uid is not None:
                audit.record(session, "system:login", "user.sign_in_locked", "user", uid,
                             after={"lock_minutes": throttle_rule_minutes()})
    if principal is None:
        return render(request, "login.html", {"next": _safe_next(next), "error": "Wrong username or password."}, 401)
    throttle.succeeded(request.app.state.db, username)
    request.session.clear()
    request.session["sid"] = sid
    csrf_token(request.session)  # a fresh token for the new session
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(public)])
def logout(request: Request) -> RedirectResponse:
    sid = request.session.get("sid")
    if isinstance(sid, str) and sid:
        with request.app.state.db.unit_of_work() as session:
            uid = identity.end_session(session, sid)
            if uid is not None:
                audit.record(session, f"user_id:{uid}", "user.signed_out", "user", uid)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def throttle_rule_minutes() -> int:
    from bluelamp.identity.throttle import USERNAME_RULE

    return int(USERNAME_RULE.lock_s // 60)


def _ref(value: str) -> str:
    """A keyed digest that lets an operator see repeats in the log without the value itself."""
    key = get_settings().resolved_secret_key().encode()
    return hmac.new(key, value.lower().encode(), hashlib.sha256).hexdigest()[:12]


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
