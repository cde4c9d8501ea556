"""CPU of one chat message in the service, one after another (no HTTP, no sockets), and where it goes.

What a request thread does for a citizen's message (chat/hub.py `run`): a unit of work with
`service.citizen_message`, the commit, and (with PostgreSQL fan-out) the hand-over to the publisher.
Thread CPU is counted per part, so the figure depends little on the machine's load; `--profile`
prints the functions with the most CPU of their own.

    python benchmarks/bench_chat_message_cpu.py --db-url postgresql+psycopg://postgres@127.0.0.1:5432/s8chat_cpu
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import statistics
import time

from sqlalchemy import create_engine, text

from bluelamp.chat import hub as hubs
from bluelamp.chat import service
from bluelamp.db.engine import Database
from bluelamp.db.migrate import upgrade

BODIES = ["Hello, I'd like to ask about lost property", "Someone damaged my car wing mirror overnight",
          "my ex keeps texting me and turning up at my work", "Is there any update on my burglary?"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db-url", required=True, help="a database of your own: dropped and created again")
    ap.add_argument("--chats", type=int, default=200)
    ap.add_argument("--messages", type=int, default=4)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    admin = create_engine(args.db_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = args.db_url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(args.db_url)
    upgrade(db.engine)
    hub = hubs.Hub(args.db_url, db.dialect)
    tokens = []
    for _ in range(args.chats):
        with db.unit_of_work() as s:
            tokens.append(service.start_chat(s)[0])
    with db.unit_of_work() as s:  # warm-up: the policy, the screening model and the statement cache
        service.citizen_message(s, service.start_chat(s)[0], BODIES[0], "warm-up")
    parts: dict[str, list[float]] = {"use case": [], "commit": [], "hand-over": [], "total": []}
    prof = cProfile.Profile() if args.profile else None
    wall0 = time.perf_counter()
    for round_ in range(args.messages):
        for i, token in enumerate(tokens):
            if prof:
                prof.enable()
            c0 = time.thread_time()
            with db.unit_of_work() as s:
                _msg, events, _dup = service.citizen_message(s, token, random.choice(BODIES), f"m{round_}-{i}")
                c1 = time.thread_time()
            c2 = time.thread_time()
            publish = hub.publish
            try:
                publish(events)  # session 8: handed to the publisher thread
            except TypeError:
                publish(db.engine, events)  # before: the NOTIFY on this thread
            c3 = time.thread_time()
            if prof:
                prof.disable()
            for k, v in zip(parts, (c1 - c0, c2 - c1, c3 - c2, c3 - c0), strict=True):
                parts[k].append(v * 1000)
    wall = time.perf_counter() - wall0
    if hasattr(hub, "_publisher") and hub._publisher is not None:
        hub._publisher.stop()
    out = {"messages": len(parts["total"]), "wall_s": round(wall, 2),
           "thread_cpu_ms": {k: {"mean": round(statistics.mean(v), 3), "p50": round(statistics.median(v), 3)}
                             for k, v in parts.items()}}
    print(json.dumps(out))
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
