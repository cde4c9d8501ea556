"""The performance dashboard over one year of a demo-force-sized dataset on PostgreSQL, and the PDF.

Usage: python benchmarks/bench_performance.py [--pg URL] [--contacts 730000] [--incidents 250000]
       [--crimes 80000] [--explain]

Creates a scratch database, fills it in bulk with INSERT ... SELECT generate_series (a year of
contacts with a THRIVE proposal of realistic size, people and their links, chats, incidents, crimes,
reviews, victims, Right 6 clocks, bureau tasks), then times `service.dashboard()` for the year and for
one month (each computes the previous equal period too), one drill-down, and the progress-report PDF
with 20 items. `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of each family's query.
Targets: dashboard under 1 s; PDF under 10 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

YEAR = "TIMESTAMPTZ '2025-01-01 00:00+00' + (random() * 365 * 86400) * INTERVAL '1 second'"


def fill(engine, contacts: int, incidents: int, crimes: int) -> None:  # type: ignore[no-untyped-def]
    pad = "x" * 700  # the reasons and THRIVE text of a real proposal: about 1 kB of JSON per contact
    steps = [
        "SELECT setseed(0.42)",
        f"""INSERT INTO person (name, name_key, phone, phone_key, address, address_key, markers)
            SELECT 'P' || g, 'p' || g, '07' || g, '07' || g,
                   CASE WHEN g % 10 < 9 THEN g || ' High St' END, CASE WHEN g % 10 < 9 THEN g || ' high st' END,
                   '[]'::jsonb FROM generate_series(1, {contacts // 2}) g""",
        f"""INSERT INTO contact (channel, agency, source, external_ref, received_at, answered_at, narrative, urban,
                                 area, answers, proposal, grade, route, flags, policy_version, household, status,
                                 decision, recorded_by)
            SELECT ch, 'police', 'bench', 'b' || g, t,
                   t + (CASE WHEN ch = '999' THEN random() * random() * 40 ELSE random() * 400 END) * INTERVAL '1 second',
                   'narrative ' || g, random() < 0.8, 'Area ' || (g % 8),
                   '{{}}'::jsonb,
                   jsonb_build_object('grade', gr, 'route', rt, 'thrive', jsonb_build_object('risk', 'medium',
                        'threat', '{pad}', 'harm', 'h'), 'reasons', jsonb_build_array('{pad}')),
                   gr, rt,
                   CASE WHEN g % 7 = 0 THEN '["domestic_abuse"]'::jsonb WHEN g % 11 = 0 THEN '["mental_health"]'::jsonb
                        ELSE '[]'::jsonb END,
                   '2026.1', '[]'::jsonb, 'decided',
                   CASE WHEN g % 50 = 0 THEN jsonb_build_object('downgrade', true, 'approved_by', 'user:sup')
                        ELSE jsonb_build_object('downgrade', false) END,
                   'bench'
            FROM (SELECT g, {YEAR} AS t,
                         (ARRAY['999','999','999','999','101','101','101','101','101','chat','online'])[1 + g % 11] AS ch,
                         1 + (g % 4) AS gr,
                         (ARRAY['deploy','deploy','appointment','telephone_resolution','advice','refer:mental_health'])[1 + g % 6] AS rt
                  FROM generate_series(1, {contacts}) g) s""",
        f"""INSERT INTO contact_person (contact_id, person_id, role, is_caller, received_at)
            SELECT c.id, 1 + (c.id % {contacts // 2}), 'victim', true, c.received_at FROM contact c WHERE c.id % 20 <> 0""",
        f"""INSERT INTO chat (token_digest, status, started_at, queued_at, answered_at, closed_at, risk_grade, flags,
                              reasons, emergency, last_seq, citizen_seen_seq, transfers)
            SELECT md5(g::text), 'closed', t, t, CASE WHEN g % 12 = 0 THEN NULL ELSE t + random() * INTERVAL '5 minutes' END,
                   t + INTERVAL '20 minutes', 4, '[]'::jsonb, '[]'::jsonb, false, 0, 0, 0
            FROM (SELECT g, {YEAR} AS t FROM generate_series(1, {contacts // 12}) g) s""",
        f"""INSERT INTO incident (contact_id, agency, source, external_ref, grade, status, flags, urban, area,
                                  received_at, attend_by, arrived_at, extra)
            SELECT c.id, 'police', 'bench', c.external_ref, c.grade, 'closed', '[]'::jsonb, c.urban, c.area,
                   c.received_at,
                   c.received_at + (CASE c.grade WHEN 1 THEN 900 WHEN 2 THEN 3600 ELSE 172800 END) * INTERVAL '1 second',
                   CASE WHEN random() < 0.95 THEN c.received_at + exp(6.3 + c.grade + random()) * INTERVAL '1 second' END,
                   '{{}}'::jsonb
            FROM contact c WHERE c.grade < 4 ORDER BY c.id LIMIT {incidents}""",
        f"""INSERT INTO crime (contact_id, source, offence, offence_group, most_serious, domestic, summary, reported_at,
                               record_due_at, recorded_at, oic, risk, status, plan_score, outcome, closed_at,
                               policy_version, created_at, next_review_due_at)
            SELECT c.id, 'bench', 'other_theft', (ARRAY['theft offences','violence against the person',
                   'criminal damage and arson','robbery','public order offences'])[1 + c.id % 5], false, c.id % 7 = 0, '',
                   c.received_at, c.received_at + INTERVAL '24 hours',
                   c.received_at + random() * INTERVAL '30 hours', 'pc' || (c.id % 120), 'standard',
                   CASE WHEN c.id % 3 = 0 THEN 'open' ELSE 'closed' END,
                   CASE WHEN c.id % 10 < 8 THEN 40 + (c.id % 60) END,
                   CASE WHEN c.id % 3 <> 0 THEN (ARRAY['1','18','14','15','16','8','18','18'])[1 + c.id % 8] END,
                   CASE WHEN c.id % 3 <> 0 THEN c.received_at + random() * INTERVAL '60 days' END,
                   '2026.1', c.received_at, c.received_at + INTERVAL '14 days'
            FROM contact c WHERE c.id % 9 = 1 ORDER BY c.id LIMIT {crimes}""",
        """INSERT INTO supervisory_review (crime_id, reviewer, reviewed_at, direction, risk, late, next_due_at)
           SELECT id, 'sup', reported_at + k * INTERVAL '10 days', 'd', 'standard', random() < 0.2,
                  reported_at + (k + 1) * INTERVAL '10 days'
           FROM crime, generate_series(1, 2) k""",
        """INSERT INTO victim (crime_id, name, active, enhanced, enhanced_reasons, rights, needs, needs_assessed_at,
                               vps_offered_at, created_at)
           SELECT id, 'V' || id, status = 'open', id % 5 = 0, '[]'::jsonb, '{}'::jsonb, '{}'::jsonb,
                  CASE WHEN random() < 0.85 THEN reported_at + INTERVAL '1 day' END,
                  CASE WHEN random() < 0.7 THEN reported_at + INTERVAL '2 days' END, reported_at
           FROM crime""",
        """INSERT INTO right6_clock (victim_id, crime_id, event, event_at, enhanced, working_days, due_at, warn_at, status,
                                     met_at, recorded_by)
           SELECT v.id, v.crime_id, 'arrest', v.created_at + INTERVAL '3 days', false, 5,
                  v.created_at + INTERVAL '10 days', v.created_at + INTERVAL '9 days', 'met',
                  v.created_at + random() * INTERVAL '12 days', 'bench'
           FROM victim v WHERE v.id % 2 = 0""",
        """INSERT INTO bureau_task (kind, title, crime_id, status, created_at, due_at, done_at, minutes_saved, detail)
           SELECT (ARRAY['victim_outcome_letter','file_preparation'])[k], 't', id,
                  CASE WHEN random() < 0.8 THEN 'done' ELSE 'open' END, reported_at, reported_at + INTERVAL '5 days',
                  reported_at + INTERVAL '2 days', 30 * k, '{}'::jsonb
           FROM crime, generate_series(1, 2) k""",
        "UPDATE bureau_task SET done_at = NULL WHERE status <> 'done'",
    ]
    with engine.begin() as conn:
        for sql in steps:
            started = time.perf_counter()
            result = conn.execute(text(sql))
            print(f"  {sql.split()[0]} {sql.split()[2] if sql.split()[0] == 'INSERT' else ''}: "
                  f"{result.rowcount} rows, {time.perf_counter() - started:.1f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def timed(fn, repeat: int = 5) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--contacts", type=int, default=730_000)
    ap.add_argument("--incidents", type=int, default=250_000)
    ap.add_argument("--crimes", type=int, default=80_000)
    ap.add_argument("--explain", action="store_true")
    ap.add_argument("--keep", action="store_true", help="reuse the filled database if it exists")
    args = ap.parse_args()
    os.environ.setdefault("BLUELAMP_VAR_DIR", tempfile.mkdtemp())
    name = "bluelamp_bench_performance"
    admin = create_engine(make_url(args.pg).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        fresh = not (args.keep and exists)
        if fresh:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
    from bluelamp import clock
    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade

    db = get_database(url)
    upgrade(db.engine)
    if fresh:
        print("filling:")
        started = time.perf_counter()
        fill(db.engine, args.contacts, args.incidents, args.crimes)
        print(f"  filled in {time.perf_counter() - started:.0f} s")
    from datetime import UTC, datetime

    clock.set_clock(clock.FixedClock(datetime(2026, 1, 2, 12, tzinfo=UTC)))
    from bluelamp.performance import improvement, report, service

    statements: list[tuple[str, object]] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    with db.unit_of_work() as s:
        counts = {t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in
                  ("contact", "contact_person", "chat", "incident", "crime", "supervisory_review", "victim",
                   "right6_clock", "bureau_task")}
    print("rows:", counts)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM perf_rollup_figure"))
        conn.execute(text("DELETE FROM perf_rollup_day"))
    for label, d_from, d_to in (("year", date(2025, 1, 1), date(2025, 12, 31)),
                                ("month", date(2025, 11, 1), date(2025, 11, 30))):
        def run(d_from: date = d_from, d_to: date = d_to) -> None:
            with db.unit_of_work() as s:
                service.dashboard(s, d_from, d_to)
        started = time.perf_counter()
        run()  # the first call counts the settled days missing from the daily roll-up
        first = time.perf_counter() - started
        median, worst = timed(run)
        print(f"dashboard {label}, first call (fills the roll-up): {first:.2f} s")
        print(f"dashboard {label} (+ previous {label}): median {median:.3f} s, max {worst:.3f} s")

    def live() -> None:
        with db.unit_of_work() as s:
            service.figures(s, service.make_scope(date(2025, 1, 1), date(2025, 12, 31)))
    median, worst = timed(live, repeat=1)
    print(f"every figure for the year counted live, no roll-up (for comparison): {median:.2f} s")

    def drill() -> None:
        with db.unit_of_work() as s:
            service.records(s, "call_999_within_10s", date(2025, 1, 1), date(2025, 12, 31), met=False)
    median, worst = timed(drill)
    print(f"drill-down (999 not within 10 s, year, first 100): median {median:.3f} s, max {worst:.3f} s")

    if args.explain:
        statements.clear()
        with db.unit_of_work() as s:
            service.figures(s, service.make_scope(date(2025, 1, 1), date(2025, 12, 31)))
        with db.engine.connect() as conn:
            for statement, params in statements:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                conn.execute(text("SET work_mem = '64MB'"))
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).scalars().all()
                print("\n".join(["-" * 80, statement.splitlines()[0][:100] + " ...", *plan[:40]]))

    from bluelamp.identity.model import Principal

    leader = Principal(user_id=0, username="bench", roles=frozenset({"leader"}))
    with db.unit_of_work() as s:
        s.execute(text("DELETE FROM perf_improvement"))
        keys = ["call_999_within_10s", "repeat_victim_checked", "crime_recorded_24h", "right6_on_time",
                "reviews_on_time", "attendance_1"]
        for k in range(20):
            improvement.create_item(s, leader, kind="afi" if k else "cause_of_concern", reference=f"AFI-{k}",
                                    title=f"Area for improvement {k}", owner="ACC", raised_on=date(2025, 6, 1),
                                    measures=keys[k % 3: k % 3 + 3], description="text " * 40)
    def pdf() -> None:
        with db.unit_of_work() as s:
            report.progress_pdf(s, date(2025, 12, 31))
    median, worst = timed(pdf, repeat=3)
    print(f"progress report PDF (20 items): median {median:.2f} s, max {worst:.2f} s")


if __name__ == "__main__":
    main()
