#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: installs what is needed, then lint, types, and the
# tests on SQLite and again on PostgreSQL. Usage: bash scripts/test.sh [--fast] [extra pytest args]
#   --fast   everyday subset: SQLite only, no slow or browser tests (under 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."

fast=0
if [ "${1:-}" = "--fast" ]; then fast=1; shift; fi

echo "== install"
# requirements.lock pins the versions this suite was last run green with (scripts/lock.py writes it).
python3 -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]' 2>&1 \
  | grep -v -e "Running pip as the 'root'" -e "is ignored: it is neither" || true
python3 scripts/lock.py --check || { echo "requirements.lock is out of date: run python3 scripts/lock.py"; exit 1; }

if [ "$fast" = 0 ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    echo "== installing Debian's chromium for the browser tests"
    if [ "$(id -u)" = 0 ]; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
        || { echo "could not install chromium"; exit 1; }
    else
      echo "chromium is missing: install it with 'sudo apt-get install chromium'"; exit 1
    fi
  fi
  pg_url="${BLUELAMP_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "== starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start"; exit 1; }
  fi
fi

if [ "$fast" = 0 ]; then
  echo "== known vulnerabilities in the locked set (report only: needs an index that serves advisories)"
  timeout 120 python3 -m pip_audit -r requirements.lock --no-deps --disable-pip --progress-spinner off 2>&1 \
    | grep -v -e "not found on PyPI" | tail -n 15 || echo "pip-audit could not run here"
fi

echo "== ruff"
python3 -m ruff check src tests benchmarks
echo "== mypy"
python3 -m mypy

if [ "$fast" = 1 ]; then
  echo "== tests (fast subset, SQLite)"
  python3 -m pytest -q -n 2 -m "not slow and not browser" "$@"
  exit 0
fi

echo "== tests on SQLite (everything)"
python3 -m pytest -q "$@"

echo "== tests on PostgreSQL (every test that touches a database)"
# Pure computation (triage rules, forecasting, staffing maths) does not depend on the database and
# already ran above; running it twice would only double CI time.
BLUELAMP_TEST_DATABASE_URL="$pg_url" python3 -m pytest -q -m "not nodb" "$@"
