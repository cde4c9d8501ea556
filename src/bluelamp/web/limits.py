"""Limits on the wire: request bodies are counted as they arrive, whatever the headers say.

`BodyLimit` is plain ASGI middleware. A declared Content-Length over the limit is refused at once; a
chunked body (or one whose length header lies) is counted chunk by chunk and refused with a 413 the
moment it passes the limit, so the server never holds more than the limit of any one body.
WebSocket frames are limited by the protocol itself (`WS_MAX_BYTES`, passed to uvicorn as
ws_max_size, so a big frame is refused before it is buffered).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1_000_000
# Uploads of demand history (CSV) may be larger; everything else stays at 1 MB.
LARGER = {"/demand": 20_000_000}
WS_MAX_BYTES = 64 * 1024  # a chat message is at most 16 KB of text; frames above this are refused


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=f"body: larger than {limit} bytes")


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES,
                 larger: dict[str, int] | None = None) -> None:
        self.app, self.max_bytes, self.larger = app, max_bytes, LARGER if larger is None else larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.max_bytes)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                await _refuse(send, limit)
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"body: larger than {limit} bytes"}).encode()
    headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                          (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def uvicorn_options() -> dict[str, Any]:
    """What `bluelamp serve` (and the test server) pass to uvicorn: frame limits at the protocol, and
    the server-wide bounds that free what idle or dead clients hold without refusing anyone. Named
    here, not left to uvicorn's defaults, because the per-address caps (web/address_caps.py) count on
    them: an idle kept-alive connection closes after 5 s, a socket whose peer has vanished within 40 s
    (a ping every 20 s, 20 s for its pong), and connections wait for accept in a backlog of 2048 (the
    kernel's somaxconn may cut it). Not `limit_concurrency`: past it uvicorn answers 503 to every
    request, a 999 contact from a control room included, and it counts idle sockets, so 2,000 idle chat
    sockets would stop contact recording, the very failure the per-address caps prevent
    (docs/security.md, "Per-address caps")."""
    return {"ws_max_size": WS_MAX_BYTES, "h11_max_incomplete_event_size": 64 * 1024,
            "timeout_keep_alive": 5, "ws_ping_interval": 20.0, "ws_ping_timeout": 20.0, "backlog": 2048}
