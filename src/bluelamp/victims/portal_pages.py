"""The victim's own page, /my-case (public): sign in with the crime reference and access code, see the
case, ask for a call, change how to be contacted, add information.

The victim's sign-in lives in its own cookie (`bluelamp_mycase`, path /my-case, HttpOnly, SameSite
strict), never in the staff session; CSRF is the same synchroniser token as the other forms
(web/security.py checks every POST under /my-case). No scripts at all, so the CSP has nothing to allow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bluelamp import clock
from bluelamp.audit import access
from bluelamp.config import get_settings
from bluelamp.victims import portal, portal_codes
from bluelamp.victims.model import VictimsError
from bluelamp.victims.store import Victim
from bluelamp.web.auth import public
from bluelamp.web.pools import pooled
from bluelamp.web.security import csrf_token
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)
log = logging.getLogger("bluelamp.portal")
COOKIE = "bluelamp_mycase"
PATH = "/my-case"
NOT_SIGNED_IN = ("We could not sign you in with that crime reference and code. Check both and try again. "
                 "If it still does not work, call 101 and ask for a new code.")
DONE = {"call": "Thank you. We have asked the investigation team to call you.",
        "method": "Thank you. We will contact you the way you chose.",
        "information": "Thank you. What you wrote has been passed to the investigation team."}


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _form_page(request: Request, error: str | None = None, status: int = 200, reference: str = "") -> HTMLResponse:
    csrf_token(request.session)  # the sign-in form carries a token, as the staff sign-in does
    return render(request, "victims/portal_signin.html", {"principal": None, "error": error,
                                                            "reference": reference[:20]}, status)


def _signed_out(request: Request) -> Response:
    res = _form_page(request)
    res.delete_cookie(COOKIE, path=PATH)
    return res


def _victim_of(request: Request, session: Any) -> Victim | None:
    """The signed-in victim, if their session is live and their crime is still shown online."""
    row = portal_codes.resolve_session(session, request.cookies.get(COOKIE))
    if row is None:
        return None
    victim = session.get(Victim, row.victim_id)
    if victim is None or not portal.shown_online(session, victim.crime_id):
        row.ended_at = row.last_seen_at
        return None
    return victim


@router.get(PATH, dependencies=[Depends(public)])
def my_case(request: Request) -> Response:
    db = request.app.state.db
    with db.unit_of_work() as session:
        victim = _victim_of(request, session)
        if victim is None:
            return _signed_out(request)
        view = portal.case_view(session, victim)
        portal.mark_read(session, victim.id, [u["id"] for u in view["updates"]], clock.now())
        vid = victim.id
    # Each view is a read of the victim's record, by the victim (written before the page is answered).
    try:
        access.write(db, f"victim:{vid}", "victim", str(vid), PATH, _address(request), "the victim's own page")
    except Exception as exc:  # nothing is shown that was not recorded (as audit/access.py does for staff)
        log.error("access log not written (%s): the victim's page was not shown", type(exc).__name__)
        return HTMLResponse("<p>Sorry, this page is not available just now. Please try again later.</p>", 503)
    csrf_token(request.session)
    done = DONE.get(request.query_params.get("done") or "")
    error = request.query_params.get("error")
    return render(request, "victims/portal_case.html", {"principal": None, "case": view, "done": done,
                                                          "error": error[:300] if error else None})


@router.post(f"{PATH}/sign-in", dependencies=[Depends(public)])
@pooled("portal")  # argon2 off the request threads and off the contact capacity (web/pools.py)
def sign_in(request: Request, reference: Annotated[str, Form(max_length=40)],
            code: Annotated[str, Form(max_length=64)]) -> Response:
    with request.app.state.db.unit_of_work() as session:
        result = portal_codes.check(session, reference, code, _address(request), shown_online=portal.shown_online)
        secret = portal_codes.start_session(session, result) if result.outcome == "signed_in" else None
    if secret is None:
        # Application logs carry digests only; the attempt itself is in portal_attempt.
        log.warning("my-case sign-in refused: %s ref_ref=%s addr_ref=%s", result.outcome,
                    portal_codes.digest(reference)[:12], portal_codes.digest(_address(request))[:12])
        if result.outcome == "throttled":
            return _form_page(request, "Too many tries. Wait 15 minutes and try again, or call 101.", 429, reference)
        return _form_page(request, NOT_SIGNED_IN, 401, reference)
    res = RedirectResponse(PATH, status_code=303)
    res.set_cookie(COOKIE, secret, path=PATH, httponly=True, samesite="strict",
                   secure=get_settings().is_production)
    return res


def _act(request: Request, do: Callable[[Any, Victim], object], done: str) -> Response:
    try:
        with request.app.state.db.unit_of_work() as session:
            victim = _victim_of(request, session)
            if victim is None:
                return _signed_out(request)
            do(session, victim)
    except VictimsError as exc:
        return RedirectResponse(f"{PATH}?error={quote(str(exc)[:300])}", status_code=303)
    return RedirectResponse(f"{PATH}?done={done}", status_code=303)


@router.post(f"{PATH}/call", dependencies=[Depends(public)])
def ask_for_call(request: Request, when: Annotated[str, Form(max_length=200)] = "") -> Response:
    return _act(request, lambda s, v: portal.ask_for_call(s, v, when=when), "call")


@router.post(f"{PATH}/contact-method", dependencies=[Depends(public)])
def contact_method(request: Request, method: Annotated[str, Form(max_length=16)]) -> Response:
    return _act(request, lambda s, v: portal.set_contact_method(s, v, method), "method")


@router.post(f"{PATH}/information", dependencies=[Depends(public)])
def add_information(request: Request, information: Annotated[str, Form(max_length=portal.MAX_INFORMATION + 100)]
                    ) -> Response:
    return _act(request, lambda s, v: portal.add_information(s, v, information), "information")


@router.post(f"{PATH}/sign-out", dependencies=[Depends(public)])
def sign_out(request: Request) -> Response:
    with request.app.state.db.unit_of_work() as session:
        portal_codes.end_session(session, request.cookies.get(COOKIE))
    res = RedirectResponse(PATH, status_code=303)
    res.delete_cookie(COOKIE, path=PATH)
    return res


@router.get(f"{PATH}/help", dependencies=[Depends(public)])
def help_page(request: Request) -> HTMLResponse:
    return render(request, "victims/portal_help.html", {"principal": None})
