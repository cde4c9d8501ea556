"""POST /api/v1/telephony/events at a steady 200 events a second against a server on loopback.

Open loop: request i is sent at i / rate seconds whatever the earlier ones are doing (a platform's
feed does not wait for us), one event per request by default (the worst case; `--batch` sends more per
request). Each call is offered, then answered (85%) or abandoned with a number on 101 (so call-back
items are created as they would be), then ended; one event in twenty is sent twice (duplicates). Reports
latency percentiles and checks that every accepted event is stored exactly once.

    python benchmarks/bench_telephony.py --seconds 30
    python benchmarks/bench_telephony.py --db postgresql --seconds 30
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def events(n: int, seed: int = 16) -> list[dict[str, object]]:
    """n events of about n / 3 calls, in arrival order, times just behind the real clock."""
    rnd = random.Random(seed)
    out: list[dict[str, object]] = []
    base = datetime.now(UTC) - timedelta(minutes=30)
    call = 0
    while len(out) < n:
        call += 1
        line = "999" if rnd.random() < 0.4 else "101"
        t = base + timedelta(seconds=call * 0.5)
        cid = f"bench-{call}"
        number = f"07700{rnd.randrange(10**6):06d}"
        out.append({"call_id": cid, "event": "offered", "line": line, "at": t.isoformat(), "number": number})
        if rnd.random() < 0.85 or line == "999":
            out.append({"call_id": cid, "event": "answered", "line": line, "handler": f"h{rnd.randrange(40)}",
                        "at": (t + timedelta(seconds=rnd.expovariate(1 / 8))).isoformat()})
        else:
            out.append({"call_id": cid, "event": "abandoned", "line": line,
                        "at": (t + timedelta(seconds=rnd.expovariate(1 / 90))).isoformat()})
        out.append({"call_id": cid, "event": "ended", "line": line, "at": (t + timedelta(seconds=240)).isoformat()})
        if rnd.random() < 0.05:
            out.append(dict(out[-1]))  # a repeat: must come back as a duplicate
    return out[:n]


def server_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def drive(url: str, headers: dict[str, str], batches: list[list[dict[str, object]]], rate: float,
                lat: list[float], results: list[dict[str, int]], errors: list[int]) -> float:
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64)) as client:
        t0 = time.perf_counter()

        async def one(i: int, batch: list[dict[str, object]]) -> None:
            await asyncio.sleep(max(0.0, t0 + i / rate - time.perf_counter()))
            start = time.perf_counter()
            try:
                res = await client.post(url, json=batch, headers=headers)
            except httpx.HTTPError:
                errors.append(-1)
                return
            lat.append(time.perf_counter() - start)
            if res.status_code == 202:
                body = res.json()
                results.append({"accepted": body["accepted"], "duplicates": body["duplicates"],
                                "rejected": len(body["rejected"])})
            else:
                errors.append(res.status_code)

        await asyncio.gather(*(one(i, b) for i, b in enumerate(batches)))
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rate", type=float, default=200, help="events per second")
    ap.add_argument("--batch", type=int, default=1, help="events per request")
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bluelamp-bench-tel-"))
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS bluelamp_bench_tel WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE bluelamp_bench_tel"))
        url = args.pg_url.rsplit("/", 1)[0] + "/bluelamp_bench_tel"
    env = {**os.environ, "BLUELAMP_DATABASE_URL": url, "BLUELAMP_VAR_DIR": str(tmp)}
    run = [sys.executable, "-m", "bluelamp"]
    subprocess.run([*run, "user", "add", "feed", "--role", "telephony"], input="amber kettle rowing lantern\n",
                   text=True, env=env, check=True, capture_output=True)
    token = subprocess.run([*run, "token", "create", "feed"], text=True, env=env, check=True,
                           capture_output=True).stdout.strip().splitlines()[-1]
    n = int(args.seconds * args.rate)
    evs = events(n)
    batches = [evs[i:i + args.batch] for i in range(0, len(evs), args.batch)]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bluelamp.web.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "server.log").open("w"))
    lat: list[float] = []
    results: list[dict[str, int]] = []
    errors: list[int] = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token}"}
        httpx.post(f"{base}/api/v1/telephony/events", json=[], headers=headers, timeout=30)  # warm the token cache
        cpu0 = server_cpu_s(server.pid)
        elapsed = asyncio.run(drive(f"{base}/api/v1/telephony/events", headers, batches, args.rate / args.batch,
                                    lat, results, errors))
        cpu = server_cpu_s(server.pid) - cpu0
    finally:
        server.terminate()
        server.wait(timeout=30)
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM tel_call_event")).scalar_one()
        calls = conn.execute(text("SELECT count(*) FROM tel_call")).scalar_one()
        items = conn.execute(text("SELECT count(*) FROM tel_callback")).scalar_one()
    accepted = sum(r["accepted"] for r in results)
    unique = len({(e["call_id"], e["event"], e["at"]) for e in evs})
    duplicates = sum(r["duplicates"] for r in results)
    print(json.dumps({
        "db": args.db, "rate_events_per_s": args.rate, "batch": args.batch, "requests": len(batches),
        "events_sent": len(evs), "seconds": round(elapsed, 1), "achieved_events_per_s": round(len(evs) / elapsed, 1),
        "p50_ms": round(percentile(lat, 0.5) * 1000, 1), "p90_ms": round(percentile(lat, 0.9) * 1000, 1),
        "p99_ms": round(percentile(lat, 0.99) * 1000, 1), "max_ms": round(max(lat) * 1000, 1) if lat else None,
        "errors": len(errors), "error_codes": sorted(set(errors)), "accepted": accepted, "duplicates": duplicates,
        # The server's own CPU time per event: what the rate costs whatever else shares the machine.
        "server_cpu_ms_per_event": round(cpu / len(evs) * 1000, 2), "server_cpu_share_of_one_core": round(cpu / elapsed, 2),
        "events_stored": stored, "calls": calls, "callback_items": items,
        # Every distinct event stored exactly once, every acknowledged one among them (a request the
        # client gave up on may still have been stored: it is then counted here, not in `accepted`).
        "distinct_events_sent": unique, "every_event_stored_once": stored == unique and accepted <= stored,
        "load_average": os.getloadavg()[0], "server_log": str(tmp / "server.log"),
    }))


if __name__ == "__main__":
    main()
