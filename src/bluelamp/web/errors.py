"""The one place that maps errors to HTTP answers.

Every context raises its own error type carrying `field` (what is wrong) and `status` (a 4xx; 422 when
not given): ContactError, ResponseError, CrimeError, VictimsError, ChatError, PeriodError and the rest
(`AppError` is the shared base for new ones). The handlers below turn them, and the framework's own
errors, into one shape: for `/api/...` a JSON body `{"detail": "field: message"}`; for pages an HTML
error page (a browser never gets raw JSON). A failed commit or an unreachable database is a 503 that
says nothing was recorded; a clash found at commit is a 409; anything else is a 500 that names
nothing internal (the log gets the error's type only: messages may hold personal data).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bluelamp.db.engine import DatabaseUnavailable

log = logging.getLogger("bluelamp.web.errors")

TITLES = {400: "Bad request", 401: "Sign in needed", 403: "Not allowed", 404: "Not found",
          405: "Not allowed", 409: "Conflict", 413: "Too large", 422: "Please check what you entered",
          429: "Too many requests", 500: "Something went wrong", 503: "Service unavailable"}
_NAMED = re.compile(r"^Value error, ([A-Za-z_][\w.]*): (.*)$", re.S)
NOT_RECORDED = "the database is unavailable; nothing was recorded, try again"


class AppError(ValueError):
    """A request that cannot be done: `field` names what is wrong, `status` is the HTTP answer."""

    def __init__(self, message: str, field: str = "body", status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


def wants_json(request: Request) -> bool:
    """JSON for the API (as always) and for a script that asks only for JSON; HTML for a browser."""
    if request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/openapi.json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


# Python's own wording must never reach a person: these are said in words, without the value typed.
_PYTHON_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Invalid isoformat string[^\n]*", re.I), "not a date and time this can read (for example 01/12/2026 14:30)"),
    (re.compile(r"time data .* does not match format[^\n]*", re.I), "not a date this can read (for example 01/12/2026)"),
    (re.compile(r"invalid literal for int\(\) with base \d+[^\n]*", re.I), "must be a whole number"),
    (re.compile(r"could not convert string to float[^\n]*", re.I), "must be a number"),
    (re.compile(r"(month|day|year|hour|minute|second) must be in [^\n]*", re.I), "is not a real date or time"),
    (re.compile(r"Input should be a valid datetime[^\n]*", re.I), "not a date and time this can read (for example 01/12/2026 14:30)"),
    (re.compile(r"Input should be a valid date[^\n]*", re.I), "not a date this can read (for example 01/12/2026)"),
    (re.compile(r"'NoneType' object[^\n]*|object has no attribute[^\n]*|KeyError[^\n]*", re.I), "is missing"),
)


def humane(message: str) -> str:
    """An error message as a person reads it: Python's phrases replaced by plain words."""
    for pattern, words in _PYTHON_WORDS:
        message = pattern.sub(words, message)
    return message


def way_back(request: Request) -> tuple[str, str]:
    """Where the error page sends the person: the nearest page above this one that their roles open
    (a crime's page leads back to the crimes list), else their start page."""
    from bluelamp.web.templating import can_open

    principal = getattr(request.state, "principal", None)
    path = request.url.path
    if principal is None:
        if path.startswith("/public"):
            return "/public", "Back to the contact page"
        return "/", "Go to your start page"  # the home page signs a person in first when needed
    parts = [p for p in path.split("/") if p]
    for n in range(len(parts) - 1, 0, -1):
        parent = "/" + "/".join(parts[:n])
        if parent != path and can_open(request, principal, parent):
            return parent, "Back to " + parent.strip("/").split("/")[-1].replace("-", " ")
    return "/", "Back to your start page"


def answer(request: Request, status: int, detail: Any, headers: dict[str, str] | None = None,
           extra: dict[str, Any] | None = None) -> Response:
    """The error in the shape the caller reads: JSON for the API, an HTML page for a browser."""
    if wants_json(request):
        if isinstance(detail, str):
            detail = humane(detail)
        return JSONResponse({"detail": detail, **(extra or {})}, status, headers=headers)
    from bluelamp.web.templating import render

    text = humane(detail) if isinstance(detail, str) else "The request could not be done."
    problems = [humane(f"{e.get('field')}: {e.get('message')}") for e in (extra or {}).get("errors", [])
                if isinstance(e, dict)]
    back, back_label = way_back(request)
    try:
        page = render(request, "error.html", {"title": TITLES.get(status, "Error"), "detail": text,
                                              "problems": problems if len(problems) > 1 else [],
                                              "status": status, "back": back, "back_label": back_label}, status)
    except Exception as exc:  # the error page itself must never fail the answer
        log.error("error page failed: %s", type(exc).__name__)
        from fastapi.responses import HTMLResponse

        return HTMLResponse(f"<h1>Error {status}</h1>", status, headers=headers)
    if headers:
        page.headers.update(headers)
    return page


