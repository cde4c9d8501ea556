"""The dispatch board's data with 500 units and 300 open incidents: what `GET /api/v1/board` costs.

Figures, each over N runs (p50 / p99 / max):
  data  the board's queries and rows (`response.api.board`, the function the route and the page call)
  orm   the same board as it was loaded before session 5 (ORM entities of every incident, assignment and
        unit: `orm_board` below), run alternately with `data` in the same process, so the ratio holds
        whatever the machine's load
  json  the same plus encoding the answer as the route does
  http  `GET /api/v1/board` through the whole app (bearer auth, role check, middleware, JSON), in process

Usage: python benchmarks/bench_dispatch_board.py [--url DATABASE_URL] [--runs 60]
       (default: a temporary SQLite file; PostgreSQL: postgresql+psycopg://postgres@127.0.0.1:5432/DB)
Target (issue 15): board refresh with 500 units and 300 open incidents under 200 ms on the server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import timedelta


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000


def orm_board(session):  # type: ignore[no-untyped-def]
    """The board as `response.api.board` loaded it before session 5: ORM entities, then the same JSON."""
    from bluelamp import clock
    from bluelamp.response import regrades, service, units

    now = clock.now()
    incidents = service.list_incidents(session, "open", now)
    assigned = service.assignments_for(session, [i.id for i in incidents])
    pending = regrades.pending_by_incident(session, [i.id for i in incidents])
    rows = []
    for i in incidents:
        row = service.incident_json(i, now)
        row["units"] = [service.assignment_json(a, u) for a, u in assigned[i.id] if a.cleared_at is None]
        row["pending_regrade"] = row["pending_approval"] = regrades.request_json(pending.get(i.id))
        rows.append(row)
    unit_rows = [units.unit_json(u, now) for u in units.list_units(session)]
    return {"now": clock.iso(now), "incidents": rows, "units": unit_rows}


def count_statements(db, fn) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    n = [0]

    def count(*_a):  # type: ignore[no-untyped-def]
        n[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.unit_of_work(write=False) as s:
            fn(s)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return n[0]


def fill(db, rng: random.Random, n_units: int, n_incidents: int) -> None:  # type: ignore[no-untyped-def]
    """500 units (two thirds on an incident) and 300 open incidents across the county, as on a busy night."""
    from bluelamp import clock
    from bluelamp.response.store import Assignment, Incident, Unit

    now = clock.now()
    kinds = ["response_car"] * 6 + ["neighbourhood"] * 2 + ["firearms", "dog", "traffic"]
    statuses = ["awaiting", "dispatched", "en_route", "at_scene"]
    with db.unit_of_work() as s:
        s.query(Assignment).delete()
        s.query(Unit).update({Unit.incident_id: None})
        s.query(Unit).delete()
        s.query(Incident).filter(Incident.source == "bench").delete(synchronize_session=False)
        units = [Unit(call_sign=f"BB{i:03d}", unit_type=rng.choice(kinds), skills=[], status="available",
                      lat=52.8 + rng.uniform(-0.35, 0.3), lon=-2.0 + rng.uniform(-0.3, 0.4), area=None,
                      shift_start=now - timedelta(hours=3), shift_end=now + timedelta(hours=7), updated_at=now,
                      position_at=now - timedelta(seconds=rng.uniform(5, 1200))) for i in range(n_units)]
        s.add_all(units)
        incidents = []
        for k in range(n_incidents):
            grade = rng.choice([1, 2, 2, 3, 3, 3, 4])
            received = now - timedelta(minutes=rng.uniform(1, 600))
            incidents.append(Incident(
                grade=grade, status=rng.choice(statuses), flags=rng.sample(["weapon", "domestic_abuse", "injury",
                                                                           "child_at_risk", "vulnerable"], 2),
                urban=rng.random() < 0.7, lat=52.8 + rng.uniform(-0.35, 0.3), lon=-2.0 + rng.uniform(-0.3, 0.4),
                location_description=f"{k} High Street", area="Stafford", received_at=received,
                attend_by=received + timedelta(minutes={1: 15, 2: 60, 3: 1440, 4: 2880}[grade]),
                agency="police", source="bench", external_ref=f"bb{k}", extra={}))
        s.add_all(incidents)
        s.flush()
        busy = [u for u in units][: n_units * 2 // 3]
        for u, inc in zip(busy, (incidents * 3)[: len(busy)], strict=False):
            if inc.status == "awaiting":
                continue
            u.status, u.incident_id = "dispatched", inc.id
            s.add(Assignment(incident_id=inc.id, unit_id=u.id, dispatched_at=inc.received_at + timedelta(minutes=2),
                             dispatched_by="user:bench"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="")
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--units", type=int, default=500)
    ap.add_argument("--incidents", type=int, default=300)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("BLUELAMP_VAR_DIR", tmp)
    os.environ["BLUELAMP_DATABASE_URL"] = url
    os.environ.setdefault("BLUELAMP_RUN_JOBS_IN_SERVER", "false")

    import bluelamp.db.tables  # noqa: F401  (every table known to the metadata)
    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade

    # the route's work minus its access-log rows (one write per reader and window, response/api.py)
    from bluelamp.response.board import board_data as board

    db = get_database(url)
    upgrade(db.engine)
    fill(db, random.Random(7), args.units, args.incidents)

    data, enc, cpu, orm, orm_cpu = [], [], [], [], []
    size = 0
    # The first refresh after start compiles the queries and fills the caches: timed, reported apart.
    t = time.perf_counter()
    with db.unit_of_work(write=False) as s:
        board(s)
    cold = time.perf_counter() - t
    for _ in range(args.runs):
        c, t = time.process_time(), time.perf_counter()
        with db.unit_of_work(write=False) as s:
            out = board(s)
        t1, c1 = time.perf_counter(), time.process_time()
        body = json.dumps(out, separators=(",", ":")).encode()
        t2 = time.perf_counter()
        data.append(t1 - t)
        enc.append(t2 - t)
        cpu.append(c1 - c)
        size = len(body)
        c, t = time.process_time(), time.perf_counter()
        with db.unit_of_work(write=False) as s:
            orm_board(s)
        orm.append(time.perf_counter() - t)
        orm_cpu.append(time.process_time() - c)
    statements = (count_statements(db, board), count_statements(db, orm_board))
    assert len(out["incidents"]) == args.incidents and len(out["units"]) == args.units

    from fastapi.testclient import TestClient

    from bluelamp.identity import service as identity
    from bluelamp.web.app import create_app

    with db.unit_of_work() as s:
        name = f"benchdisp{random.randrange(10**6)}"
        identity.add_user(s, name, ["dispatcher"], "correct horse battery")
        token = identity.create_token(s, name)
    http = []
    with TestClient(create_app()) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/board", headers=headers).status_code == 200  # warm-up
        for _ in range(args.runs):
            t = time.perf_counter()
            res = client.get("/api/v1/board", headers=headers)
            http.append(time.perf_counter() - t)
            assert res.status_code == 200
    kind = url.split(":")[0].split("+")[0]
    print(f"dispatch board, {args.units} units, {args.incidents} open incidents, {kind}, {args.runs} runs, "
          f"answer {size / 1024:.0f} KiB")
    print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; cpu and ormcpu: the CPU time "
          "of the data alone, which contention inflates less)")
    print(f"  first refresh after start (cold, not in the figures below): {cold * 1000:.1f} ms")
    for label, xs in (("data", data), ("json", enc), ("cpu", cpu), ("orm", orm), ("ormcpu", orm_cpu), ("http", http)):
        print(f"  {label:6s} p50 {pct(xs, .5):6.1f} ms  p99 {pct(xs, .99):6.1f} ms  max {max(xs) * 1000:6.1f} ms")
    print(f"  statements per refresh: {statements[0]} (orm path {statements[1]}); data/orm ratio "
          f"p50 {pct(data, .5) / pct(orm, .5):.2f}, p99 {pct(data, .99) / pct(orm, .99):.2f}; cpu/ormcpu p50 "
          f"{pct(cpu, .5) / pct(orm_cpu, .5):.2f}; "
          f"load average at the end {os.getloadavg()[0]:.1f}")
    with db.unit_of_work() as s:
        from bluelamp.response.store import Assignment, Incident, Unit

        s.query(Assignment).delete()
        s.query(Unit).update({Unit.incident_id: None})
        s.query(Unit).filter(Unit.call_sign.like("BB%")).delete(synchronize_session=False)
        s.query(Incident).filter(Incident.source == "bench").delete(synchronize_session=False)


if __name__ == "__main__":
    main()
