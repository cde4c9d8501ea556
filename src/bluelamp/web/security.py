"""Browser-facing protections, as one ASGI middleware: CSRF (synchroniser token and Origin /
Sec-Fetch-Site checks on cookie-authenticated requests), the Origin allow-list of WebSocket
handshakes, and the security headers of every response. See docs/security.md.

It sits inside the session middleware, so `scope["session"]` (the signed cookie's content) is there.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "bluelamp_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_BYTES = 25_000_000
# Sockets staff use: the Origin must be this site (or one named in BLUELAMP_ALLOWED_ORIGINS).
STAFF_SOCKETS = ("/chat/ws/operator",)

# img-src blob: lets the map draw tiles read out of the force's own PMTiles archive (fetched from this origin).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's synchroniser token, made on first use."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def own_origin(headers: Headers, scheme: str) -> str | None:
    host = headers.get("host")
    if not host:
        return None
    scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    return f"{scheme}://{host}".lower()


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, allowed_origins: tuple[str, ...] = (), public_origins: tuple[str, ...] = (),
                 production: bool = False) -> None:
        self.app = app
        self.allowed = {o.rstrip("/").lower() for o in allowed_origins if o}
        self.public = {o.rstrip("/").lower() for o in public_origins if o}
        self.production = production

    def origin_ok(self, origin: str, headers: Headers, scheme: str, extra: set[str] | None = None) -> bool:
        origin = origin.rstrip("/").lower()
        return origin == own_origin(headers, scheme) or origin in self.allowed or origin in (extra or set())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            staff = scope.get("path", "") in STAFF_SOCKETS
            # Browsers always send Origin on a WebSocket handshake; a socket from a foreign page is refused.
            if origin is not None and not self.origin_ok(origin, headers, scope.get("scheme", "ws"),
                                                         None if staff else self.public):
                await send({"type": "websocket.close", "code": 1008, "reason": "origin not allowed"})
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method = scope["method"]
        path = scope.get("path", "")
        if method not in SAFE_METHODS and _needs_csrf(scope, headers, path):
            refused = self._origin_refusal(headers, scope.get("scheme", "http"))
            if refused is None:
                receive, refused = await self._token_refusal(scope, receive, headers)
            if refused is not None:
                await _forbidden(send, refused, self._headers(path, scope))
                return
        extra = self._headers(path, scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k.lower() not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(self, path: str, scope: Scope) -> list[tuple[bytes, bytes]]:
        out = [
            (b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if not path.startswith("/static/"):
            # Personal data must not sit in shared or browser caches; static assets may.
            out.append((b"cache-control", b"no-store"))
        if self.production:
            out.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        return out

    def _origin_refusal(self, headers: Headers, scheme: str) -> str | None:
        origin = headers.get("origin")
        site = headers.get("sec-fetch-site")
        if origin is not None and origin != "null":
            if not self.origin_ok(origin, headers, scheme):
                return "request from a foreign origin refused"
            return None
        if site is not None and site not in ("same-origin", "none"):
            return "cross-site request refused"  # same-site (another port or subdomain) is foreign too
        # Browsers send "Origin: null" on a same-origin form post under Referrer-Policy: no-referrer;
        # then Sec-Fetch-Site must vouch for it.
        if origin == "null" and site != "same-origin":
            return "request from an opaque origin refused"
        return None

    async def _token_refusal(self, scope: Scope, receive: Receive, headers: Headers) -> tuple[Receive, str | None]:
        session = scope.get("session") or {}
        expected = session.get("csrf") if isinstance(session, dict) else None
        given = headers.get(CSRF_HEADER)
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if given is None and ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            body = await _read_body(receive)
            if body is None:
                return receive, "request body too large"
            receive = _replay(body)
            given = await _form_field(scope, body, ctype)
        if not expected or not given or not hmac.compare_digest(str(expected), str(given)):
            return receive, "missing or wrong CSRF token: reload the page and try again"
        return receive, None


def _needs_csrf(scope: Scope, headers: Headers, path: str) -> bool:
    """Cookie-authenticated requests (and sign-in itself); a bearer token is not sent by browsers on
    their own, so bearer-authenticated API calls need no token."""
    if headers.get("authorization", "").lower().startswith("bearer "):
        return False
    if path == "/login" or path.startswith("/my-case"):
        return True  # sign-in, and the victims' page (its own cookie, not the staff session)
    session = scope.get("session")
    return isinstance(session, dict) and bool(session.get("sid"))


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _form_field(scope: Scope, body: bytes, ctype: str) -> str | None:
    if ctype == "application/x-www-form-urlencoded":
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD)
        return values[0] if values else None
    request = Request(dict(scope), _replay(body))
    try:
        form = await request.form()
    except Exception:
        return None
    value = form.get(CSRF_FIELD)
    await form.close()
    return value if isinstance(value, str) else None


async def _forbidden(send: Send, detail: str, extra: list[tuple[bytes, bytes]]) -> None:
    import json

    body = json.dumps({"detail": f"origin: {detail}"}).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": body})
