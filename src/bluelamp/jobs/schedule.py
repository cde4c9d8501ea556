"""Recurring work: what must run every day, queued once per day by whichever runner sees the day first."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from bluelamp import clock
from bluelamp.db.engine import Database
from bluelamp.jobs.runner import enqueue

# kind, payload, local time of day (Europe/London) at which it runs
DAILY: tuple[tuple[str, dict[str, Any], time], ...] = (
    ("performance.rollup", {"days": 35}, time(2, 0)),  # recount the dashboard's daily summaries
    # summarise days not yet summarised (a fresh or imported database): due at once on start-up
    ("performance.rollup.fill", {"days": 400}, time(0, 0)),
    ("crime.sweep", {}, time(6, 0)),  # also re-queued by itself through the day
    ("db.partitions", {"ahead": 3}, time(3, 0)),  # next months' partitions (PostgreSQL; docs/scaling.md)
)


def ensure_daily(db: Database, now: datetime | None = None) -> int:
    """Queue today's and tomorrow's daily jobs if not queued yet (the dedupe key is kind + date)."""
    now = now or clock.now()
    today = clock.local(now).date()
    queued = 0
    with db.unit_of_work() as session:
        for day in (today, today + timedelta(days=1)):
            for kind, payload, at in DAILY:
                run_at = datetime.combine(day, at, tzinfo=clock.LONDON)
                if enqueue(session, kind, payload, run_at, dedupe_key=f"daily:{kind}:{day.isoformat()}"):
                    queued += 1
    return queued
