"""Per-address caps: no one address may hold the server's requests or sockets.

admission.py bounds anonymous work as a whole, limits.py bounds bodies and frames, and chat messages
are rate-limited per address; but one address could still hold any number of requests in flight (slow
uploads, slow reads) or WebSockets open (2,000 idle chat sockets), each a task, memory and a file
descriptor taken from the process that records 999 calls. So each client address (scope["client"];
uvicorn puts the real client there for the proxies in BLUELAMP_TRUSTED_PROXIES) may have at most
`http_in_flight` HTTP requests inside and `sockets` WebSockets open in this process. Past either, the
answer is written here, before routing, cookies or the body: HTTP 429 with Retry-After and a JSON body
naming the limit; a WebSocket is refused before it is accepted (a 429 handshake answer where the server
offers the denial-response extension, as uvicorn and the test client do; else a close 1008, which
uvicorn answers 403). A refused request opens nothing, so it is never counted; an admitted one is
released however it ends (`finally`: an error, a client gone, a cancelled task).

Never capped (docs/security.md, "Per-address caps"): contact recording (CONTACT_PATHS, the 999/101
work: the contacts API and pages, and the call platform's events), the trusted networks (loopback
always, the private ranges by default: a control room puts its handlers behind one NAT address), and a
request with no address (a Unix socket: nothing to tell one client from another). An IPv6 client is
counted by its /64, which is what one host is given.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import json
import logging
import threading
import time
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from bluelamp.config import Network, get_settings

log = logging.getLogger("bluelamp.web")

# Path prefixes never capped: recording and deciding contacts (API and pages) and call events.
CONTACT_PATHS = ("/api/v1/contacts", "/contacts", "/api/v1/telephony/events")
RETRY_AFTER_S = 1
SETTING = {"http": "BLUELAMP_ADDRESS_HTTP_IN_FLIGHT", "websocket": "BLUELAMP_ADDRESS_SOCKETS"}
LOG_EVERY_S = 60.0  # one warning per address and kind a minute: a flood must not flood the log
MAX_LOGGED = 4096


def is_contact_work(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in CONTACT_PATHS)


def address_key(host: str, trusted: tuple[Network, ...]) -> str | None:
    """What an address is counted under: None when trusted; an IPv6 address by its /64."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]  # not an IP (a test client's name): counted as it is
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in trusted):
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class Caps:
    """The counts per address and kind ("http", "websocket"), the limits, and refusals since start."""

    def __init__(self, http_in_flight: int, sockets: int, trusted: tuple[Network, ...] = ()) -> None:
        self.limits = {"http": http_in_flight, "websocket": sockets}  # 0: no cap
        self.open: dict[str, dict[str, int]] = {"http": {}, "websocket": {}}
        self.refused = {"http": 0, "websocket": 0}  # since start: never personal
        self._lock = threading.Lock()
        self._logged: dict[tuple[str, str], float] = {}
        self.key = functools.lru_cache(maxsize=8192)(lambda host: address_key(host, trusted))

    def take(self, kind: str, key: str) -> bool:
        counts = self.open[kind]
        with self._lock:
            n = counts.get(key, 0)
            if n >= self.limits[kind]:
                self.refused[kind] += 1
                return False
            counts[key] = n + 1
            return True

    def give(self, kind: str, key: str) -> None:
        counts = self.open[kind]
        with self._lock:
            n = counts.get(key, 0) - 1
            if n > 0:
                counts[key] = n
            else:  # an address with nothing open is forgotten: the table holds only live addresses
                counts.pop(key, None)

    def in_use(self) -> int:
        with self._lock:
            return sum(sum(c.values()) for c in self.open.values())

    def should_log(self, kind: str, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._logged) >= MAX_LOGGED:
                self._logged.clear()
            last = self._logged.get((kind, key))
            if last is not None and now - last < LOG_EVERY_S:
                return False
            self._logged[(kind, key)] = now
            return True


class AddressCaps:
    """ASGI middleware (outermost): per address, bound the HTTP requests inside and the sockets open."""

    def __init__(self, app: ASGIApp, caps: Caps) -> None:
        self.app, self.caps = app, caps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        client = scope.get("client")
        if kind not in self.caps.limits or not self.caps.limits[kind] or not client \
                or is_contact_work(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        key = self.caps.key(str(client[0]))
        if key is None:  # a trusted network
            await self.app(scope, receive, send)
            return
        if not self.caps.take(kind, key):
            self._log(kind, key)
            await (_refuse_http(send, self.caps.limits[kind]) if kind == "http"
                   else _refuse_socket(scope, receive, send, self.caps.limits[kind]))
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.caps.give(kind, key)

    def _log(self, kind: str, key: str) -> None:
        if self.caps.should_log(kind, key):
            # The address is personal data: a keyed digest only (the same as the sign-in log's addr_ref).
            secret = get_settings().resolved_secret_key().encode()
            ref = hmac.new(secret, key.lower().encode(), hashlib.sha256).hexdigest()[:12]
            log.warning("per-address cap: %s refused, %d open from one address (%s) addr_ref=%s; "
                        "refused since start: %d", kind, self.caps.limits[kind], SETTING[kind], ref,
                        self.caps.refused[kind])


def _body(kind: str, limit: int) -> bytes:
    what = "requests at once" if kind == "http" else "open sockets"
    return json.dumps({"detail": f"address: more than {limit} {what} from this address; try again in a moment",
                       "limit": SETTING[kind], "max": limit}).encode()


def _headers(body: bytes) -> list[Any]:
    return [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(RETRY_AFTER_S).encode()), (b"cache-control", b"no-store"),
            (b"x-content-type-options", b"nosniff")]


async def _refuse_http(send: Send, limit: int) -> None:
    body = _body("http", limit)
    # Connection: close, so an address past its cap does not keep the connection for its next try.
    await send({"type": "http.response.start", "status": 429,
                "headers": [*_headers(body), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


async def _refuse_socket(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    if (await receive())["type"] != "websocket.connect":  # the handshake's first message; else gone
        return
    if "websocket.http.response" in scope.get("extensions", {}):
        body = _body("websocket", limit)
        await send({"type": "websocket.http.response.start", "status": 429, "headers": _headers(body)})
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008, "reason": "too many open sockets from this address"})


def caps_from_settings() -> Caps:
    settings = get_settings()
    return Caps(settings.address_http_in_flight, settings.address_sockets, settings.trusted_network_list())
