"""Attendance measures over one year of a force (~250,000 incidents) on PostgreSQL, with the query plan.

Usage: python benchmarks/bench_response_measures.py [--pg URL] [--n 250000]
Creates a scratch database, fills it with synthetic incidents (COPY), times `measures()` for the whole
year and for one month, and prints EXPLAIN ANALYZE of the grouped query. Target: under 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def fill(db, n: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import Table

    from bluelamp.contact.imports import copy_insert
    from bluelamp.response.store import Incident

    table: Table = Incident.__table__  # type: ignore[assignment]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    targets = {1: 900, 2: 3600, 3: 172800}
    rows = []
    for k in range(n):
        grade = rng.choices([1, 2, 3, 4], [15, 45, 30, 10])[0]
        urban = rng.random() < 0.7
        received = start + timedelta(seconds=rng.uniform(0, 365 * 86400))
        target = targets.get(grade)
        arrived = None
        if grade < 4 and rng.random() > 0.05:
            arrived = received + timedelta(seconds=rng.lognormvariate(6.3 + grade, 0.6))
        rows.append({"agency": "police", "source": "bench", "external_ref": f"b{k}", "grade": grade,
                     "status": "closed", "flags": [], "urban": urban, "area": rng.choice("ABCDEFGH"),
                     "received_at": received, "attend_by": received + timedelta(seconds=target) if target else None,
                     "arrived_at": arrived, "dispatched_at": None, "closed_at": None, "extra": {}})
    with db.unit_of_work() as session:
        for i in range(0, n, 20000):
            copy_insert(session, table, rows[i:i + 20000])
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE incident"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--n", type=int, default=250_000)
    args = ap.parse_args()
    os.environ.setdefault("BLUELAMP_VAR_DIR", tempfile.mkdtemp())
    admin = create_engine(make_url(args.pg).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = "bluelamp_bench_measures"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        import bluelamp.db.tables  # noqa: F401
        from bluelamp.db.engine import get_database
        from bluelamp.db.migrate import upgrade
        from bluelamp.performance import measures as m

        db = get_database(make_url(args.pg).set(database=name).render_as_string(hide_password=False))
        upgrade(db.engine)
        t = time.perf_counter()
        fill(db, args.n, random.Random(3))
        print(f"filled {args.n} incidents in {time.perf_counter() - t:.1f} s")
        for label, d0, d1 in (("year", date(2025, 1, 1), date(2025, 12, 31)), ("month", date(2025, 6, 1), date(2025, 6, 30))):
            times = []
            for _ in range(7):
                t = time.perf_counter()
                with db.unit_of_work() as session:
                    result = m.measures(session, d0, d1)
                times.append(time.perf_counter() - t)
            g1 = result["attendance"]["1"]
            print(f"measures over a {label}: median {statistics.median(times) * 1000:.0f} ms, "
                  f"max {max(times) * 1000:.0f} ms (grade 1: {g1['incidents']} incidents, "
                  f"share {g1['share_within_target']}, median {g1['median_s']} s)")
        _, _, start, end = (None, None, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
        with db.unit_of_work() as session:
            conds = m._filters("police", start, end, None)
            from sqlalchemy import func, select

            from bluelamp.response.store import Incident

            secs = func.extract("epoch", Incident.arrived_at - Incident.received_at)
            from sqlalchemy import literal_column

            q = (select(Incident.grade, Incident.urban, func.count(),
                        func.percentile_cont(literal_column("ARRAY[0.5, 0.9]")).within_group(secs))
                 .where(*conds).group_by(text("GROUPING SETS ((incident.grade), (incident.grade, incident.urban))")))
            sql = str(q.compile(db.engine, compile_kwargs={"literal_binds": True}))
            session.execute(text("SET LOCAL work_mem = '64MB'"))
            plan = session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
        print("\n".join(plan))
    finally:
        from bluelamp.db.engine import _database_for

        _database_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
