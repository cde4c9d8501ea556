"""POST /api/v1/contacts under load against a server on loopback, beside a bare one-INSERT endpoint.

Closed loop (N clients, each sending the next contact when the last is answered) or open loop (a fixed
offered rate, each request timed from when it was due). Every request carries a unique
Idempotency-Key; afterwards the database is counted: every acknowledged contact stored exactly once.

`--baseline` runs the same load, in the same run, against `bare_insert_app.py`: FastAPI, SQLAlchemy and
psycopg in one process doing one INSERT per request into the same database; the ratio of throughputs
(ours / bare) is the issue-11 figure (target at least 0.5 with 50 clients, closed loop). `--count N`
first records N contacts in process with a SQLAlchemy event listener counting the statements each
costs (the shape of the write path, independent of machine load).

    python benchmarks/bench_contacts_api.py --db postgresql --clients 50 --seconds 30 --baseline
    python benchmarks/bench_contacts_api.py --db postgresql --mode open --rate 300 --seconds 30 --baseline
    python benchmarks/bench_contacts_api.py --db sqlite --clients 50 --seconds 30
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
from typing import Any

import httpx
from sqlalchemy import create_engine, inspect, text

import loadgen

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


def fresh_pg_database(pg_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `pg_url`; its URL (shared by the contact benchmarks)."""
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return pg_url.rsplit("/", 1)[0] + "/" + name


