"""Many concurrent public chats against ONE server process on loopback.

Each chat opens the public socket, then sends a message every few seconds (with jitter). Delivery
latency is measured from send to the server's sequenced echo on the citizen's own socket (the frame
that proves the message was stored and published), and, for a sample of chats, to a supervisor's
console socket watching them. Afterwards every chat's messages are counted in the database: nothing
acknowledged may be missing, nothing may be stored twice. Server memory (RSS) is read before and after
the idle connections open, for the memory per idle connection.

    python benchmarks/bench_chat_load.py --chats 1000 --interval 5 --seconds 60
    python benchmarks/bench_chat_load.py --db postgresql --chats 1000 --interval 5 --seconds 60

All chats come from 127.0.0.1, so the per-address limits are raised for the run (per-chat limits stay).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import websockets
from sqlalchemy import create_engine, text

BODIES = [
    "Hello, I'd like to ask about lost property",
    "Someone damaged my car wing mirror overnight",
    "Is there any update on my report from last week?",
    "My neighbour's dog barks all night, who do I speak to?",
    "I found a wallet in the street, what should I do with it?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_s(pid: int) -> float:
    """CPU seconds (user and system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Chat:
    def __init__(self, token: str) -> None:
        self.token = token
        self.sent: dict[str, float] = {}
        self.echoes: dict[str, int] = {}
        self.latencies: list[float] = []
        self.first: list[float] = []  # latency of each chat's first message (it queues the chat)
        self.errors: list[str] = []


async def run_chat(chat: Chat, base: str, start_at: float, stop_at: float, interval: float,
                   ready: asyncio.Event) -> None:
    # The widget's socket: the token travels in the first frame, never in the URL (issue 12).
    url = base.replace("http", "ws", 1) + "/chat/ws"
    async with websockets.connect(url, max_queue=None, open_timeout=60) as ws:
        await ws.send(json.dumps({"type": "hello", "last_seq": 0, "token": chat.token}))

        async def reader() -> None:
            async for raw in ws:
                frame = json.loads(raw)
                cid = frame.get("client_id")
                if frame.get("type") == "message" and cid in chat.sent:
                    chat.echoes[cid] = chat.echoes.get(cid, 0) + 1
                    if chat.echoes[cid] == 1:
                        lat = time.perf_counter() - chat.sent[cid]
                        (chat.first if len(chat.latencies) + len(chat.first) == 0 else chat.latencies).append(lat)
                elif frame.get("type") == "error":
                    chat.errors.append(frame.get("code", "?"))

        task = asyncio.create_task(reader())
        await ready.wait()
        await asyncio.sleep(max(0.0, start_at - time.perf_counter()) + random.uniform(0, interval))
        while time.perf_counter() < stop_at:
            cid = uuid.uuid4().hex
            chat.sent[cid] = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "client_id": cid, "body": random.choice(BODIES)}))
            await asyncio.sleep(interval * random.uniform(0.8, 1.2))
        await asyncio.sleep(5)  # let the last echoes arrive
        task.cancel()


