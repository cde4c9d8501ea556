"""Nothing stalls a 999 call: p99 of POST /api/v1/contacts alone, then while other work floods the server.

One server process on loopback (uvicorn, as `bluelamp serve` runs it; the load comes from another
process than the measuring client) over a database seeded with the demo force's recent weeks. Contacts are offered at a steady rate (open loop, --rate per second) in
every phase, and their latency is measured from the moment each was due:

  alone      contacts only
  login      + 16 clients posting wrong passwords to /login (a browser's flow: GET the form, POST it)
  roster     + 4 analysts asking for rotas (POST /api/v1/demand/roster) in a loop
  dashboard  + 4 anonymous clients asking the public dashboard for old periods, a new period each time

    python benchmarks/bench_isolation.py --db sqlite
    python benchmarks/bench_isolation.py --db postgresql
    python benchmarks/bench_isolation.py --code /work/main/src,src --rounds 2   # before/after, interleaved

The load processes run at nice 10 (`--no-nice`: at the priority they were started with), so that on
a machine with two cores the load generators do not take the server's CPU: the benchmark measures
what the server does with the load, not how the client processes compete with it for a core.

Prints one JSON line per phase and a summary line; the target is p99 under load at most twice alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_contacts_api import body, free_port, percentile  # noqa: E402

LOAD_NICE = 10  # added to the load processes' niceness (--no-nice: not at all)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def contacts(base: str, headers: dict[str, str], rate: float, seconds: float) -> dict[str, object]:
    """Offer `rate` contacts a second for `seconds`; latency counts from when each was due."""
    lat: list[float] = []
    codes: dict[int, int] = {}
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=200)) as client:
        async def one(i: int, due: float) -> None:
            try:
                res = await client.post(f"{base}/api/v1/contacts", json=body(i), headers=headers)
                codes[res.status_code] = codes.get(res.status_code, 0) + 1
            except httpx.HTTPError:
                codes[-1] = codes.get(-1, 0) + 1
            lat.append(time.perf_counter() - due)

        tasks = []
        start = time.perf_counter()
        n = int(rate * seconds)
        for i in range(n):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(random.randrange(10**9), due)))
        await asyncio.gather(*tasks)
    return {"offered": n, "p50_ms": round(percentile(lat, 0.5) * 1000, 1),
            "p99_ms": round(percentile(lat, 0.99) * 1000, 1), "max_ms": round(max(lat) * 1000, 1),
            "codes": codes}


async def login_flood(base: str, stop: asyncio.Event, counts: dict[int, int]) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        while not stop.is_set():
            try:
                form = await client.get(f"{base}/login")
                token = CSRF.search(form.text)
                data = {"username": "handler", "password": f"wrong-{random.random()}", "next": "/"}
                if token:
                    data["csrf_token"] = token.group(1)
                res = await client.post(f"{base}/login", data=data, headers={"Origin": base})
                counts[res.status_code] = counts.get(res.status_code, 0) + 1
            except httpx.HTTPError:
                counts[-1] = counts.get(-1, 0) + 1


async def roster_loop(base: str, headers: dict[str, str], stop: asyncio.Event, counts: dict[int, int]) -> None:
    rnd = random.Random(7)
    async with httpx.AsyncClient(timeout=120) as client:
        while not stop.is_set():
            required = [max(0, int(6 + 4 * rnd.random())) for _ in range(7 * 48)]
            try:
                res = await client.post(f"{base}/api/v1/demand/roster", headers=headers,
                                        json={"required": required, "people": 40})
                counts[res.status_code] = counts.get(res.status_code, 0) + 1
                if res.status_code == 503:
                    await asyncio.sleep(0.5)  # a busy answer: try again shortly, as a client would
            except httpx.HTTPError:
                counts[-1] = counts.get(-1, 0) + 1


async def dashboard_loop(base: str, first: date, last: date, stop: asyncio.Event, counts: dict[int, int]) -> None:
    rnd = random.Random()
    span = max(1, (last - first).days - 28)
    async with httpx.AsyncClient(timeout=120) as client:
        while not stop.is_set():
            # the public dashboard publishes whole calendar months only (issue 12 item 11)
            d_from = (first + timedelta(days=rnd.randrange(span))).replace(day=1)
            d_to = (d_from + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            try:
                res = await client.get(f"{base}/api/v1/public/dashboard?from={d_from}&to={d_to}")
                counts[res.status_code] = counts.get(res.status_code, 0) + 1
                if res.status_code == 503:
                    await asyncio.sleep(0.2)
            except httpx.HTTPError:
                counts[-1] = counts.get(-1, 0) + 1


def _load(name: str, base: str, analyst: dict[str, str], first: date, last: date, seconds: float,
          out: Any, nice: bool = True) -> None:
    """The load of one phase, in a process of its own (so it never delays the measuring client), at a
    lower priority unless `nice` is off (so it does not take the server's CPU either)."""
    if nice:
        os.nice(LOAD_NICE)
    async def run() -> dict[int, int]:
        stop = asyncio.Event()
        counts: dict[int, int] = {}
        if name == "login":
            tasks = [asyncio.create_task(login_flood(base, stop, counts)) for _ in range(16)]
        elif name == "roster":
            tasks = [asyncio.create_task(roster_loop(base, analyst, stop, counts)) for _ in range(4)]
        else:
            tasks = [asyncio.create_task(dashboard_loop(base, first, last, stop, counts)) for _ in range(4)]
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.wait(tasks, timeout=60)
        for t in tasks:
            t.cancel()
        return counts

    out.put(asyncio.run(run()))


def phase(name: str, base: str, handler: dict[str, str], analyst: dict[str, str], args: argparse.Namespace,
          first: date, last: date) -> dict[str, object]:
    counts: dict[int, int] = {}
    proc = None
    if name != "alone":
        queue: Any = mp.Queue()
        proc = mp.Process(target=_load, args=(name, base, analyst, first, last, args.seconds + 3, queue,
                                                      args.nice))
        proc.start()
        time.sleep(2)  # let the load build up first
    result = asyncio.run(contacts(base, handler, args.rate, args.seconds))
    if proc is not None:
        counts = queue.get(timeout=180)
        proc.join(60)
    return {"phase": name, **result, "load_answers": counts}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--rate", type=float, default=10.0, help="contacts offered per second")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    ap.add_argument("--days", type=int, default=21, help="days of demo history to seed")
    ap.add_argument("--phases", default="alone,login,roster,dashboard")
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--pg-db", default="bluelamp_isolation",
                    help="the database to (re)create for the run (dropped first: a name of your own)")
    ap.add_argument("--switch-ms", default="",
                    help="compare BLUELAMP_GIL_SWITCH_MS values on one seeded database, e.g. 0.5,5: a server "
                         "per value, run in turn, --rounds times, each with its own 'alone' phase")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--nice", action=argparse.BooleanOptionalAction, default=True,
                    help=f"run the load processes at nice +{LOAD_NICE} (default; --no-nice: not lowered)")
    ap.add_argument("--code", default="",
                    help="compare code trees on one seeded database, e.g. /tmp/before/src,src: a server per "
                         "tree (PYTHONPATH put first), run in turn, --rounds times, each with its own 'alone'")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bluelamp-isolation-"))
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{args.pg_db}"'))
        url = args.pg_url.rsplit("/", 1)[0] + "/" + args.pg_db
    env = {**os.environ, "BLUELAMP_DATABASE_URL": url, "BLUELAMP_VAR_DIR": str(tmp)}
    run = [sys.executable, "-m", "bluelamp"]
    t0 = time.perf_counter()
    subprocess.run([*run, "demo", "--days", str(args.days)], env=env, check=True, capture_output=True)
    seeded_s = time.perf_counter() - t0
    for name, role in (("handler", "call_handler"), ("analyst1", "analyst")):
        subprocess.run([*run, "user", "add", name, "--role", role], input="isolation-bench-pw\n",
                       text=True, env=env, capture_output=True)
    tokens = {name: subprocess.run([*run, "token", "create", name], text=True, env=env, check=True,
                                   capture_output=True).stdout.strip().splitlines()[-1]
              for name in ("handler", "analyst1")}
    last = date.today() - timedelta(days=3)
    first = last - timedelta(days=args.days - 3)
    variants: list[tuple[dict[str, object], dict[str, str]]] = [({}, {})]
    if args.switch_ms:
        variants = [({"gil_switch_ms": float(v)}, {"BLUELAMP_GIL_SWITCH_MS": v}) for v in args.switch_ms.split(",") if v]
    elif args.code:
        pp = env.get("PYTHONPATH", "")
        variants = [({"code": c}, {"PYTHONPATH": os.pathsep.join(x for x in (str(Path(c).resolve()), pp) if x)})
                    for c in args.code.split(",") if c]
    summaries = []
    for rnd in range(args.rounds):
        for tag, extra in variants:
            run_env = {**env, **extra}
            results = _run_server(run_env, tmp, tokens, args, first, last)
            label: dict[str, object] = {"round": rnd + 1, **tag}
            for out in results:
                print(json.dumps({**label, **out}), flush=True)
            summaries.append(_summary(label, results, args, seeded_s, tmp))
            print(json.dumps(summaries[-1]), flush=True)


