"""Where the server's CPU a contact goes: the real uvicorn server in this process, profiled by thread.

The app runs here under uvicorn (one event loop, the contact pool's threads, the audit sealer); the
load comes from a child process (`loadgen.closed_loop`, 50 clients), so the generator's CPU is not
counted. PostgreSQL's own CPU is not either.

- `--profiler sample` (default): every millisecond each thread's CPU clock is read and the CPU spent
  since the last sample is charged to the stack it is in (see `Sampler`); prints the CPU a contact by
  thread group (event loop, request threads, sealer) with the innermost and the inclusive functions.
  Overhead is small, and a waiting thread is charged nothing.
- `--profiler cprofile`: every thread gets its own `cProfile.Profile` on its CPU clock; exact call
  counts, but its per-call overhead inflates code made of many small calls (session 13: a function
  called 48 times a contact showed ~1 ms, and costs 25 us timed alone), so do not read shares from it.
  A call still running when the profiles are read is timed on the reading thread's clock; blocking
  calls (queues, epoll, locks) are left out of its totals. Writes the merged profiles for pstats.

    PYTHONPATH=src python benchmarks/profile_contact_server.py --seconds 20
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
BLOCKING = ("'acquire'", "SimpleQueue", "epoll", "time.sleep", "'wait'", "_send_query_prepared")
LOAD = r'''
import asyncio, json, sys
import loadgen
from bench_contacts_api import body
token, port, seconds, run = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
make = lambda i: (json.dumps(body(i)).encode(), {"Authorization": "Bearer " + token, "Idempotency-Key": f"{run}-{i}"})
out = asyncio.run(loadgen.closed_loop("127.0.0.1", port, "/api/v1/contacts", make, int(sys.argv[5]), seconds))
print(json.dumps({"ok": out.ok(), "elapsed": out.elapsed}))
'''


class Sampler:
    """A sampling CPU profiler of this process's threads, with no call-by-call overhead.

    Every `interval` seconds it reads each thread's CPU clock (`pthread_getcpuclockid`) and charges the
    CPU spent since the last sample to the stack the thread is in now (`sys._current_frames`): a
    thread that was waiting has spent nothing and is charged nothing. Samples are taken while the
    sampler holds the GIL, so a stack is at a bytecode boundary; the sampler's own thread is skipped.
    The sampler gets the GIL most often when a thread lets it go to wait for the database, so CPU
    spent just before a statement tends to be charged to the driver's `wait`/send frames: read the
    innermost list with that in mind, and the inclusive list of our own functions (phases of a
    contact, far longer than a sample) as the robust one.
    """

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.leaf: dict[tuple[str, str], float] = {}  # (group, function) -> CPU s
        self.inclusive: dict[tuple[str, str], float] = {}  # (group, function on the stack) -> CPU s
        self.groups: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        last: dict[int, float] = {}
        me = threading.get_ident()
        while not self._stop.wait(self.interval):
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                try:
                    now = time.clock_gettime(time.pthread_getcpuclockid(ident))
                except (OSError, ProcessLookupError):
                    continue
                spent, last[ident] = now - last.get(ident, now), now
                if spent <= 0:
                    continue
                group = _group(names.get(ident, "?"))
                self.groups[group] = self.groups.get(group, 0.0) + spent
                seen: set[str] = set()
                leaf = True
                f: Any = frame
                while f is not None:
                    code = f.f_code
                    fn = f"{_short(code.co_filename)}:{code.co_firstlineno} {code.co_name}"
                    if leaf:
                        self.leaf[(group, fn)] = self.leaf.get((group, fn), 0.0) + spent
                        leaf = False
                    if fn not in seen:
                        seen.add(fn)
                        self.inclusive[(group, fn)] = self.inclusive.get((group, fn), 0.0) + spent
                    f = f.f_back

    def report(self, n: int, top: int) -> None:
        total = sum(self.groups.values())
        print(f"sampled CPU: {1000 * total / n:.2f} ms a contact")
        for group, cpu in sorted(self.groups.items(), key=lambda g: -g[1]):
            print(f"\n== {group}: {1000 * cpu / n:.2f} ms a contact ({100 * cpu / total:.0f} %)")
            for title, table, only in (("where the CPU is (innermost Python function)", self.leaf, ""),
                                       ("inclusive (on the stack), bluelamp's functions", self.inclusive,
                                        "bluelamp/")):
                print(f"  -- {title}: ms a contact, share of all sampled CPU")
                rows = sorted(((v, k[1]) for k, v in table.items() if k[0] == group and k[1].startswith(only)),
                              reverse=True)[:top]
                for v, fn in rows:
                    print(f"{1000 * v / n:8.3f} {100 * v / total:5.1f} %  {fn}")


def _group(name: str) -> str:
    if name.startswith("bluelamp-contacts"):
        return "request threads"
    if name == "uvicorn":
        return "event loop"
    if name == "bluelamp-audit-sealer":
        return "sealer"
    return "other"


def _short(path: str) -> str:
    return path.split("site-packages/")[-1].split("/src/")[-1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--bench-db", default="bluelamp_profile_bench")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--out", default=tempfile.mkdtemp(prefix="bluelamp-prof-"))
    ap.add_argument("--profiler", choices=["sample", "cprofile"], default="sample",
                    help="sample: thread CPU clocks every millisecond (little overhead); cprofile: every call")
    args = ap.parse_args()
    from bench_contacts_api import fresh_pg_database

    url = fresh_pg_database(args.pg_url, args.bench_db)
    os.environ["BLUELAMP_DATABASE_URL"] = url
    os.environ.setdefault("BLUELAMP_VAR_DIR", tempfile.mkdtemp(prefix="bluelamp-prof-var-"))
    from bluelamp.db.engine import get_database
    from bluelamp.db.migrate import upgrade
    from bluelamp.identity import service as identity

    db = get_database(url)
    upgrade(db.engine)
    with db.unit_of_work() as session:
        identity.add_user(session, "prof", ["call_handler"], "correct horse battery")
        token = identity.create_token(session, "prof")
    db.dispose()

    profiles: list[tuple[str, cProfile.Profile]] = []
    lock = threading.Lock()
    on = threading.Event()

    def hook(_frame: Any, _event: str, _arg: Any) -> None:
        # Installed in every thread started from here on; the first call after `on` replaces it with
        # a profiler of that thread's own.
        if not on.is_set():
            return
        prof = cProfile.Profile(time.thread_time)
        with lock:
            profiles.append((threading.current_thread().name, prof))
        prof.enable()

    if args.profiler == "cprofile":
        threading.setprofile(hook)
    sampler = Sampler()
    import socket

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config("bluelamp.web.app:create_app", factory=True, host="127.0.0.1",
                                           port=port, log_level="warning"))
    loop_thread = threading.Thread(target=server.run, name="uvicorn")
    loop_thread.start()
    while not server.started:
        time.sleep(0.1)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}

    def load(seconds: float, run: str) -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-c", LOAD, token, str(port), str(seconds), run, str(args.clients)],
                              env=env, cwd=HERE, check=True, capture_output=True, text=True)
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    load(4, "warm")
    on.set()
    if args.profiler == "sample":
        sampler.start()
    cpu0 = time.process_time()
    res = load(args.seconds, "run")
    cpu = time.process_time() - cpu0
    on.clear()
    n = int(res["ok"])
    print(json.dumps({"contacts": n, "per_s": round(n / res["elapsed"], 1), "profiler": args.profiler,
                      "process_cpu_ms_per_contact": round(1000 * cpu / n, 2), "load_average": os.getloadavg()}))
    if args.profiler == "sample":
        sampler.stop()
        sampler.report(n, args.top)
        server.should_exit = True
        loop_thread.join(timeout=20)
        os._exit(0)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    merged: dict[str, pstats.Stats] = {}
    for name, prof in profiles:
        try:
            stats = pstats.Stats(prof)
        except TypeError:  # never called
            continue
        group = _group(name)
        merged[group] = stats if group not in merged else merged[group].add(stats)
    for group, stats in merged.items():
        stats.dump_stats(str(out / f"{group.replace(' ', '_')}.prof"))
        table: Any = stats.stats  # type: ignore[attr-defined]
        rows = [(tt, ct, nc, key) for key, (_cc, nc, tt, ct, _callers) in table.items()
                if not any(b in key[2] for b in BLOCKING)]
        total = sum(r[0] for r in rows)
        print(f"\n== {group}: {1000 * total / n:.2f} ms a contact (own time, blocking calls left out)")
        print("  own ms  cum ms   calls  function")
        for tt, ct, nc, key in sorted(rows, key=lambda r: -r[0])[:args.top]:
            print(f"{1000 * tt / n:8.3f}{1000 * ct / n:8.3f}{nc:8d}  {_short(key[0])}:{key[1]} {key[2]}")
        ours = sorted((r for r in rows if "bluelamp" in r[3][0]), key=lambda r: -r[1])[:args.top]
        print("  -- bluelamp functions by cumulative CPU")
        for tt, ct, nc, key in ours:
            print(f"{1000 * tt / n:8.3f}{1000 * ct / n:8.3f}{nc:8d}  {_short(key[0])}:{key[1]} {key[2]}")
    print(f"\nprofiles: {out}")
    server.should_exit = True
    loop_thread.join(timeout=20)
    os._exit(0)  # the app's worker processes and daemon threads end with us


if __name__ == "__main__":
    main()