async def main_async(args: argparse.Namespace, base: str, server_pid: int) -> dict[str, object]:
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        t0 = time.perf_counter()
        sem = asyncio.Semaphore(20)

        refused = [0]

        async def start() -> str:
            async with sem:
                while True:
                    res = await http.post("/api/v1/chat/start", json={})
                    if res.status_code != 429:  # a refusal before the run is retried (and counted)
                        break
                    refused[0] += 1
                    await asyncio.sleep(float(res.headers.get("retry-after", "1")))
                res.raise_for_status()
                return str(res.json()["token"])

        tokens = await asyncio.gather(*(start() for _ in range(args.chats)))
        start_s = time.perf_counter() - t0
    chats = [Chat(t) for t in tokens]
    rss_before = rss_kib(server_pid)
    ready = asyncio.Event()
    begin = time.perf_counter() + 30  # connections open first; the sending starts together
    stop = begin + args.seconds
    tasks = []
    for i, chat in enumerate(chats):
        tasks.append(asyncio.create_task(run_chat(chat, base, begin, stop, args.interval, ready)))
        if i % 100 == 99:
            await asyncio.sleep(0.2)
    # Wait until every socket is open (the server holds them idle), then read the server's memory.
    while time.perf_counter() < begin - 2:
        await asyncio.sleep(0.5)
    rss_idle = rss_kib(server_pid)
    cpu_idle = cpu_s(server_pid)
    ready.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    cpu_messages = cpu_s(server_pid) - cpu_idle
    failures = [r for r in results if isinstance(r, BaseException)]
    later = [x for c in chats for x in c.latencies]
    firsts = [x for c in chats for x in c.first]
    latencies = later + firsts
    sent = sum(len(c.sent) for c in chats)
    acked = sum(1 for c in chats for cid in c.sent if c.echoes.get(cid))
    dup_frames = sum(1 for c in chats for n in c.echoes.values() if n > 1)
    errors: dict[str, int] = {}
    for c in chats:
        for e in c.errors:
            errors[e] = errors.get(e, 0) + 1
    return {
        "chats": args.chats, "interval_s": args.interval, "seconds": args.seconds,
        "start_chats_s": round(start_s, 2), "starts_refused_429": refused[0], "socket_failures": len(failures),
        "messages_sent": sent, "messages_acknowledged": acked, "duplicate_echoes": dup_frames,
        "errors": errors, "throughput_msg_s": round(sent / args.seconds, 1),
        "delivery_ms": {"p50": round(pct(latencies, 50) * 1000, 1), "p95": round(pct(latencies, 95) * 1000, 1),
                        "p99": round(pct(latencies, 99) * 1000, 1), "max": round(max(latencies) * 1000, 1)},
        "delivery_ms_first_message": {"p50": round(pct(firsts, 50) * 1000, 1),
                                      "p99": round(pct(firsts, 99) * 1000, 1)},
        "delivery_ms_later_messages": {"p50": round(pct(later, 50) * 1000, 1),
                                       "p99": round(pct(later, 99) * 1000, 1)},
        "server_rss_mib": {"before_sockets": round(rss_before / 1024, 1), "idle_sockets": round(rss_idle / 1024, 1)},
        "kib_per_idle_connection": round((rss_idle - rss_before) / max(1, args.chats), 1),
        # The server's CPU (all its threads) from the open sockets to the last echo, a message sent:
        # a figure that depends less on the machine's load than the latencies do.
        "server_cpu_ms_per_message": round(cpu_messages * 1000 / max(1, sent), 2),
        "_acked_ids": [cid for c in chats for cid in c.sent if c.echoes.get(cid)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_chat")
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between one chat's messages")
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'chat.sqlite3'}"
    else:
        url = args.pg_url
        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    port = free_port()
    env = dict(os.environ, BLUELAMP_DATABASE_URL=url, BLUELAMP_VAR_DIR=str(tmp / "var"),
               BLUELAMP_CHAT_STARTS_BURST="100000", BLUELAMP_CHAT_STARTS_PER_S="100000",
               BLUELAMP_CHAT_ADDRESS_BURST="100000", BLUELAMP_CHAT_ADDRESS_PER_S="100000")
    server = subprocess.Popen([sys.executable, "-m", "bluelamp", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.3)
        result = asyncio.run(main_async(args, base, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    acked_ids = set(result.pop("_acked_ids"))  # type: ignore[arg-type]
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT client_id, count(*) FROM chat_message WHERE sender = 'citizen' "
                                 "GROUP BY client_id")).all()
    stored = {r[0]: r[1] for r in rows}
    result["stored_in_db"] = sum(stored.values())
    result["acknowledged_but_missing_in_db"] = sum(1 for cid in acked_ids if cid not in stored)
    result["stored_twice"] = sum(1 for n in stored.values() if n > 1)
    result["db"] = args.db
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
