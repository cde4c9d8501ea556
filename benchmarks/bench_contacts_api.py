"""POST /api/v1/contacts under load: N concurrent clients for D seconds against a server on loopback.

Reports throughput and latency percentiles, then proves every acknowledged contact is stored exactly
once (each request carries a unique Idempotency-Key; the database is counted afterwards).

    python benchmarks/bench_contacts_api.py --db sqlite --clients 50 --seconds 60
    python benchmarks/bench_contacts_api.py --db postgresql --clients 50 --seconds 60 --workers 2
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
from sqlalchemy import create_engine, text

NARRATIVES = [
    "He has a knife and is kicking my door in right now",
    "My car was broken into overnight, they took a laptop",
    "Neighbours are playing loud music again, third time this week",
    "I think someone is using my bank card, there are payments I did not make",
    "My elderly dad has not answered the door all day and his curtains are closed",
    "There's a man shouting at people outside the shop, he seems drunk",
    "Any update on my burglary case? reference 1234",
    "My 15 year old daughter has not come home and is not answering her phone",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def body(i: int) -> dict[str, object]:
    rnd = random.Random(i)
    return {
        "channel": rnd.choice(["999", "101"]),
        "narrative": rnd.choice(NARRATIVES),
        "location": {"lat": 52.8 + rnd.random() / 10, "lon": -2.1 + rnd.random() / 10, "urban": rnd.random() < 0.7},
        "caller": {"name": f"Caller {i % 5000}", "phone": f"07700{i % 5000:06d}", "role": "victim"},
    }


async def client_loop(url: str, headers: dict[str, str], deadline: float, acks: list[str], lat: list[float],
                      errors: list[int], start: int) -> None:
    i = start
    async with httpx.AsyncClient(timeout=30) as client:
        while time.perf_counter() < deadline:
            key = uuid.uuid4().hex
            t0 = time.perf_counter()
            try:
                res = await client.post(url, json=body(i), headers={**headers, "Idempotency-Key": key})
            except httpx.HTTPError:
                errors.append(-1)
                continue
            lat.append(time.perf_counter() - t0)
            if res.status_code == 201:
                acks.append(key)
            else:
                errors.append(res.status_code)
            i += 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bluelamp-bench-"))
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS bluelamp_bench WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE bluelamp_bench"))
        url = args.pg_url.rsplit("/", 1)[0] + "/bluelamp_bench"
    env = {**os.environ, "BLUELAMP_DATABASE_URL": url, "BLUELAMP_VAR_DIR": str(tmp)}
    run = [sys.executable, "-m", "bluelamp"]
    subprocess.run([*run, "user", "add", "bench", "--role", "call_handler"], input="bench-password\n",
                   text=True, env=env, check=True, capture_output=True)
    token = subprocess.run([*run, "token", "create", "bench"], text=True, env=env, check=True,
                           capture_output=True).stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bluelamp.web.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(args.workers), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "server.log").open("w"))
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        acks: list[str] = []
        lat: list[float] = []
        errors: list[int] = []
        headers = {"Authorization": f"Bearer {token}"}
        t0 = time.perf_counter()
        deadline = t0 + args.seconds

        async def all_clients() -> None:
            await asyncio.gather(*(client_loop(f"{base}/api/v1/contacts", headers, deadline, acks, lat, errors, c * 100_000)
                                   for c in range(args.clients)))

        asyncio.run(all_clients())
        elapsed = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM contact")).scalar_one()
        keys = conn.execute(text("SELECT count(*) FROM idempotency_key")).scalar_one()
        acked_keys = {f"{k}" for k in acks}
        rows = conn.execute(text("SELECT key FROM idempotency_key")).scalars().all()
    stored_keys = {r.split(":", 1)[1] for r in rows}
    result = {
        "db": args.db, "clients": args.clients, "seconds": round(elapsed, 1), "workers": args.workers,
        "acknowledged": len(acks), "throughput_per_s": round(len(acks) / elapsed, 1),
        "p50_ms": round(percentile(lat, 0.5) * 1000, 1), "p99_ms": round(percentile(lat, 0.99) * 1000, 1),
        "errors": len(errors), "error_codes": sorted(set(errors)),
        "contacts_stored": stored, "keys_stored": keys,
        # A request the client gave up on may still have committed: that contact is stored but was
        # never acknowledged, which is fine. What must hold: every acknowledged key is stored, and
        # no key is stored twice (one contact per key).
        "unacknowledged_but_stored": len(stored_keys - acked_keys),
        "every_ack_stored_once": acked_keys <= stored_keys and stored == keys == len(stored_keys),
        "server_log": str(tmp / "server.log"),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
