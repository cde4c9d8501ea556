"""A lean HTTP/1.1 load generator for benchmarks: closed loop (N clients) and open loop (a fixed rate).

The generator shares the machine's two cores with the server and the database, so it must cost little:
httpx spends about a millisecond of CPU a request, which at a few hundred requests a second takes a
good part of a core and flatters a slow server against a fast baseline (both look generator-bound).
Requests are written as bytes on kept-alive asyncio connections and answers parsed with httptools
(the parser uvicorn uses).

Open loop: request i is due at start + i / rate whatever happened before; its latency runs from when it
was due, so a server that falls behind shows it (no coordinated omission). A request finds an idle
connection or opens a new one (up to `max_connections`; past that it waits, and the wait counts).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httptools


class _Answer:
    """httptools callbacks: the status and body of one response."""

    def __init__(self) -> None:
        self.body = bytearray()
        self.done = False

    def on_body(self, chunk: bytes) -> None:
        self.body += chunk

    def on_message_complete(self) -> None:
        self.done = True


class Connection:
    """One kept-alive connection; one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def post(self, host: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                          f"Content-Length: {len(body)}\r\n{head}\r\n".encode() + body)
        answer = _Answer()
        parser = httptools.HttpResponseParser(answer)
        while not answer.done:
            chunk = await self.reader.read(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            parser.feed_data(chunk)
        return parser.get_status_code(), bytes(answer.body)

    def close(self) -> None:
        self.writer.close()


@dataclass
class Outcome:
    """What a run saw: latencies of answered requests, status counts, the acknowledged bodies."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0  # no answer at all (connection refused, reset, timeout)
    acks: list[tuple[int, Any]] = field(default_factory=list)  # (request number, parsed answer) for 2xx
    elapsed: float = 0.0

    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if 200 <= s < 300)

    def refused(self) -> int:
        return self.failures + sum(n for s, n in self.statuses.items() if not 200 <= s < 300)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)

        def pct(q: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 1) if lat else None

        return {"answered_2xx": self.ok(), "refused_or_failed": self.refused(),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "throughput_per_s": round(self.ok() / self.elapsed, 1) if self.elapsed else None,
                "p50_ms": pct(0.5), "p90_ms": pct(0.9), "p99_ms": pct(0.99), "max_ms": pct(1.0)}


RequestFor = Callable[[int], tuple[bytes, dict[str, str]]]


async def _one(pool: asyncio.Queue[Connection], slots: asyncio.Semaphore, host: str, port: int, path: str,
               i: int, due: float, make: RequestFor, out: Outcome, timeout: float) -> None:
    body, headers = make(i)
    async with slots:
        try:
            conn = pool.get_nowait()
        except asyncio.QueueEmpty:
            conn = None
        try:
            if conn is None:
                conn = await Connection.open(host, port)
            status, raw = await asyncio.wait_for(conn.post(f"{host}:{port}", path, body, headers), timeout)
        except (TimeoutError, OSError, ConnectionError):
            out.failures += 1
            if conn is not None:
                conn.close()
            return
        out.latencies.append(time.perf_counter() - due)
        out.statuses[status] = out.statuses.get(status, 0) + 1
        if 200 <= status < 300:
            out.acks.append((i, json.loads(raw)))
        pool.put_nowait(conn)


async def open_loop(host: str, port: int, path: str, make: RequestFor, rate: float, seconds: float,
                    max_connections: int = 512, timeout: float = 30.0, grace: float = 10.0) -> Outcome:
    """Offer `rate` requests a second for `seconds`, each due at its own time."""
    out = Outcome()
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    slots = asyncio.Semaphore(max_connections)
    tasks = []
    start = time.perf_counter()
    total = int(rate * seconds)
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one(pool, slots, host, port, path, i, due, make, out, timeout)))
    # Requests still unanswered `grace` seconds after the last was due count as failed (an
    # overloaded server would otherwise keep the run going until its whole backlog drains).
    _done, late = await asyncio.wait(tasks, timeout=grace)
    for task in late:
        task.cancel()
    out.failures += len(late)
    out.elapsed = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait().close()
    return out


async def closed_loop(host: str, port: int, path: str, make: RequestFor, clients: int, seconds: float,
                      timeout: float = 30.0) -> Outcome:
    """`clients` clients, each sending its next request as soon as the last is answered."""
    out = Outcome()
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def client() -> None:
        conn: Connection | None = None
        while time.perf_counter() < deadline:
            i = next(counter)
            body, headers = make(i)
            t0 = time.perf_counter()
            try:
                conn = conn or await Connection.open(host, port)
                status, raw = await asyncio.wait_for(conn.post(f"{host}:{port}", path, body, headers), timeout)
            except (TimeoutError, OSError, ConnectionError):
                out.failures += 1
                if conn is not None:
                    conn.close()
                conn = None
                continue
            out.latencies.append(time.perf_counter() - t0)
            out.statuses[status] = out.statuses.get(status, 0) + 1
            if 200 <= status < 300:
                out.acks.append((i, json.loads(raw)))
        if conn is not None:
            conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    out.elapsed = time.perf_counter() - start
    return out
