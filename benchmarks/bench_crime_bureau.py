"""The bureau queue page with 10,000 open tasks: latency percentiles of GET /bureau (signed in).

    python benchmarks/bench_crime_bureau.py --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python benchmarks/bench_crime_bureau.py --url sqlite:////tmp/bench-bureau.sqlite3
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from bench_crime_sweep import fresh_database  # type: ignore[import-not-found]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--open", type=int, default=10_000)
    ap.add_argument("--done", type=int, default=30_000)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    url = fresh_database(args.url, "bluelamp_bench_bureau")
    os.environ["BLUELAMP_DATABASE_URL"] = url
    os.environ.setdefault("BLUELAMP_VAR_DIR", "/tmp/bluelamp-bench-var")
    os.environ.setdefault("BLUELAMP_ENV", "test")
    from fastapi.testclient import TestClient

    from bluelamp.crime.store import BureauTask
    from bluelamp.db.engine import Database
    from bluelamp.db.migrate import upgrade
    from bluelamp.identity import service as identity
    from bluelamp.policy import load_policy
    from bluelamp.web.app import create_app

    db = Database(url)
    upgrade(db.engine)
    rng = random.Random(1)
    now = datetime.now(UTC)
    types = load_policy().doc("bureau").task_types
    rows = []
    for i in range(args.open + args.done):
        t = rng.choice(types)
        due = now + timedelta(hours=rng.uniform(-72, 240))
        done = i >= args.open
        rows.append({"kind": t.id, "title": t.label, "status": "done" if done else rng.choice(["open", "open", "assigned"]),
                     "assigned_to": "cab1" if not done and rng.random() < 0.3 else None, "created_at": due - timedelta(days=1),
                     "due_at": due, "minutes_saved": t.minutes_saved, "detail": {"letter": "Dear Jo, ..."} if rng.random() < 0.3 else {},
                     "done_at": due if done else None, "done_by": "user:cab1" if done else None})
    with db.unit_of_work() as session:
        for i in range(0, len(rows), 5000):
            session.execute(insert(BureauTask), rows[i:i + 5000])
        identity.add_user(session, "cab.bench", ["cab_officer"], "correct horse battery")
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE bureau_task"))
    app = create_app(db)
    with TestClient(app) as client:
        res = client.post("/login", data={"username": "cab.bench", "password": "correct horse battery", "next": "/"},
                          follow_redirects=False)
        assert res.status_code == 303, res.text
        for _ in range(10):  # warm up
            assert client.get("/bureau").status_code == 200
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            res = client.get("/bureau")
            times.append((time.perf_counter() - t0) * 1000)
            assert res.status_code == 200 and "bureau" in res.text
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    print(f"RESULT dialect={db.dialect} open={args.open} done={args.done} requests={len(times)} "
          f"p50={p(0.5):.1f}ms p95={p(0.95):.1f}ms p99={p(0.99):.1f}ms max={times[-1]:.1f}ms "
          f"mean={statistics.mean(times):.1f}ms")
    db.dispose()


if __name__ == "__main__":
    main()
