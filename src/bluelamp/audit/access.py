"""The access log: every read of a personal record (contact, person, crime, victim with its DASH and
MARAC, chat transcript, the audit trail) with actor, time, record, route, client address and the
stated reason where one is asked. The Data Protection Act 2018 s.62 asks for logs of consultation.

Reads are logged by one ASGI middleware from a table of routes (so every context's read routes are
covered without each remembering to), before the first byte of the answer is sent: if the log cannot
be written the read is refused (503). Rows go to their own table in their own short transaction, never
through the audit chain's head lock. Many distinct records read by one actor in a minute raises an
enumeration alert (a warning in the log and an audit entry).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import anyio.to_thread
from sqlalchemy import insert, select

from bluelamp import clock

log = logging.getLogger("bluelamp.access")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KINDS = ("contact", "person", "crime", "victim", "chat", "audit", "callback", "incident")

# (path pattern, kind): a GET that answers 2xx on one of these is a read of that record.
READS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), k) for p, k in (
    (r"^/api/v1/contacts/(\d+)$", "contact"),
    (r"^/contacts/(\d+)$", "contact"),
    (r"^/api/v1/people/(\d+)$", "person"),
    (r"^/api/v1/crimes/(\d+)(?:/.*)?$", "crime"),
    (r"^/crimes/(\d+)(?:/.*)?$", "crime"),
    (r"^/api/v1/victims/(\d+)(?:/.*)?$", "victim"),  # the victim record carries DASH and MARAC
    (r"^/victims/(\d+)(?:/.*)?$", "victim"),
    (r"^/api/v1/chats/(\d+)$", "chat"),
    (r"^/api/v1/chats/by-contact/(\d+)$", "contact"),
    (r"^/api/v1/audit$", "audit"),
    (r"^/api/v1/audit/access$", "audit"),
    (r"^/audit$", "audit"),
    # the call-back queue and the abandoned-999 alerts show callers' numbers (telephony, issue 16)
    (r"^/api/v1/callbacks(?:/alerts)?$", "callback"),
    (r"^/callbacks$", "callback"),
    # an incident's page and JSON show its address, flags and the controllers' notes about the people
    (r"^/api/v1/incidents/(\d+)$", "incident"),
    (r"^/incidents/(\d+)$", "incident"),
))

ENUMERATION_RECORDS = 30   # distinct records ...
ENUMERATION_WINDOW_S = 60  # ... a minute
ALERT_EVERY_S = 300


def match_read(path: str) -> tuple[str, str | None] | None:
    for pattern, kind in READS:
        m = pattern.match(path)
        if m:
            return kind, (m.group(1) if m.groups() else None)
    return None


def _audit_record_id(query: dict[str, list[str]]) -> str:
    if "record" in query:
        return f"access:{query['record'][0]}"[:64]
    entity, eid = query.get("entity", [""])[0], query.get("entity_id", [""])[0]
    return f"{entity}:{eid}"[:64] if entity else "trail"


# List routes that show personal data record by record: the route names what it showed in
# `request.state.access_reads` ([(kind, id), ...]) and each is logged like a read of that record.
LIST_READS: tuple[re.Pattern[str], ...] = tuple(re.compile(p) for p in (
    r"^/contacts$",                   # the queue page shows what each caller said
    r"^/victims/clocks$",             # victims' names beside their clocks
    r"^/api/v1/victims/clocks/due$",
    r"^/bureau$",                     # bureau tasks carry letters that name the victims
    r"^/api/v1/bureau/tasks$",
    r"^/incidents$",                  # the dispatch board: each open incident's address and flags
    r"^/api/v1/board$",               # ... and the JSON it polls every few seconds
    r"^/api/v1/incidents$",
))


def write(db: Any, actor: str, kind: str, record_id: str, route: str, address: str | None,
          reason: str | None) -> None:
    """Append one read to the access log in its own transaction (not the caller's, not the chain's)."""
    write_many(db, actor, [(kind, str(record_id))], route, address, reason)


class RecentLists:
    """A list page polled every few seconds shows the same records again and again: one row per actor,
    route and record per LIST_REPEAT_S is enough to say who saw what, and keeps the log from flooding
    (per process, like the enumeration detector)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str, str, str], float] = {}

    def new(self, actor: str, route: str, reads: list[tuple[str, str]]) -> list[tuple[str, str]]:
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 100_000:
                self._seen.clear()
            fresh = [r for r in reads if now - self._seen.get((actor, route, *r), -1e9) >= LIST_REPEAT_S]
            for r in fresh:
                self._seen[(actor, route, *r)] = now
        return fresh

    def forget(self, actor: str, route: str, reads: list[tuple[str, str]]) -> None:
        with self._lock:
            for r in reads:
                self._seen.pop((actor, route, *r), None)

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


LIST_REPEAT_S = 600
recent_lists = RecentLists()


