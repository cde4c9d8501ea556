"""The NOTIFY to other server processes, sent by one thread of its own (PostgreSQL fan-out).

A request thread used to send each action's NOTIFY itself, after its commit: 2-30 ms of a request
thread a message in a burst (BENCHMARKS.md, session 7), while other messages queued for the four
threads. Now the request thread only hands the committed events over (`put`, microseconds) and
this thread, with a connection of its own (not one of the pool's), sends everything that is waiting
in one transaction: a burst of 50 messages costs one round trip and one commit instead of 50.

Nothing is published before it is stored (events are handed over after the commit), and nothing
stored is lost: if a NOTIFY cannot be sent (the database went away, or the backlog passed its
bound), the next notification that does go out tells every other process to resync all its
sockets, and each client asks for everything after the last sequence number it holds, as it does
when a listener reconnects. As before, a process that dies with events still waiting leaves other
processes' sockets without those frames until they next resync or reconnect (each message has a
sequence number; nothing stored is lost).
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from bluelamp.chat.model import Event

log = logging.getLogger("bluelamp.chat")

BACKLOG = 20_000  # events waiting past this are dropped and replaced by one resync for everyone
RETRY_S = 0.5


class _Connection(Protocol):
    def execute(self, query: Any, params: Any = ...) -> Any: ...
    def commit(self) -> Any: ...
    def close(self) -> Any: ...


class Publisher:
    """One thread that drains the events handed to it and NOTIFYs them in one transaction a batch.

    `payloads` turns events into NOTIFY payloads (the hub's batching), `resync_all` is the payload that
    tells other processes to resync every socket, and `connect` opens this thread's own connection.
    """

    def __init__(self, connect: Callable[[], _Connection], channel: str,
                 payloads: Callable[[list[Event]], list[str]], resync_all: str, backlog: int = BACKLOG) -> None:
        self._connect, self._channel = connect, channel
        self._payloads, self._resync_all = payloads, resync_all
        self._backlog = backlog
        self._waiting: collections.deque[Event] = collections.deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._conn: _Connection | None = None
        self.lost = False  # something was not sent: the next notification asks everyone to resync
        self.sent_batches = 0  # for tests and measurement

    def put(self, events: list[Event]) -> None:
        """Hand over events whose transaction has committed (called from a request thread)."""
        if not events:
            return
        with self._cond:
            if self._stopping:
                return
            if len(self._waiting) + len(events) > self._backlog:
                self._waiting.clear()
                self.lost = True
                log.warning("chat fan-out backlog full: other processes will resync")
            else:
                self._waiting.extend(events)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="chat-publisher", daemon=True)
                self._thread.start()
            self._cond.notify()

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is waiting, then end the thread and close its connection."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self.lost and not self._stopping:
                    self._cond.wait()
                if not self._waiting and not self.lost:
                    break  # stopping, and nothing left to send
                batch = list(self._waiting)
                self._waiting.clear()
                lost, self.lost = self.lost, False
            if not self._send(batch, lost):
                with self._cond:
                    self.lost = True
                    if self._stopping:
                        break
                    self._cond.wait(RETRY_S)
        self._close()

    def _send(self, batch: list[Event], lost: bool) -> bool:
        payloads = ([self._resync_all] if lost else []) + (self._payloads(batch) if batch else [])
        try:
            if self._conn is None:
                self._conn = self._connect()
            # No flush needed: nothing in a notification must survive a crash (a listener that
            # reconnects tells its sockets to resync), so the notify lock is held for microseconds.
            self._conn.execute("SET LOCAL synchronous_commit = off")
            for payload in payloads:
                self._conn.execute("SELECT pg_notify(%s, %s)", (self._channel, payload))
            self._conn.commit()
        except Exception as exc:  # the changes are committed: never report them as failed
            log.warning("chat fan-out NOTIFY failed (%s); other processes will resync", type(exc).__name__)
            self._close()
            return False
        self.sent_batches += 1
        return True

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already gone
                log.debug("chat publisher connection close failed", exc_info=True)
