"""The clock sweep: missed and escalated reviews, NCRS recording clocks, and (through the victims
context) Right 6 clocks and overdue contact-plan updates.

Alerts are raised through `bluelamp.alerts` (the only writer of the alert table); the victims context's
step is `bluelamp.victims.clocks`, which depends on alerts and the bureau, never on this module, so
dependencies run one way. Each step is one set-based INSERT ... SELECT ... WHERE NOT EXISTS over a
partial index, so the sweep
costs the number of rows that are due, not the number of crimes, and running it twice raises nothing
new. One audit entry records what a sweep raised; the alert rows are the detail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import literal_column, text
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.alerts.service import at, raise_alerts
from bluelamp.audit import service as audit
from bluelamp.crime.store import Crime
from bluelamp.jobs.runner import enqueue, handler
from bluelamp.policy import Policy, load_policy
from bluelamp.victims import clocks

ANALYZE_AFTER = 1000
NOT_CLOSED = Crime.status != literal_column("'closed'")  # literal, so the partial index always matches


def sweep_crimes(session: Session, now: datetime, policy: Policy) -> dict[str, int]:
    rules = policy.doc("investigation")
    escalate = now - timedelta(hours=rules.escalate_after_hours)
    warn = now + timedelta(hours=rules.recording_warn_hours)
    due = Crime.next_review_due_at
    rec = Crime.record_due_at
    return {
        "reviews_missed": raise_alerts(session, "review_missed", 1, "supervisor", now, Crime.id, Crime.id, due,
                                       NOT_CLOSED, due < at(now)),
        "reviews_escalated": raise_alerts(session, "review_missed", 2, "leader", now, Crime.id, Crime.id, due,
                                          NOT_CLOSED, due < at(escalate)),
        "recording_due_soon": raise_alerts(session, "recording", 1, "cab_officer", now, Crime.id, Crime.id, rec,
                                           Crime.recorded_at.is_(None), rec <= at(warn)),
        "recording_missed": raise_alerts(session, "recording", 2, "supervisor", now, Crime.id, Crime.id, rec,
                                         Crime.recorded_at.is_(None), rec < at(now)),
        # No investigation plan within plan_within_hours (72) of the report.
        "no_plan": raise_alerts(session, "no_plan", 1, "supervisor", now, Crime.id, Crime.id, Crime.plan_due_at,
                                NOT_CLOSED, Crime.first_plan_at.is_(None), Crime.plan_due_at < at(now)),
    }


def sweep(session: Session, now: datetime | None = None, policy: Policy | None = None,
          actor: str = "system:sweep") -> dict[str, int]:
    """Raise every alert that is due at `now`; returns counts by step."""
    now = now or clock.now()
    policy = policy or load_policy()
    counts = sweep_crimes(session, now, policy)
    counts.update(clocks.sweep_victims(session, now, policy))
    if sum(counts.values()) >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        # A big batch of new alerts makes the planner's row counts stale; the next sweep's anti-joins
        # would then be planned as nested loops over "1 row" (seen in the benchmark: 9 s instead of 0.3).
        session.execute(text("ANALYZE crime_alert"))
        session.execute(text("ANALYZE bureau_task"))
    if any(counts.values()):
        audit.record(session, actor, "crime.sweep", "sweep", clock.iso(now), after=counts)
    return counts


def ensure_scheduled(session: Session, now: datetime | None = None, policy: Policy | None = None) -> None:
    """Queue the next sweep (one per slot, whoever asks)."""
    now = now or clock.now()
    every = (policy or load_policy()).doc("investigation").sweep_every_minutes
    slot = int(now.timestamp() // (every * 60) + 1) * every * 60
    run_at = datetime.fromtimestamp(slot, tz=now.tzinfo)
    enqueue(session, "crime.sweep", {}, run_at, dedupe_key=f"crime.sweep:{slot}")


@handler("crime.sweep")
def _run_sweep(session: Session, payload: dict[str, Any]) -> None:
    sweep(session)
    ensure_scheduled(session)
