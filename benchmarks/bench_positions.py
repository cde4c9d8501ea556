"""POST /api/v1/positions: batches of 100 AVL positions for 500 units, through the whole app.

The app is driven in process (FastAPI's TestClient: routing, bearer-token auth, validation, the
transaction and its commit, the audit entry), one batch after another, so the figure is the server's
cost per batch without network or client overhead. Reports positions per second and per-batch
latency percentiles, and checks every accepted position is stored.

    python benchmarks/bench_positions.py --db sqlite --batches 200
    python benchmarks/bench_positions.py --db postgresql --batches 200
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def database(kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/bench-positions.sqlite3"
    name = f"bench_positions_{os.getpid()}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--batches", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--units", type=int, default=500)
    args = ap.parse_args()
    url = database(args.db)
    os.environ["BLUELAMP_DATABASE_URL"] = url
    from fastapi.testclient import TestClient

    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade
    from bluelamp.identity import service as identity
    from bluelamp.response import units
    from bluelamp.web.app import create_app

    db = get_database(url)
    upgrade(db.engine)
    with db.unit_of_work() as session:
        identity.add_user(session, "feed", ["avl"], "correct horse battery")
        token = identity.create_token(session, "feed")
        for i in range(args.units):
            units.create_unit(session, "bench", call_sign=f"U{i:04d}", unit_type="response_car")
    rnd = random.Random(15)
    start = datetime.now(UTC) - timedelta(hours=1)
    headers = {"Authorization": f"Bearer {token}"}
    times: list[float] = []
    accepted = 0
    cpu0 = time.process_time()
    with TestClient(create_app(db)) as client:
        for b in range(args.batches):
            at = start + timedelta(seconds=b)
            batch = [{"unit": f"U{rnd.randrange(args.units):04d}", "lat": 52.6 + rnd.random() * 0.5,
                      "lon": -2.3 + rnd.random() * 0.6,
                      "at": (at + timedelta(milliseconds=i)).isoformat().replace("+00:00", "Z")}
                     for i in range(args.batch_size)]
            t0 = time.perf_counter()
            res = client.post("/api/v1/positions", json=batch, headers=headers)
            times.append(time.perf_counter() - t0)
            assert res.status_code == 202, res.text
            body = res.json()
            assert not body["rejected"], body["rejected"][:3]
            accepted += body["accepted"]
    cpu = time.process_time() - cpu0
    with db.unit_of_work() as session:
        stored = session.execute(text("SELECT count(*) FROM unit_position")).scalar_one()
    assert stored == accepted, (stored, accepted)
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000  # noqa: E731
    total = sum(times)
    print(f"db={args.db} batches={args.batches} x {args.batch_size} units={args.units}")
    print(f"positions/s {args.batches * args.batch_size / total:,.0f} (accepted {accepted}, stored {stored})")
    print(f"per batch: p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms, p99 {p(0.99):.1f} ms, "
          f"max {times[-1] * 1000:.1f} ms, mean {statistics.mean(times) * 1000:.1f} ms")
    print(f"CPU of this process (client and server): {cpu / args.batches * 1000:.1f} ms a batch, "
          f"{args.batches * args.batch_size / cpu:,.0f} positions per CPU-second; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    db.dispose()
    if args.db == "postgresql":
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "bench_positions_{os.getpid()}" WITH (FORCE)'))
    sys.exit(0)


if __name__ == "__main__":
    main()
