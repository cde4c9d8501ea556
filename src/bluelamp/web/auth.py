"""Who is calling, and may they? Every route declares its roles through `require_roles` or `public`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from bluelamp.identity import service as identity
from bluelamp.identity.model import ROLES, Principal


class LoginRequired(Exception):
    """Raised for an anonymous page request; answered with a redirect to the login page."""


def get_session(request: Request) -> Iterator[Session]:
    """A unit of work for the request: committed as soon as the route function returns, before the
    response is built (scope="function" below), rolled back on error. A failed commit raises
    CommitFailed, answered with a 503, so nothing unstored is ever acknowledged. GET and HEAD get a
    read-only unit (a deferred BEGIN on SQLite: reads never take the write lock; a write in it fails)."""
    write = request.method not in ("GET", "HEAD")
    with request.app.state.db.unit_of_work(write=write) as session:
        yield session


DbSession = Annotated[Session, Depends(get_session, scope="function")]


# Bearer tokens resolved in the last few seconds, so a busy client costs one lookup, not one per
# request. A revoked token or a changed role takes effect within TOKEN_CACHE_S.
TOKEN_CACHE_S = 10.0
_token_cache: dict[str, tuple[float, Principal]] = {}


def _cached_bearer(request: Request) -> Principal | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    hit = _token_cache.get(f"{id(request.app.state.db)}:{header[7:].strip()}")
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def current_principal(request: Request) -> Principal | None:
    header = request.headers.get("authorization", "")
    db = request.app.state.db
    if header.lower().startswith("bearer "):
        secret = header[7:].strip()
        key = f"{id(db)}:{secret}"
        hit = _token_cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        # Read-only (never the write lock); the last use is written at most once a minute.
        with db.unit_of_work(write=False) as session:
            principal, touch = identity.lookup_token(session, secret)
        if touch is not None:
            with db.unit_of_work() as session:
                identity.touch_token(session, touch)
        if principal is not None:
            if len(_token_cache) > 10_000:
                _token_cache.clear()
            _token_cache[key] = (time.monotonic() + TOKEN_CACHE_S, principal)
        return principal
    # The signed cookie carries only a session secret; the session itself lives in the database, so
    # logout, disabling the user, a password change and the idle/absolute timeouts end it at once.
    sid = request.session.get("sid") if "session" in request.scope else None
    if isinstance(sid, str) and sid:
        with db.unit_of_work(write=False) as session:
            principal, write = identity.lookup_session(session, sid)
        if write is not None:  # end a timed-out session, or note activity (at most once a minute)
            with db.unit_of_work() as session:
                identity.apply_session_write(session, write)
        return principal
    return None


# Bearer look-ups in progress, one per token (and event loop): when a busy client's cached token
# expires, the hundreds of its requests in flight then wait for one look-up instead of each queueing
# its own in the small `auth` pool, whose bound (64 waiting) would answer the rest 503, a 999 contact
# among them (seen in the open-loop benchmark at 300 contacts a second).
_in_flight: dict[str, asyncio.Future[object]] = {}
_FAILED = object()


async def _resolve_once(request: Request) -> Principal | None:
    from bluelamp.web.pools import pool

    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return await pool("auth").run(lambda: current_principal(request))
    loop = asyncio.get_running_loop()
    key = f"{id(loop)}:{id(request.app.state.db)}:{header[7:].strip()}"
    running = _in_flight.get(key)
    if running is not None:
        found = await asyncio.shield(running)
        if found is not _FAILED:
            return found  # type: ignore[return-value]
        # the look-up it waited for failed (busy, database down): try its own, as before
        return await pool("auth").run(lambda: current_principal(request))
    mine: asyncio.Future[object] = loop.create_future()
    _in_flight[key] = mine
    try:
        principal = await pool("auth").run(lambda: current_principal(request))
    except BaseException:
        mine.set_result(_FAILED)
        raise
    finally:
        _in_flight.pop(key, None)
    mine.set_result(principal)
    return principal


class RoleGuard:
    """A dependency that admits a principal holding any of `roles` (admin always)."""

    def __init__(self, roles: tuple[str, ...], page: bool = False) -> None:
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise ValueError(f"unknown role {unknown[0]!r}")
        self.roles = roles
        self.page = page

    async def __call__(self, request: Request) -> Principal:
        # A bearer token seen in the last few seconds is answered here, with no thread at all; any
        # other look-up runs in the small `auth` pool, never in the shared request threads, so a
        # crowd of page or sign-in requests cannot make a contact wait to be authenticated.
        principal = _cached_bearer(request)
        if principal is None:
            principal = await _resolve_once(request)
        if principal is None:
            if self.page:
                raise LoginRequired()
            raise HTTPException(401, detail="authentication required: send 'Authorization: Bearer <token>'",
                                headers={"WWW-Authenticate": "Bearer"})
        if not principal.has_any(*self.roles):
            raise HTTPException(403, detail=f"this needs one of the roles: {', '.join(self.roles)}")
        request.state.principal = principal
        return principal


class PublicAccess:
    """Marks a route as deliberately open (health, login, the public chat and report).

    Async, so it runs on the event loop: a sync dependency would take one of the shared request
    threads for every anonymous request (a flood of sign-in pages would queue behind them)."""

    roles: tuple[str, ...] = ()

    async def __call__(self) -> None:
        return None


def require_roles(*roles: str) -> RoleGuard:
    return RoleGuard(roles)


def page_roles(*roles: str) -> RoleGuard:
    return RoleGuard(roles, page=True)


public = PublicAccess()
