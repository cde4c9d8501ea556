"""One national month of records on PostgreSQL, partitioned by month against unpartitioned, same run.

Usage: python benchmarks/bench_national_volume.py [--pg URL] [--contacts 2700000] [--month 2025-11]
       [--incident-share 0.35] [--open 3000] [--runs 5] [--history N]

England and Wales take about 32 million 999 and 101 calls a year: 2.7 million contacts a month. This
fills one scratch database with a month of contacts (THRIVE proposal of about 0.5 kB each), their
incidents (a share of them, the last `--open` still open) and an audit entry for each contact and each
incident, all server-side (INSERT ... SELECT generate_series), on the schema *before* the partitioning
migration. A second database is copied from it (CREATE DATABASE ... TEMPLATE) and migrated to head,
which partitions the populated tables: the migration's time at this volume is reported too. Then on
both, in the same run: `report measures` for the month (the same calls as the command), the dashboard
(first call, which counts the days into the roll-up, then the cached call), every dashboard figure
counted live, and the open-incident board. Prints medians, the ratio partitioned / unpartitioned, and
the load average. `--history N` loads N earlier months of the same volume first, so that the month
asked about is one of several (where partition pruning can help). Both scratch databases are dropped
at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url


def fill(engine: Engine, contacts: int, month: date, incident_share: float, open_n: int) -> None:
    """One month of contacts, their incidents (the last `open_n` of them open) and audit entries."""
    start = f"TIMESTAMPTZ '{month.isoformat()} 00:00+00'"
    days = 30
    tag = f"{month:%Y%m}-"
    when = f"{start} + (random() * {days} * 86400) * INTERVAL '1 second'"
    pad = "x" * 300
    every = max(1, round(1 / incident_share))
    steps = [
        "SELECT setseed(0.42)",
        f"""INSERT INTO contact (channel, agency, source, external_ref, received_at, answered_at, narrative, urban,
                                 area, answers, proposal, grade, route, flags, policy_version, household, status,
                                 decision, recorded_by)
            SELECT ch, 'police', 'bench', '{tag}' || g, t,
                   t + (CASE WHEN ch = '999' THEN random() * random() * 40 ELSE random() * 400 END) * INTERVAL '1 second',
                   'narrative ' || g, random() < 0.8, 'Force ' || (g % 43) || ' area ' || (g % 10), '{{}}'::jsonb,
                   jsonb_build_object('grade', gr, 'route', rt, 'thrive', jsonb_build_object('risk', 'medium',
                        'threat', '{pad}', 'harm', 'h')),
                   gr, rt,
                   CASE WHEN g % 7 = 0 THEN '["domestic_abuse"]'::jsonb WHEN g % 11 = 0 THEN '["mental_health"]'::jsonb
                        ELSE '[]'::jsonb END,
                   '2026.1', '[]'::jsonb, 'decided', jsonb_build_object('downgrade', false), 'bench'
            FROM (SELECT g, {when} AS t,
                         (ARRAY['999','999','999','999','101','101','101','101','101','chat','online'])[1 + g % 11] AS ch,
                         1 + (g % 4) AS gr,
                         (ARRAY['deploy','deploy','appointment','telephone_resolution','advice','refer:mental_health'])[1 + g % 6] AS rt
                  FROM generate_series(1, {contacts}) g) s""",
        f"""INSERT INTO incident (contact_id, agency, source, external_ref, grade, status, flags, urban, area,
                                  received_at, attend_by, dispatched_at, arrived_at, closed_at, extra)
            SELECT c.id, 'police', 'bench', c.external_ref, least(c.grade, 3), 'closed', '[]'::jsonb, c.urban, c.area,
                   c.received_at,
                   c.received_at + (CASE least(c.grade, 3) WHEN 1 THEN 900 WHEN 2 THEN 3600 ELSE 172800 END) * INTERVAL '1 second',
                   c.received_at + INTERVAL '2 minutes',
                   CASE WHEN random() < 0.95 THEN c.received_at + exp(6.3 + least(c.grade, 3) + random()) * INTERVAL '1 second' END,
                   c.received_at + INTERVAL '3 hours', '{{}}'::jsonb
            FROM contact c WHERE c.id % {every} = 0 AND c.received_at >= {start}
              AND c.received_at < {start} + INTERVAL '{days} days'""",
        f"""UPDATE incident SET status = 'awaiting', arrived_at = NULL, closed_at = NULL, dispatched_at = NULL
            WHERE id IN (SELECT id FROM incident ORDER BY received_at DESC LIMIT {open_n})""" if open_n else
        "SELECT 1",
        f"""INSERT INTO audit_entry (seq, at, actor, action, entity, entity_id, content, content_digest, prev_digest,
                                    digest)
           SELECT row_number() OVER (ORDER BY at) + (SELECT coalesce(max(seq), 0) FROM audit_entry), at, 'user:bench', action, entity, eid,
                  jsonb_build_object('after', jsonb_build_object('grade', 1)), md5(eid), md5(eid || 'p'), md5(eid || 'd')
           FROM (SELECT received_at AS at, 'contact.recorded' AS action, 'contact' AS entity, id::text AS eid
                 FROM contact WHERE source = 'bench' AND external_ref LIKE '{tag}%'
                 UNION ALL
                 SELECT received_at + INTERVAL '1 second', 'incident.opened', 'incident', id::text FROM incident
                 WHERE source = 'bench' AND external_ref LIKE '{tag}%') s""",
        "UPDATE audit_head SET seq = (SELECT max(seq) FROM audit_entry)",
    ]
    with engine.begin() as conn:
        for sql in steps:
            started = time.perf_counter()
            result = conn.execute(text(sql))
            words = sql.split()
            print(f"  {words[0]} {words[2] if words[0] == 'INSERT' else words[1]}: {result.rowcount} rows, "
                  f"{time.perf_counter() - started:.1f} s", flush=True)


def vacuum(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def timed(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(db, month: date, runs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from bluelamp.performance import service
    from bluelamp.performance.measures import measures
    from bluelamp.performance.service import with_all_measures
    from bluelamp.response.api import board

    last = date(month.year + month.month // 12, month.month % 12 + 1, 1).replace(day=1)
    d_to = date.fromordinal(last.toordinal() - 1)

    def report() -> None:
        with db.unit_of_work(write=False) as s:
            with_all_measures(s, measures(s, month, d_to))

    def dashboard() -> None:
        with db.unit_of_work() as s:
            service.dashboard(s, month, d_to)

    def live() -> None:
        with db.unit_of_work(write=False) as s:
            service.figures(s, service.make_scope(month, d_to))

    def open_board() -> None:
        with db.unit_of_work(write=False) as s:
            out = board(s)
            assert out["incidents"], "the board shows the open incidents"

    out = {"report measures": timed(report, runs)}
    started = time.perf_counter()
    dashboard()
    out["dashboard, first call (fills roll-up)"] = time.perf_counter() - started
    out["dashboard, cached"] = timed(dashboard, runs)
    out["every figure live"] = timed(live, max(1, runs // 2))
    out["open-incident board"] = timed(open_board, runs)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--contacts", type=int, default=2_700_000)
    ap.add_argument("--month", default="2025-11")
    ap.add_argument("--incident-share", type=float, default=0.35)
    ap.add_argument("--open", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--history", type=int, default=0, help="earlier months of the same volume, loaded first")
    args = ap.parse_args()
    os.environ.setdefault("BLUELAMP_VAR_DIR", tempfile.mkdtemp())
    os.environ.setdefault("BLUELAMP_RUN_JOBS_IN_SERVER", "false")
    month = date.fromisoformat(args.month + "-01")
    base = make_url(args.pg)
    plain, part = "bluelamp_bench_national_plain", "bluelamp_bench_national_part"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in (plain, part):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{plain}"'))
    from alembic import command

    import bluelamp.db.tables  # noqa: F401
    from bluelamp import clock
    from bluelamp.db.engine import Database
    from bluelamp.db.migrate import alembic_config, upgrade

    def url(name: str) -> str:
        return base.set(database=name).render_as_string(hide_password=False)

    try:
        load0 = os.getloadavg()
        db_plain = Database(url(plain))
        upgrade(db_plain.engine)
        cfg = alembic_config(url(plain))
        with db_plain.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "part@-1")  # the schema before partitioning
        started = time.perf_counter()
        for back in range(args.history, -1, -1):
            index = month.year * 12 + month.month - 1 - back
            this = date(index // 12, index % 12 + 1, 1)
            print(f"filling {this:%Y-%m}: {args.contacts} contacts", flush=True)
            fill(db_plain.engine, args.contacts, this, args.incident_share, 0 if back else args.open)
        print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
        db_plain.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{part}" TEMPLATE "{plain}"'))
        db_part = Database(url(part))
        started = time.perf_counter()
        upgrade(db_part.engine)  # the partitioning migration, on the populated copy
        migrate_s = time.perf_counter() - started
        print(f"partitioning migration on the populated database: {migrate_s:.0f} s", flush=True)
        db_plain = Database(url(plain))
        upgrade(db_plain.engine)  # nothing else than partitioning is pending: bring it to head, then
        with db_plain.engine.begin() as conn:  # unpartition again (the downgrade at volume, timed)
            cfg.attributes["connection"] = conn
            started = time.perf_counter()
            command.downgrade(cfg, "part@-1")
            down_s = time.perf_counter() - started
        print(f"downgrade (back to unpartitioned) on the populated database: {down_s:.0f} s", flush=True)
        for db in (db_plain, db_part):
            vacuum(db.engine)
        with db_part.engine.connect() as conn:
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in ("contact", "incident",
                                                                                        "audit_entry")}
            parts = conn.execute(text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'contact'::regclass")).scalar()
        print("rows:", counts, f"({parts} contact partitions)")
        clock.set_clock(clock.FixedClock(datetime(month.year, month.month, 28, 12, tzinfo=UTC)))
        results = {}
        for label, db in (("unpartitioned", db_plain), ("partitioned", db_part)):
            results[label] = measure(db, month, args.runs)
            print(label, {k: round(v, 3) for k, v in results[label].items()}, flush=True)
        load1 = os.getloadavg()
        print(f"\n{'query':40s} {'unpartitioned':>14s} {'partitioned':>12s} {'ratio':>6s}")
        for key in results["unpartitioned"]:
            a, b = results["unpartitioned"][key], results["partitioned"][key]
            print(f"{key:40s} {a:13.3f}s {b:11.3f}s {b / a:6.2f}")
        print(f"\nload average at start {load0[0]:.1f} / {load0[1]:.1f} / {load0[2]:.1f}, at end "
              f"{load1[0]:.1f} / {load1[1]:.1f} / {load1[2]:.1f}, {os.cpu_count()} cores; "
              f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        db_plain.dispose()
        db_part.dispose()
    finally:
        with admin.connect() as conn:
            for name in (plain, part):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
