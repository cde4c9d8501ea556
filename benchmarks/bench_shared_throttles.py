"""What the session-5 security controls cost, as ratios against a baseline measured in the same run.

1. The sign-in throttle in the database: `wait_s` + `failed` (a wrong password's bookkeeping) against
   one argon2 verify (what every sign-in costs anyway).
2. The board's access log: a poll of `GET /api/v1/board` that writes one row per incident shown (a
   reader's first poll in the window) against a steady poll (every row de-duplicated, nothing written).

    python benchmarks/bench_shared_throttles.py [--db sqlite|postgresql] [--incidents 300] [--rounds 30]

Prints JSON. Record the load average beside the figures (the machine may be shared).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import tempfile
import time
from pathlib import Path


def _median_ms(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--incidents", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("BLUELAMP_VAR_DIR", str(tmp))
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        from sqlalchemy import create_engine, text

        name = f"bench_s5sec_{os.getpid()}"
        admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    from fastapi.testclient import TestClient

    from bluelamp import clock
    from bluelamp.audit.access import recent_lists
    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade
    from bluelamp.identity import service as identity
    from bluelamp.identity.throttle import LoginThrottle
    from bluelamp.response import service as response
    from bluelamp.web.app import create_app

    db = get_database(url)
    upgrade(db.engine)
    with db.unit_of_work() as s:
        identity.add_user(s, "bench", ["dispatcher"], "correct horse battery")
        token = identity.create_token(s, "bench")
    from argon2 import PasswordHasher
    from sqlalchemy import select

    from bluelamp.identity.store import User

    with db.unit_of_work() as s:
        pw_hash = s.execute(select(User).where(User.username == "bench")).scalar_one().password_hash
    ph = PasswordHasher()
    throttle = LoginThrottle()
    n = [0]

    def verify() -> None:
        with contextlib.suppress(Exception):  # a wrong password: VerifyMismatchError
            ph.verify(pw_hash, "a wrong password")

    def bookkeeping() -> None:
        n[0] += 1
        user = f"user{n[0] % 50}"  # spread over 50 names: no lock, as on a real day
        throttle.wait_s(db, user, "10.0.0.1")
        with db.unit_of_work() as s:
            throttle.failed(s, user, f"10.0.{n[0] % 200}.1")

    argon_ms = _median_ms(verify, args.rounds)
    throttle_ms = _median_ms(bookkeeping, args.rounds)

    now = clock.now()
    with db.unit_of_work() as s:
        from bluelamp.contact import imports

        rows = [imports.imported_contact_row(source="bench", external_ref=f"b{i}", agency="police", channel="999",
                                             received_at=now, narrative="bench", grade=1 + i % 3, route="deploy",
                                             attend_by=None, reason="bench", urban=True, recorded_by="bench")
                for i in range(args.incidents)]
        ids = imports.insert_imported(s, rows)
        for i, cid in enumerate(ids):
            response.open_incident(s, contact_id=cid, grade=1 + i % 3, flags=[], urban=True, received_at=now,
                                   attend_by=now, lat=52.8, lon=-2.1, location_description=f"{i} High Street",
                                   actor="bench")
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(db)) as client:
        client.get("/api/v1/board", headers=headers)  # warm

        def first_poll() -> None:
            recent_lists.clear()  # a new window: every incident shown is written
            assert client.get("/api/v1/board", headers=headers).status_code == 200

        def steady_poll() -> None:
            assert client.get("/api/v1/board", headers=headers).status_code == 200

        steady_ms = _median_ms(steady_poll, args.rounds)
        first_ms = _median_ms(first_poll, args.rounds)
    if args.db == "postgresql":  # the scratch database goes again
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(json.dumps({
        "db": args.db, "load_average": os.getloadavg(), "rounds": args.rounds, "incidents": args.incidents,
        "argon2_verify_ms": round(argon_ms, 2), "throttle_failure_bookkeeping_ms": round(throttle_ms, 2),
        "throttle_over_argon2": round(throttle_ms / argon_ms, 3),
        "board_steady_poll_ms": round(steady_ms, 1), "board_first_poll_in_window_ms": round(first_ms, 1),
        "first_over_steady": round(first_ms / steady_ms, 2),
    }, indent=1))


if __name__ == "__main__":
    main()