def body(i: int) -> dict[str, object]:
    rnd = random.Random(i)
    return {
        "channel": rnd.choice(["999", "101"]),
        "narrative": rnd.choice(NARRATIVES),
        "location": {"lat": 52.8 + rnd.random() / 10, "lon": -2.1 + rnd.random() / 10, "urban": rnd.random() < 0.7},
        "caller": {"name": f"Caller {i % 5000}", "phone": f"07700{i % 5000:06d}", "role": "victim"},
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def count_statements(url: str, n: int) -> dict[str, object]:
    """Record n contacts through the whole app in process, counting the SQL statements each sends."""
    os.environ["BLUELAMP_DATABASE_URL"] = url
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from bluelamp.db.engine import get_database
    from bluelamp.identity import service as identity
    from bluelamp.web.app import create_app

    db = get_database(url)
    statements: list[str] = []
    with db.unit_of_work() as session:
        identity.add_user(session, "counter", ["call_handler"], "correct horse battery")
        token = identity.create_token(session, "counter")
    with TestClient(create_app(db)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        for i in range(10):  # warm: first-time look-ups (policy, gazetteer) are not the steady cost
            client.post("/api/v1/contacts", json=body(10**8 + i), headers={**headers, "Idempotency-Key": f"w{i}"})

        def listen(_conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
            statements.append(" ".join(statement.split())[:90])

        event.listen(db.engine, "before_cursor_execute", listen)
        per: list[int] = []
        incidents = 0
        last: list[str] = []
        for i in range(n):
            before = len(statements)
            res = client.post("/api/v1/contacts", json=body(2 * 10**8 + i),
                              headers={**headers, "Idempotency-Key": f"c{i}"})
            assert res.status_code == 201, res.text
            per.append(len(statements) - before)
            if res.json()["incident_id"] is not None:
                incidents += 1
                last = statements[before:]
        event.remove(db.engine, "before_cursor_execute", listen)
    db.dispose()
    return {"contacts": n, "with_incident": incidents, "statements_per_contact": round(sum(per) / n, 2),
            "min": min(per), "max": max(per), "statements_of_a_deploying_contact": last}


def start_server(argv: list[str], env: dict[str, str], port: int, log: Path, health: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
                              cwd=Path(__file__).parent)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=1).status_code in (200, 404, 405):
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"server did not start: see {log}")


def drive(args: argparse.Namespace, port: int, path: str, make: loadgen.RequestFor) -> loadgen.Outcome:
    load0 = os.getloadavg()[0]
    if args.mode == "open":
        out = asyncio.run(loadgen.open_loop("127.0.0.1", port, path, make, args.rate, args.seconds))
    else:
        out = asyncio.run(loadgen.closed_loop("127.0.0.1", port, path, make, args.clients, args.seconds))
    out.load = (load0, os.getloadavg()[0])  # type: ignore[attr-defined]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--mode", choices=["closed", "open"], default="closed")
    ap.add_argument("--clients", type=int, default=50, help="closed loop: concurrent clients")
    ap.add_argument("--rate", type=float, default=300, help="open loop: contacts offered per second")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--baseline", action="store_true", help="also drive the bare one-INSERT endpoint")
    ap.add_argument("--count", type=int, default=50, help="contacts to count statements on first (0: skip)")
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--bench-db", default="bluelamp_bench", help="PostgreSQL database (re)created for the run")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bluelamp-bench-"))
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        url = fresh_pg_database(args.pg_url, args.bench_db)
    os.environ["BLUELAMP_VAR_DIR"] = str(tmp)
    env = {**os.environ, "BLUELAMP_DATABASE_URL": url, "BLUELAMP_VAR_DIR": str(tmp), "BENCH_BARE_URL": url}
    run = [sys.executable, "-m", "bluelamp"]
    subprocess.run([*run, "user", "add", "bench", "--role", "call_handler"], input="correct horse battery\n",
                   text=True, env=env, check=True, capture_output=True)
    token = subprocess.run([*run, "token", "create", "bench"], text=True, env=env, check=True,
                           capture_output=True).stdout.strip().splitlines()[-1]
    result: dict[str, object] = {"db": args.db, "mode": args.mode, "seconds": args.seconds, "workers": args.workers,
                                 **({"rate": args.rate} if args.mode == "open" else {"clients": args.clients}),
                                 "cores": os.cpu_count()}
    if args.count:
        result["statements"] = count_statements(url, args.count)
    uvicorn = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--log-level", "warning"]
    run_id = uuid.uuid4().hex[:12]
    headers = f"Authorization: Bearer {token}"

    def contact(i: int) -> tuple[bytes, dict[str, str]]:
        return json.dumps(body(i)).encode(), {"Authorization": headers.split(": ", 1)[1],
                                               "Idempotency-Key": f"{run_id}-{i}"}

    if args.baseline:
        port = free_port()
        server = start_server([*uvicorn, "--port", str(port), "--factory", "bare_insert_app:create_app"], env,
                              port, tmp / "bare.log", "/bare")
        try:
            bare = drive(args, port, "/bare", lambda i: (json.dumps(body(i)).encode(), {}))
        finally:
            server.terminate()
            server.wait(timeout=30)
        result["bare"] = {**bare.summary(), "load_average": bare.load}  # type: ignore[attr-defined]
    port = free_port()
    server = start_server([*uvicorn, "--port", str(port), "--workers", str(args.workers), "--factory",
                           "bluelamp.web.app:create_app"], env, port, tmp / "server.log", "/healthz")
    try:
        ours = drive(args, port, "/api/v1/contacts", contact)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["bluelamp"] = {**ours.summary(), "load_average": ours.load}  # type: ignore[attr-defined]
    if args.baseline and ours.elapsed and result["bare"]["throughput_per_s"]:  # type: ignore[index]
        result["ratio_to_bare"] = round(ours.ok() / ours.elapsed / result["bare"]["throughput_per_s"], 3)  # type: ignore[index]
    acked_keys = {f"{run_id}-{i}" for i, _ in ours.acks}
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key FROM idempotency_key")).scalars().all()
        stored = conn.execute(text("SELECT count(*) FROM contact WHERE recorded_by = 'user:bench'")).scalar_one()
        chained = conn.execute(text("SELECT count(*) FROM audit_entry")).scalar_one()
        has_pending = conn.execute(text("SELECT count(*) FROM audit_pending")).scalar_one() if inspect(
            engine).has_table("audit_pending") else None
    engine.dispose()
    result["audit"] = {"chained": chained, "waiting_after_the_run": has_pending}
    stored_keys = {r.split(":", 1)[1] for r in rows if r.split(":", 1)[1].startswith(run_id)}
    result["check"] = {
        "contacts_stored": stored, "keys_stored": len(stored_keys),
        # A request the client gave up on may still have committed: that contact is stored but was
        # never acknowledged, which is fine. What must hold: every acknowledged key is stored, and
        # no key is stored twice (one contact per key).
        "unacknowledged_but_stored": len(stored_keys - acked_keys),
        "every_ack_stored_once": acked_keys <= stored_keys and stored == len(stored_keys),
    }
    result["server_log"] = str(tmp / "server.log")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
