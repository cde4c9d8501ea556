"""Admission control: anonymous work beyond a bound is refused at the door, never queued before a 999.

A flood of sign-in pages, victims' sign-ins or public dashboard requests costs the server a little
CPU for each request it takes in (cookie, form, template), and all of it is taken from the one
process that records contacts. So anonymous requests (the paths in ANONYMOUS) pass a token bucket
(`anonymous_per_s` a second, a burst of as many) and a cap on how many are in the server at once
(`anonymous_in_flight`). Past either, the answer is a 429 with Retry-After, written here, before the
session cookie is read, the route found or the body parsed: the cheapest answer there is, and given
after a short hold (HOLD_S), so that a client retrying at once cannot turn refusals into a flood.

Nothing signed in is counted, and contact recording, the public chat and online reports (the public's
channels to the police) are never refused here. The login throttle and lockout (docs/security.md)
are unchanged: a refused request checks no password and counts no failure.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

from starlette.types import ASGIApp, Receive, Scope, Send

# Path prefixes of anonymous work: staff sign-in, the victims' sign-in and page, the public dashboard.
# (Not the public's channels to the police, which are contacts: the widget page /public, the online
# report form /public/report, the chat and online-report API.)
ANONYMOUS = ("/login", "/logout", "/my-case", "/public/dashboard", "/api/v1/public/")
RETRY_AFTER_S = 1
HOLD_S = 0.5  # how long a refused request waits for its 429
MAX_HELD = 512


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; thread-safe."""

    def __init__(self, rate: float, burst: float, now: float | None = None) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.at = time.monotonic() if now is None else now
        self._lock = threading.Lock()

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


def is_anonymous(path: str) -> bool:
    return path.startswith(ANONYMOUS)


class Admission:
    """ASGI middleware (inside the per-address caps): bound anonymous requests by rate and by how many are inside."""

    def __init__(self, app: ASGIApp, per_s: float, in_flight: int, hold_s: float = HOLD_S) -> None:
        self.app, self.hold_s = app, hold_s
        self.held = 0
        self.bucket = TokenBucket(per_s, max(1.0, per_s))
        self.max_in_flight = in_flight
        self.in_flight = 0
        self.refused = 0  # since start: shown by the benchmark, never personal
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_anonymous(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        with self._lock:
            admitted = self.in_flight < self.max_in_flight and self.bucket.take()
            if admitted:
                self.in_flight += 1
            else:
                self.refused += 1
        if not admitted:
            await self._refuse(scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self.in_flight -= 1

    async def _refuse(self, scope: Scope, send: Send) -> None:
        # A refused client that waits for its answer (a browser, most scripts) is held here for
        # HOLD_S first, on the event loop with no thread: a flood that retries at once then costs a
        # few answers a second per client, not thousands. At most MAX_HELD wait at once; past that
        # the answer goes out at once.
        with self._lock:
            hold = self.hold_s > 0 and self.held < MAX_HELD
            if hold:
                self.held += 1
        if hold:
            try:
                await asyncio.sleep(self.hold_s)
            finally:
                with self._lock:
                    self.held -= 1
        await _busy(scope, send)


async def _busy(scope: Scope, send: Send) -> None:
    message = "the server is busy with sign-ins and public pages; try again in a moment"
    if scope.get("path", "").startswith("/api/"):
        body, kind = json.dumps({"detail": message}).encode(), b"application/json"
    else:
        body, kind = (f"<!doctype html><title>Busy</title><p>{message.capitalize()}.</p>").encode(), \
            b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", kind), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_S).encode()), (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})
