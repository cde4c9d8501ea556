"""Import of the full DECC file: rows per second and peak memory, on SQLite and PostgreSQL.

Usage: python benchmarks/bench_response_import.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
Each run imports into a fresh database in a child process, so peak memory (ru_maxrss) is the import's
(tracemalloc is not used: it slows an allocation-heavy import several times over).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

FILE = Path(__file__).resolve().parents[2] / "shared/data/real/decc-911-center-cad/decc_cad_calls_2025w35-w52.csv.gz"

CHILD = r"""
import io, json, resource, sys, time
from bluelamp.db.engine import get_database
from bluelamp.db.migrate import upgrade
from bluelamp.response.importers.runner import import_cad
db = get_database(sys.argv[1]); upgrade(db.engine)
from bluelamp.policy import load_policy; load_policy()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter(); s = import_cad(db, sys.argv[2], err=io.StringIO()); first = time.perf_counter() - t
t = time.perf_counter(); again = import_cad(db, sys.argv[2], err=io.StringIO()); rerun = time.perf_counter() - t
print(json.dumps({"summary": s.to_dict(), "seconds": first, "rows_per_s": s.rows / first, "rerun_seconds": rerun,
                  "rerun_already_present": again.already_present,
                  "rss_before_mb": base / 1024, "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(url: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", CHILD, url, str(FILE)], capture_output=True, text=True,
                         env={**os.environ, "BLUELAMP_VAR_DIR": tempfile.mkdtemp()}, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("sqlite", json.dumps(run(f"sqlite:///{tmp}/bench.sqlite3")))
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(make_url(args.pg).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "bluelamp_bench_import" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "bluelamp_bench_import"'))
    try:
        url = make_url(args.pg).set(database="bluelamp_bench_import").render_as_string(hide_password=False)
        print("postgresql", json.dumps(run(url)))
    finally:
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "bluelamp_bench_import" WITH (FORCE)'))


if __name__ == "__main__":
    main()