def _run_server(env: dict[str, str], tmp: Path, tokens: dict[str, str], args: argparse.Namespace,
                first: date, last: date) -> list[dict[str, object]]:
    """One server process with `env`: warm up, then every phase in turn."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bluelamp.web.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--ws-max-size", str(64 * 1024)],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp / "server.log").open("a"))
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        handler = {"Authorization": f"Bearer {tokens['handler']}"}
        analyst = {"Authorization": f"Bearer {tokens['analyst1']}"}
        asyncio.run(contacts(base, handler, args.rate, 3))  # warm-up: caches, connections, policy
        for name in args.phases.split(","):
            out = phase(name, base, handler, analyst, args, first, last)
            out["db"] = args.db
            out["load_average"] = [round(x, 2) for x in os.getloadavg()]
            results.append(out)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return results


def _summary(label: dict[str, object], results: list[dict[str, object]], args: argparse.Namespace,
             seeded_s: float, tmp: Path) -> dict[str, object]:
    alone = next((r for r in results if r["phase"] == "alone"), None)
    if not alone:
        return {**label, "db": args.db}
    ratios = {str(r["phase"]): round(float(r["p99_ms"]) / float(alone["p99_ms"]), 2)  # type: ignore[arg-type]
              for r in results if r["phase"] != "alone"}
    return {**label, "db": args.db, "rate_per_s": args.rate, "seconds_per_phase": args.seconds,
            "seeded_days": args.days, "seed_s": round(seeded_s, 1), "load_nice": LOAD_NICE if args.nice else 0,
            "p99_alone_ms": alone["p99_ms"], "p99_ratio_under_load": ratios,
            "target_met": all(v <= 2.0 for v in ratios.values()), "server_log": str(tmp / "server.log")}


if __name__ == "__main__":
    main()