def write_list(db: Any, actor: str, reads: list[tuple[str, str]], route: str, address: str | None) -> None:
    """The records a list route showed; not counted towards the enumeration alert (a queue shows many
    records that the reader did not choose)."""
    fresh = recent_lists.new(actor, route, reads)
    try:
        write_many(db, actor, fresh, route, address, None, count=False)
    except Exception:
        recent_lists.forget(actor, route, fresh)  # not written: the next showing tries again
        raise


def write_many(db: Any, actor: str, reads: list[tuple[str, str]], route: str, address: str | None,
               reason: str | None, count: bool = True) -> None:
    """Append reads of several records (a search, a list) in one short transaction of their own."""
    from bluelamp.audit.store import AccessEntry

    if not reads:
        return
    now = clock.now()
    with db.engine.begin() as conn:
        conn.execute(insert(AccessEntry), [
            {"at": now, "actor": actor[:120], "kind": kind, "record_id": str(rid)[:64], "route": route[:200],
             "address": address or None, "reason": reason[:300] if reason else None} for kind, rid in reads])
    for kind, rid in reads if count else ():
        detector.seen(db, actor, f"{kind}:{rid}")


def reads_of(session: Any, kind: str, record_id: str, limit: int = 500) -> list[dict[str, Any]]:
    from bluelamp.audit.store import AccessEntry

    rows = session.execute(
        select(AccessEntry).where(AccessEntry.kind == kind, AccessEntry.record_id == str(record_id))
        .order_by(AccessEntry.id.desc()).limit(limit)).scalars()
    return [{"actor": r.actor, "at": clock.iso(r.at), "route": r.route, "address": r.address,
             "reason": r.reason} for r in rows]


class EnumerationDetector:
    """Many distinct records read by one actor within a minute: someone may be copying the table."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[tuple[float, str]]] = {}
        self._alerted: dict[str, float] = {}

    def seen(self, db: Any, actor: str, record: str) -> None:
        now = time.monotonic()
        with self._lock:
            q = self._seen.setdefault(actor, deque())
            q.append((now, record))
            while q and now - q[0][0] > ENUMERATION_WINDOW_S:
                q.popleft()
            distinct = len({r for _, r in q})
            if distinct < ENUMERATION_RECORDS or now - self._alerted.get(actor, -1e9) < ALERT_EVERY_S:
                return
            self._alerted[actor] = now
        log.warning("possible enumeration: one actor read %d distinct records in %d s", distinct,
                    ENUMERATION_WINDOW_S)
        from bluelamp.audit import service as audit

        with db.unit_of_work() as session:
            audit.record(session, "system:access", "access.enumeration_suspected", "actor", actor[:64],
                         after={"distinct_records": distinct, "window_s": ENUMERATION_WINDOW_S})

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()
            self._alerted.clear()


detector = EnumerationDetector()


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        found = match_read(scope.get("path", ""))
        if found is None:
            if any(p.match(scope.get("path", "")) for p in LIST_READS):
                await self._list(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        kind, record_id = found
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if kind == "audit":
            record_id = _audit_record_id(query)
        elif kind == "callback":
            record_id = "queue"
        reason = query.get("reason", [None])[0]
        if reason is not None and _CONTROL.search(reason):
            # PostgreSQL cannot store a NUL in text: refuse it as bad input (422) rather than fail the log (503).
            await _refuse(send, 422, b'{"detail":"reason: must not contain control characters"}')
            return
        scope.setdefault("state", {})  # shared with the route, which puts the principal there
        held: list[Message] = []

        async def hold(message: Message) -> None:
            # The answer is held until the route has finished (its transaction closed) and the read
            # is logged: nothing is shown that was not recorded.
            held.append(message)

        await self.app(scope, receive, hold)
        await self._answer(scope, send, held, [(kind, str(record_id))], reason)

    async def _list(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A list route: the records it says it showed (`access_reads`) are logged before it is answered."""
        scope.setdefault("state", {})
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        reads = [(str(k), str(i)) for k, i in (scope.get("state") or {}).get("access_reads") or []]
        await self._answer(scope, send, held, reads, None, listed=True)

    async def _answer(self, scope: Scope, send: Send, held: list[Message], reads: list[tuple[str, str]],
                      reason: str | None, listed: bool = False) -> None:
        status = next((int(m["status"]) for m in held if m["type"] == "http.response.start"), 500)
        if 200 <= status < 300 and reads:
            principal = (scope.get("state") or {}).get("principal")
            actor = principal.actor if principal is not None else "anonymous"
            client = scope.get("client")
            address = client[0] if client else None
            try:
                if listed:
                    await anyio.to_thread.run_sync(write_list, scope["app"].state.db, actor, reads,
                                                   scope.get("path", ""), address)
                else:
                    await anyio.to_thread.run_sync(write_many, scope["app"].state.db, actor, reads,
                                                   scope.get("path", ""), address, reason)
            except Exception as exc:  # the read is not answered if it cannot be logged
                log.error("access log not written (%s): read refused", type(exc).__name__)
                await _refuse(send, 503, b'{"detail":"access log unavailable: the read was not answered"}')
                return
        for message in held:
            await send(message)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


async def _refuse(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
