"""Benchmark the demo force: a full year (`bluelamp demo`) and the synchronous part of `serve --demo`.

    python benchmarks/bench_demo.py [--days 365] [--seed 42] [--url DATABASE_URL] [--part year|serve|both]

Each part seeds a fresh database (a new SQLite file in a temporary folder unless --url is given; a
PostgreSQL --url must point at an empty, migrated or new database). Prints one JSON line per part with
wall and CPU seconds, rows written and the database size. Targets: a year in under 5 minutes;
`serve --demo` usable (recent weeks seeded) within 30 s of starting, so the synchronous part in ~20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _fresh(url: str | None, folder: Path, name: str) -> tuple[object, Path | None]:
    from bluelamp.db.engine import Database
    from bluelamp.db.migrate import upgrade

    path = None
    if url is None:
        path = folder / f"{name}.sqlite3"
        url = f"sqlite:///{path}"
    db = Database(url)
    upgrade(db.engine)
    return db, path


def run_year(args: argparse.Namespace, folder: Path) -> dict[str, object]:
    from bluelamp.synth import demo

    db, path = _fresh(args.url, folder, "year")
    wall, cpu = time.monotonic(), time.process_time()
    summary = demo.seed(db, days=args.days, seed=args.seed)  # type: ignore[arg-type]
    out = {"part": "year", "days": args.days, "wall_s": round(time.monotonic() - wall, 1),
           "cpu_s": round(time.process_time() - cpu, 1), **{k: summary[k] for k in (
               "contacts", "incidents", "open_incidents", "people", "triage_assessed", "triage_cached")}}
    if path is not None:
        out["db_mb"] = round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6)
    return out


def run_serve(args: argparse.Namespace, folder: Path) -> dict[str, object]:
    from bluelamp.synth import demo

    db, _ = _fresh(None, folder, "serve")  # the serve part always measures SQLite, the default
    wall, cpu = time.monotonic(), time.process_time()
    thread = demo.seed_if_empty(db, days=args.days, seed=args.seed, recent_days=21)  # type: ignore[arg-type]
    usable = time.monotonic() - wall
    out: dict[str, object] = {"part": "serve --demo", "recent_days": 21, "usable_after_s": round(usable, 1),
                              "cpu_s": round(time.process_time() - cpu, 1)}
    if thread is not None and args.wait:
        thread.join()
        out["history_complete_s"] = round(time.monotonic() - wall, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--url", default=None, help="database URL for the year (default: a temporary SQLite file)")
    parser.add_argument("--part", choices=("year", "serve", "both"), default="both")
    parser.add_argument("--wait", action="store_true", help="for serve: also wait for the background history")
    args = parser.parse_args()
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
               "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}
    print(json.dumps({"machine": machine}), flush=True)
    if args.part == "both":
        # Each part in its own process: the serve part leaves a background thread seeding the history.
        for part in ("serve", "year"):
            cmd = [sys.executable, __file__, "--part", part, "--days", str(args.days), "--seed", str(args.seed)]
            if args.url and part == "year":
                cmd += ["--url", args.url]
            subprocess.run(cmd, check=True)
        return
    with tempfile.TemporaryDirectory(prefix="bluelamp-bench-demo-") as tmp:
        os.environ.setdefault("BLUELAMP_VAR_DIR", tmp)  # the audit anchor goes with the throwaway database
        run = run_serve if args.part == "serve" else run_year
        print(json.dumps(run(args, Path(tmp))), flush=True)
        print(json.dumps({"load_avg_at_end": [round(x, 2) for x in os.getloadavg()]}), flush=True)
        if args.part == "serve":
            shutil.rmtree(tmp, ignore_errors=True)
            os._exit(0)  # do not wait for the serve part's background thread


if __name__ == "__main__":
    main()
