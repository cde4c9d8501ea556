"""Unit recommendation with 300 units on shift: p50/p99 of the pure ranking and of the full service call.

Usage: python benchmarks/bench_response_recommend.py [DATABASE_URL]   (default: a temporary SQLite file)
Target: p99 under 20 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bluelamp.response import model

NOW = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)


def units(rng: random.Random, n: int = 300) -> list[model.UnitView]:
    kinds = ["response_car"] * 6 + ["neighbourhood"] * 2 + ["firearms", "dog", "traffic"]
    return [model.UnitView(i, f"U{i}", rng.choice(kinds), frozenset(), "available",
                           52.8 + rng.uniform(-0.3, 0.3), -2.1 + rng.uniform(-0.4, 0.4),
                           NOW - timedelta(hours=2), NOW + timedelta(hours=8)) for i in range(1, n + 1)]


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000


def pure(rng: random.Random, fleet: list[model.UnitView], n: int = 2000) -> list[float]:
    waiting = [model.IncidentView(10_000 + k, 1, True, 52.8 + rng.uniform(-0.3, 0.3), -2.1, NOW + timedelta(minutes=10))
               for k in range(5)]
    out = []
    for k in range(n):
        inc = model.IncidentView(k, rng.choice([1, 2, 2, 3]), rng.random() < 0.7, 52.8 + rng.uniform(-0.3, 0.3),
                                 -2.1 + rng.uniform(-0.4, 0.4), NOW + timedelta(minutes=15))
        t = time.perf_counter()
        model.recommend(inc, fleet, NOW, waiting_grade1=waiting)
        out.append(time.perf_counter() - t)
    return out


def service(url: str, rng: random.Random, fleet: list[model.UnitView], n: int = 500) -> list[float]:
    import bluelamp.db.tables  # noqa: F401  (every table known to the metadata)
    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade
    from bluelamp.response import units as unit_service
    from bluelamp.response.store import Incident, Unit

    db = get_database(url)
    upgrade(db.engine)
    with db.unit_of_work() as s:
        s.query(Unit).delete()
        s.add_all([Unit(call_sign=f"B{u.id}", unit_type=u.unit_type, skills=[], status="available", lat=u.lat,
                        lon=u.lon, shift_start=u.shift_start, shift_end=u.shift_end, updated_at=NOW) for u in fleet])
        inc = Incident(grade=2, status="awaiting", flags=[], urban=True, lat=52.8, lon=-2.1, received_at=NOW,
                       attend_by=NOW + timedelta(hours=1), agency="police", source="bench", extra={})
        s.add(inc)
        s.flush()
        incident_id = inc.id
    out = []
    try:
        for _ in range(n):
            t = time.perf_counter()
            with db.unit_of_work() as s:
                unit_service.recommendation(s, incident_id, NOW)
            out.append(time.perf_counter() - t)
    finally:
        with db.unit_of_work() as s:
            s.query(Unit).filter(Unit.call_sign.like("B%")).delete(synchronize_session=False)
            s.query(Incident).filter(Incident.source == "bench").delete(synchronize_session=False)
    return out


def main() -> None:
    rng = random.Random(1)
    fleet = units(rng)
    p = pure(rng, fleet)
    print(f"pure ranking, 300 units: p50 {pct(p, .5):.2f} ms  p99 {pct(p, .99):.2f} ms  mean {statistics.mean(p)*1000:.2f} ms")
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    s = service(url, rng, fleet)
    print(f"service call ({url.split(':')[0]}), 300 units: p50 {pct(s, .5):.2f} ms  p99 {pct(s, .99):.2f} ms")


if __name__ == "__main__":
    main()
