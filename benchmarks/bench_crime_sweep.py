"""The daily clock sweep over a year of the demo force (~80,000 crimes), with its query plans.

Seeds a fresh database with `seed_demo_crimes`, then times (1) the first sweep, which raises the whole
backlog of alerts at once, and (2) the next day's sweep, the steady state. Every statement of the
second sweep is EXPLAIN ANALYZEd (PostgreSQL) and checked not to scan the crime or clock tables.

    python benchmarks/bench_crime_sweep.py --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python benchmarks/bench_crime_sweep.py --reuse   # skip the (slow) seeding the second time
    python benchmarks/bench_crime_sweep.py --url sqlite:////tmp/bench-crime.sqlite3 --crimes 80000
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url


def fresh_database(url: str, name: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or "/tmp/bench-crime.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return url
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--crimes", type=int, default=80_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--reuse", action="store_true", help="reuse the seeded database; undo earlier sweeps")
    args = ap.parse_args()

    if args.reuse:
        url = make_url(args.url).set(database="bluelamp_bench_crime").render_as_string(hide_password=False) \
            if not args.url.startswith("sqlite") else args.url
    else:
        url = fresh_database(args.url, "bluelamp_bench_crime")
    os.environ["BLUELAMP_DATABASE_URL"] = url
    os.environ.setdefault("BLUELAMP_VAR_DIR", "/tmp/bluelamp-bench-var")
    from bluelamp import clock
    from bluelamp.crime import sweep
    from bluelamp.crime.demo import seed_demo_crimes
    from bluelamp.db.engine import Database
    from bluelamp.db.migrate import upgrade

    db = Database(url)
    upgrade(db.engine)
    now = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    clock.set_clock(clock.FixedClock(now))
    t0 = time.perf_counter()
    with db.unit_of_work() as session:
        if args.reuse:  # back to the seeded state: no alerts, no sweep-made tasks, clocks as seeded
            session.execute(text("DELETE FROM crime_alert"))
            session.execute(text("DELETE FROM bureau_task WHERE kind = 'victim_contact_update'"))
            session.execute(text("UPDATE right6_clock SET status = 'open', missed_at = NULL WHERE missed_at IS NOT NULL"))
            session.execute(text("UPDATE right6_clock SET warned_at = NULL"))
            counts = {"crimes": int(session.execute(text("SELECT count(*) FROM crime")).scalar_one())}
        else:
            counts = seed_demo_crimes(session, random.Random(args.seed), now, crimes=args.crimes)
    seed_s = time.perf_counter() - t0
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    print(f"seeded {counts} in {seed_s:.1f} s")

    t0 = time.perf_counter()
    with db.unit_of_work() as session:
        first = sweep.sweep(session, now)
    first_s = time.perf_counter() - t0
    print(f"first sweep (whole backlog): {first_s:.2f} s {first}")

    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")) and "audit" not in statement:
            captured.append((statement, parameters))

    later = now + timedelta(days=1)
    clock.set_clock(clock.FixedClock(later))
    event.listen(db.engine, "before_cursor_execute", capture)
    t0 = time.perf_counter()
    with db.unit_of_work() as session:
        second = sweep.sweep(session, later)
    second_s = time.perf_counter() - t0
    event.remove(db.engine, "before_cursor_execute", capture)
    print(f"next day's sweep: {second_s:.2f} s {second}")

    problems = []
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            trans = conn.begin()
            for stmt, params in captured:
                plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + stmt, params))
                first_line = stmt.split("\n")[0][:90]
                print(f"\n-- {first_line}\n{plan}")
                for table in ("crime ", "victim "):  # the large tables (right6_clock holds a few thousand rows)
                    if f"Seq Scan on {table}" in plan:
                        problems.append(f"sequential scan of {table.strip()} in: {first_line}")
            trans.rollback()
    print("\nplan check:", "OK (index scans only)" if not problems else "; ".join(problems))
    print(f"RESULT crimes={counts['crimes']} first_sweep_s={first_s:.2f} next_day_sweep_s={second_s:.2f} "
          f"dialect={db.dialect}")
    db.dispose()


if __name__ == "__main__":
    main()
