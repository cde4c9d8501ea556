"""CPU per recorded contact in process (the whole app through TestClient), with 1 or more threads.

Process CPU time (`time.process_time`, all threads: client, app, the audit sealer) and SQL statements
per contact, and how many audit-head updates (one per chaining: per transaction before the sealer,
per sealing round after it) the contacts cost. CPU time depends much less on the machine's load than
wall time does, so code before and after a change can be compared on a shared machine:

    PYTHONPATH=/tmp/base/src python benchmarks/bench_contact_cpu.py --url postgresql+psycopg://... --threads 4
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from typing import Any

from sqlalchemy import create_engine, event, text

from bench_contacts_api import body


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--bench-db", default="bluelamp_cpu_bench")
    ap.add_argument("--contacts", type=int, default=400)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if args.url.startswith("postgresql"):
        admin = create_engine(args.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{args.bench_db}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{args.bench_db}"'))
        admin.dispose()
        url = args.url.rsplit("/", 1)[0] + "/" + args.bench_db
    else:
        url = args.url
    os.environ["BLUELAMP_DATABASE_URL"] = url
    os.environ.setdefault("BLUELAMP_VAR_DIR", tempfile.mkdtemp(prefix="bluelamp-cpu-"))
    from fastapi.testclient import TestClient

    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade
    from bluelamp.identity import service as identity
    from bluelamp.web.app import create_app

    db = get_database(url)
    upgrade(db.engine)
    with db.unit_of_work() as session:
        identity.add_user(session, "cpu", ["call_handler"], "correct horse battery")
        token = identity.create_token(session, "cpu")
    statements: list[str] = []
    lock = threading.Lock()

    def listen(_conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
        with lock:
            statements.append(statement[:40])

    with TestClient(create_app(db)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        for i in range(20):  # warm up
            client.post("/api/v1/contacts", json=body(10**8 + i), headers={**headers, "Idempotency-Key": f"w{i}"})
        event.listen(db.engine, "before_cursor_execute", listen)
        per_thread = args.contacts // args.threads

        def work(t: int) -> None:
            for i in range(per_thread):
                n = 2 * 10**8 + t * 10**6 + i
                res = client.post("/api/v1/contacts", json=body(n), headers={**headers, "Idempotency-Key": f"c{n}"})
                assert res.status_code == 201, res.text

        cpu0, wall0 = time.process_time(), time.perf_counter()
        threads = [threading.Thread(target=work, args=(t,)) for t in range(args.threads)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        try:
            from bluelamp.audit.sealer import sealer_for

            sealer_for(db.engine).wait_idle()
        except ImportError:  # the code before the sealer
            pass
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        event.remove(db.engine, "before_cursor_execute", listen)
    n = per_thread * args.threads
    # The head's move: its own UPDATE, or (PostgreSQL, session 9) the CTE that chains and moves at once.
    heads = sum(1 for s in statements if s.startswith(("UPDATE audit_head SET seq", "WITH chained AS")))
    print(json.dumps({"contacts": n, "threads": args.threads, "cpu_ms_per_contact": round(1000 * cpu / n, 2),
                      "wall_ms_per_contact": round(1000 * wall / n, 2),
                      "statements_per_contact": round(len(statements) / n, 2),
                      "chainings_per_contact": round(heads / n, 3),
                      "load_average": os.getloadavg()}))
    db.dispose()


if __name__ == "__main__":
    main()
