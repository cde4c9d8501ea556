"""CPU of each step of recording a contact: one writer in process, thread CPU clock, no profiler.

`contact.service.record_contact` in a unit of work, N contacts after a warm-up, with thread CPU
(`time.thread_time`) summed around its steps: the handler's-call look-up, location, person matching,
triage, the contact's rows, the closing statement, the commit and the sealing round that a lone writer
runs after it. Unlike cProfile this adds nothing to the code in between, so the shares hold; the
absolute figures move with the machine's load, so compare code trees in interleaved runs.

    PYTHONPATH=src python benchmarks/bench_contact_phases.py --contacts 300
"""

from __future__ import annotations

import argparse
import functools
import os
import tempfile
import time
from collections import Counter
from typing import Any

from bench_contacts_api import body, fresh_pg_database

spent: Counter[str] = Counter()


def timed(owner: Any, name: str) -> None:
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.thread_time() - t0

    setattr(owner, name, wrapper)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--bench-db", default="bluelamp_phases_bench")
    ap.add_argument("--contacts", type=int, default=300)
    args = ap.parse_args()
    url = fresh_pg_database(args.pg_url, args.bench_db)
    os.environ["BLUELAMP_DATABASE_URL"] = url
    os.environ.setdefault("BLUELAMP_VAR_DIR", tempfile.mkdtemp(prefix="bluelamp-phases-"))
    from sqlalchemy.orm import Session

    from bluelamp.audit.sealer import Sealer
    from bluelamp.contact import service
    from bluelamp.contact.model import ContactIn
    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade
    from bluelamp.identity import service as identity
    from bluelamp.location import service as location
    from bluelamp.telephony import service as telephony
    from bluelamp.triage import service as triage

    db = get_database(url)
    upgrade(db.engine)
    with db.unit_of_work() as session:
        identity.add_user(session, "phases", ["call_handler"], "correct horse battery")
        token = identity.create_token(session, "phases")
    with db.unit_of_work() as session:
        principal = identity.resolve_token(session, token)
    assert principal is not None
    # The names record_contact calls them by (service imports some into its own namespace).
    for owner, name in [(service, "insert_contact_rows"), (service, "close_contact"), (service, "match_people"),
                        (telephony, "call_for_contact"), (triage, "assess"), (location, "resolve"),
                        (Sealer, "after_commit"), (Session, "commit")]:
        timed(owner, name)
    warm = 30
    contacts = [ContactIn.model_validate(body(3 * 10**8 + i)) for i in range(warm + args.contacts)]

    def record(i: int) -> None:
        with db.unit_of_work() as session:
            service.record_contact(session, contacts[i], principal, idempotency=(f"phase-{i}", "digest"))

    for i in range(warm):
        record(i)
    spent.clear()
    t0 = time.thread_time()
    for i in range(warm, warm + args.contacts):
        record(i)
    total = time.thread_time() - t0
    n = args.contacts
    print(f"one writer, {n} contacts: {1000 * total / n:.2f} ms of thread CPU a contact, load {os.getloadavg()}")
    print("(commit includes after_commit, the sealing round)")
    for name, cpu in spent.most_common():
        print(f"  {1000 * cpu / n:6.2f} ms {100 * cpu / total:5.1f} %  {name}")
    db.dispose()


if __name__ == "__main__":
    main()
