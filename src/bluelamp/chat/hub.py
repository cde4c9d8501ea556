"""The live hub: which socket hears which topic, in this process; and fan-out between processes.

In one process a published event goes straight to the sockets subscribed to its topic, the moment
its transaction commits. With several server processes on PostgreSQL, every action's events are also
sent with `pg_notify('bluelamp_chat', ...)` after its commit by the hub's publisher thread
(`chat/publisher.py`: one connection of its own, everything waiting in one short transaction;
notifying inside the action's transaction would hold PostgreSQL's one database-wide notify lock
through every commit's flush); every process LISTENs and hands what other processes published to its
own sockets. PostgreSQL is chosen over Redis pub/sub because it is already
the system of record: no second server to run, and nothing is ever published before it is stored.
SQLite is single-machine by nature, so a SQLite deployment runs one process and needs no fan-out.

Sockets never depend on the hub for completeness: every message has a per-chat sequence number, and
a client that reconnects (or is told to `resync`) asks for everything after the last one it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI, WebSocket
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bluelamp.chat.model import Event, RateLimiter
from bluelamp.chat.publisher import Publisher
from bluelamp.chat.settings import ChatSettings, get_chat_settings
from bluelamp.db.engine import get_database
from bluelamp.db.rate import SharedRateLimiter

log = logging.getLogger("bluelamp.chat")
CHANNEL = "bluelamp_chat"
MAX_NOTIFY_BYTES = 7900  # PostgreSQL's payload limit is 8000 bytes
OUTBOX = 2000


class Conn:
    """One socket with its own outbox and writer task, so a slow reader never holds up the others.

    A reader so slow that its outbox fills is disconnected; it reconnects and resumes from its last
    sequence number, so it loses nothing.
    """

    def __init__(self, ws: WebSocket, user_id: int | None = None) -> None:
        self.ws, self.user_id = ws, user_id
        self.topics: set[str] = set()
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(OUTBOX)
        self.closed = False
        self.task = asyncio.create_task(self._write())

    def push(self, text: str) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("socket outbox full: closing it (the client will resume)")
            self.closed = True
            self.task.cancel()
            asyncio.create_task(self._close(1013))

    def send(self, frame: dict[str, Any]) -> None:
        self.push(json.dumps(frame, ensure_ascii=False))

    async def _write(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                text = await self.queue.get()
                if text is None:
                    return
                await self.ws.send_text(text)

    async def _close(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close(code)

    async def finish(self) -> None:
        """Flush what is queued, then stop the writer."""
        if not self.closed:
            self.closed = True
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.task, 2)


class Hub:
    """Topics to sockets for this process, the rate limiters, and the PostgreSQL fan-out."""

    def __init__(self, db_url: str, dialect: str, settings: ChatSettings | None = None) -> None:
        self.settings = settings or get_chat_settings()
        self.origin = uuid.uuid4().hex
        self.db_url = db_url
        mode = self.settings.fanout
        self.fanout = mode == "postgres" or (mode == "auto" and dialect == "postgresql")
        self.serialise_writes = dialect == "sqlite"
        self.write_lock = threading.Lock()
        self.topics: dict[str, set[Conn]] = {}
        self._listener: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set once LISTEN is in place (tests and health wait on it)
        self._limiters: dict[str, tuple[tuple[int, float], RateLimiter]] = {}
        self._publisher: Publisher | None = None
        self._publisher_lock = threading.Lock()

    @property
    def publisher(self) -> Publisher:
        """The thread that sends this process's NOTIFYs, on a connection of its own (made on first use)."""
        with self._publisher_lock:  # request threads race to make it
            if self._publisher is None:
                url = self.db_url.replace("postgresql+psycopg://", "postgresql://")

                def connect() -> Any:
                    import psycopg

                    return psycopg.connect(url, connect_timeout=5)

                self._publisher = Publisher(connect, CHANNEL, self._payloads,
                                            json.dumps({"o": self.origin, "r": 1}))
            return self._publisher

    # -- rate limits (settings are read live, so a change applies at once) -----------------------
    # Message rates per chat and per address are per process (a socket lives in one process).
    def _limiter(self, name: str, burst: int, per_s: float) -> RateLimiter:
        current = self._limiters.get(name)
        if current is None or current[0] != (burst, per_s):
            current = ((burst, per_s), RateLimiter(burst, per_s))
            self._limiters[name] = current
        return current[1]

    @property
    def per_chat(self) -> RateLimiter:
        s = get_chat_settings()
        return self._limiter("chat", s.chat_burst, s.chat_per_s)

    @property
    def per_address(self) -> RateLimiter:
        s = get_chat_settings()
        return self._limiter("address", s.address_burst, s.address_per_s)

    # The public's starts and online reports: counted in the database (db/rate.py), so several server
    # processes share one limit per address; call `allow` off the event loop.
    @property
    def starts(self) -> SharedRateLimiter:
        s = get_chat_settings()
        return SharedRateLimiter(get_database(self.db_url), "chat_starts", s.starts_burst, s.starts_per_s)

    @property
    def reports(self) -> SharedRateLimiter:
        s = get_chat_settings()
        return SharedRateLimiter(get_database(self.db_url), "online_reports", s.reports_burst, s.reports_per_s)

    # -- local -------------------------------------------------------------------------------
    def subscribe(self, conn: Conn, topic: str) -> None:
        self.topics.setdefault(topic, set()).add(conn)
        conn.topics.add(topic)

    def unsubscribe(self, conn: Conn, topic: str) -> None:
        conns = self.topics.get(topic)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self.topics[topic]
        conn.topics.discard(topic)

    def drop(self, conn: Conn) -> None:
        for topic in list(conn.topics):
            self.unsubscribe(conn, topic)

    def deliver(self, events: list[Event]) -> None:
        """Hand each event to the sockets on its topic (called on the event loop)."""
        for event in events:
            conns = self.topics.get(event.topic)
            if not conns:
                continue
            text = json.dumps(event.frame, ensure_ascii=False)
            kind = event.frame.get("type")
            for conn in list(conns):
                conn.push(text)
                # A member of staff's sockets follow their assignments: they start (or stop) hearing
                # the chat's messages wherever the assignment was made.
                if kind == "assigned":
                    self.subscribe(conn, f"chat:{event.frame['chat_id']}:staff")
                elif kind == "unassigned":
                    self.unsubscribe(conn, f"chat:{event.frame['chat_id']}:staff")

    def connections(self) -> int:
        return len({c for conns in self.topics.values() for c in conns})

    # -- across processes --------------------------------------------------------------------
    def publish(self, events: list[Event]) -> None:
        """Hand the events of a committed transaction to the publisher thread (chat/publisher.py).

        The request thread does not wait for the NOTIFY: one thread of the hub's own sends what is
        waiting in one transaction (a burst of messages, one round trip). Nothing is handed over
        before its commit; a NOTIFY that cannot be sent makes the next one tell every process to
        resync, so nothing stored is lost to a client.
        """
        if self.fanout and events:
            self.publisher.put(events)

    def _payloads(self, events: list[Event]) -> list[str]:
        out: list[str] = []
        batch: list[list[Any]] = []
        size = 0
        for event in events:
            item = [event.topic, event.frame]
            n = len(json.dumps(item, ensure_ascii=False).encode())
            if n > MAX_NOTIFY_BYTES - 100:
                # Too big for one notification: send where to find it instead; the receiver re-reads it.
                item = [event.topic, {"type": "resync", "chat_id": event.frame.get("chat_id"),
                                      "seq": event.frame.get("seq")}]
                n = len(json.dumps(item).encode())
            if batch and size + n > MAX_NOTIFY_BYTES - 100:
                out.append(json.dumps({"o": self.origin, "e": batch}, ensure_ascii=False))
                batch, size = [], 0
            batch.append(item)
            size += n
        if batch:
            out.append(json.dumps({"o": self.origin, "e": batch}, ensure_ascii=False))
        return out

    def resync_all(self) -> None:
        """Tell every socket of this process to ask for what it may have missed."""
        self.deliver([Event(t, {"type": "resync"}) for t in list(self.topics)])

    def receive(self, payload: str) -> None:
        """A notification from PostgreSQL: deliver what other processes published."""
        try:
            data = json.loads(payload)
        except ValueError:
            return
        if data.get("o") == self.origin:
            return  # this process delivered it already, straight after its commit
        if data.get("r"):
            # The other process could not send some of its notifications: every client catches up.
            self.resync_all()
            return
        self.deliver([Event(topic, frame) for topic, frame in data.get("e", [])])

    async def start(self) -> None:
        if self.fanout and self._listener is None:
            self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        with self._publisher_lock:
            publisher, self._publisher = self._publisher, None
        if publisher is not None:
            await asyncio.get_running_loop().run_in_executor(None, publisher.stop)
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None

    async def _listen(self) -> None:
        import psycopg

        url = self.db_url.replace("postgresql+psycopg://", "postgresql://")
        delay = 0.5
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    if not first:
                        # Anything published while we were not listening: every client catches up.
                        self.resync_all()
                    first, delay = False, 0.5
                    async for note in conn.notifies():
                        self.receive(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: keep trying, clients resync after
                log.warning("chat fan-out listener lost its connection (%s); retrying", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)


def get_hub(app: FastAPI) -> Hub:
    hub = getattr(app.state, "chat_hub", None)
    if hub is None:
        db = app.state.db
        hub = Hub(str(db.engine.url.render_as_string(hide_password=False)), db.dialect)
        app.state.chat_hub = hub
    return hub


async def run(app: FastAPI, fn: Callable[[Session], tuple[Any, list[Event]]]) -> Any:
    """Run one use case in its own transaction (in a worker thread), then publish its events.

    This process's sockets get the events the moment the transaction commits (handed to the event
    loop from the worker thread, ahead of the use case's own result); other processes get them by
    NOTIFY sent by the hub's publisher thread (Hub.publish), off this request thread.
    """
    hub = get_hub(app)
    db = app.state.db
    loop = asyncio.get_running_loop()

    def work() -> Any:
        # SQLite takes one writer at a time and makes the others poll with growing sleeps (up to
        # 100 ms each), which puts a long tail on chat latency; queueing writers on a lock here hands
        # the database over without the sleeps. PostgreSQL needs no such lock.
        lock = hub.write_lock if hub.serialise_writes else contextlib.nullcontext()
        with lock, db.unit_of_work() as session:
            result, events = fn(session)
        if events:
            loop.call_soon_threadsafe(hub.deliver, events)
            hub.publish(events)
        return result

    return await run_in_threadpool(work)


async def read(app: FastAPI, fn: Callable[[Session], Any]) -> Any:
    """Run a read in a worker thread: a read-only unit of work, never behind the write lock."""
    db = app.state.db

    def work() -> Any:
        with db.unit_of_work(write=False) as session:
            return fn(session)

    return await run_in_threadpool(work)


async def sweep_forever(app: FastAPI, every_s: float = 30.0) -> None:
    """Close chats whose citizen left before anyone answered (abandoned), every half minute."""
    from bluelamp.chat import service

    while True:
        await asyncio.sleep(every_s)
        try:
            await run(app, lambda s: (None, service.sweep_abandoned(s)))
        except Exception as exc:
            log.warning("chat sweep failed: %s", type(exc).__name__)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Started with the app: the hub, its fan-out listener and the abandonment sweep."""
    hub = get_hub(app)
    await hub.start()
    sweeper = asyncio.create_task(sweep_forever(app))
    try:
        yield
    finally:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        await hub.stop()