def domain_status(exc: Exception) -> int:
    status = getattr(exc, "status", 422)
    return status if isinstance(status, int) and 400 <= status < 500 else 422


def install(app: FastAPI) -> None:
    from bluelamp.web.auth import LoginRequired

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # Name the bad field; never echo the submitted value (it may be personal data).
        errors = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
            field, message = ".".join(loc) or "body", str(err.get("msg", "invalid"))
            named = _NAMED.match(message)
            if named and (field == "body" or named.group(1).startswith(field + ".")):
                # a check across fields names the one at fault itself
                field, message = named.group(1), named.group(2)
            errors.append({"field": field, "message": message, "type": err.get("type")})
        status = 413 if any(e["type"] == "string_too_long" and e["field"] == "narrative" for e in errors) else 422
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        return answer(request, status, f"{first['field']}: {first['message']}", extra={"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if not wants_json(request) and exc.status_code in (403, 404, 405):
            await _signed_in(request)
        return answer(request, exc.status_code, exc.detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(ValueError)
    async def _domain(request: Request, exc: ValueError) -> Response:
        # Every context's error type is a ValueError with `field` (and usually `status`).
        if isinstance(exc, ValidationError):  # a model checked inside a route: still the caller's input
            errs = exc.errors()
            where = ".".join(str(p) for p in errs[0]["loc"]) if errs else "body"
            return answer(request, 422, f"{where or 'body'}: {errs[0]['msg'] if errs else 'invalid'}")
        field = getattr(exc, "field", None)
        if not isinstance(field, str):
            return _internal(request, exc)
        return answer(request, domain_status(exc), f"{field}: {exc}")

    @app.exception_handler(DatabaseUnavailable)
    async def _unavailable(request: Request, exc: DatabaseUnavailable) -> Response:
        log.warning("commit failed or database unavailable on %s: %s", request.url.path,
                    type(exc.__cause__ or exc).__name__)
        return answer(request, 503, NOT_RECORDED, headers={"Retry-After": "5"})

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> Response:
        # a number in the body too large for the database (path and query are bounded in bounds.py)
        return answer(request, 422, "body: a number is out of range")

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> Response:
        # PostgreSQL's INTEGER ids are 32-bit: a 64-bit id within the path bound can still overflow
        return answer(request, 422, "id: a number is out of range for the database (ids are 32-bit here)")

    @app.exception_handler(IntegrityError)
    async def _conflict(request: Request, exc: IntegrityError) -> Response:
        return answer(request, 409, "a concurrent change conflicts with this one; nothing was recorded, try again")

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError) -> Response:
        log.warning("database unavailable on %s", request.url.path)
        return answer(request, 503, NOT_RECORDED, headers={"Retry-After": "5"})

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            return answer(request, 503, NOT_RECORDED, headers={"Retry-After": "5"})
        log.error("database error on %s: %s", request.url.path, type(exc.orig).__name__)
        return answer(request, 500, "database error; nothing was recorded")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        return _internal(request, exc)


async def _signed_in(request: Request) -> None:
    """An error page keeps the person's top bar (and Sign out): a refused or unknown page has not
    resolved who is signed in, so look it up here, off the event loop, read-only."""
    if getattr(request.state, "principal", None) is not None or "session" not in request.scope:
        return
    from starlette.concurrency import run_in_threadpool

    from bluelamp.web.auth import current_principal

    try:
        request.state.principal = await run_in_threadpool(current_principal, request)
    except Exception as exc:  # the error page must still answer when the database does not
        log.warning("error page: principal not resolved: %s", type(exc).__name__)


def _internal(request: Request, exc: Exception) -> Response:
    log.error("unexpected error on %s: %s", request.url.path, type(exc).__name__)
    return answer(request, 500, "internal error; if this was a change, check whether it was recorded")
