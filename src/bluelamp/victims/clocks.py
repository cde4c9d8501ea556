"""Victims' clocks: Right 6 clocks and contact-plan updates that are due, and their sweep step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import literal_column, select, update
from sqlalchemy.orm import Session

from bluelamp.alerts.service import at, raise_alerts
from bluelamp.bureau import service as bureau
from bluelamp.policy import Policy
from bluelamp.victims.store import Right6Clock, Victim

OPEN = Right6Clock.status == literal_column("'open'")


def sweep_victims(session: Session, now: datetime, policy: Policy) -> dict[str, int]:
    """Warn before a Right 6 clock runs out, mark it missed when it does, and chase overdue updates."""
    warned = raise_alerts(session, "right6", 1, "victim_care", now, Right6Clock.id, Right6Clock.crime_id,
                          Right6Clock.due_at, OPEN, Right6Clock.warned_at.is_(None), Right6Clock.warn_at <= at(now))
    session.execute(update(Right6Clock).where(OPEN, Right6Clock.warned_at.is_(None), Right6Clock.warn_at <= at(now))
                    .values(warned_at=now))
    missed = raise_alerts(session, "right6", 2, "supervisor", now, Right6Clock.id, Right6Clock.crime_id,
                          Right6Clock.due_at, OPEN, Right6Clock.due_at < at(now))
    session.execute(update(Right6Clock).where(OPEN, Right6Clock.due_at < at(now))
                    .values(status="missed", missed_at=now))
    active = Victim.active  # bare column: the same predicate as the partial index
    overdue = raise_alerts(session, "contact_update", 1, "victim_care", now, Victim.id, Victim.crime_id,
                           Victim.next_update_due_at, active, Victim.next_update_due_at < at(now))
    tasks = _contact_update_tasks(session, now, policy)
    return {"right6_warned": warned, "right6_missed": missed, "contact_updates_overdue": overdue,
            "contact_update_tasks": tasks}


def _contact_update_tasks(session: Session, now: datetime, policy: Policy) -> int:
    """One bureau task per active victim whose agreed update is overdue and who has none open."""
    overdue = select(Victim.crime_id, Victim.id).where(
        Victim.active, Victim.next_update_due_at < at(now), ~bureau.open_task_for("victim_contact_update", Victim.id))
    return bureau.queue_from(session, "victim_contact_update", overdue, now, {"method": "phone"}, policy)


def clocks_due(session: Session, until: datetime, limit: int = 500) -> list[tuple[Right6Clock, Victim]]:
    """Open and missed Right 6 clocks due by `until`, most urgent first."""
    rows = session.execute(
        select(Right6Clock, Victim).join(Victim, Victim.id == Right6Clock.victim_id)
        .where(Right6Clock.status.in_(("open", "missed")), Right6Clock.due_at <= until)
        .order_by(Right6Clock.due_at).limit(limit)).all()
    return [(c, v) for c, v in rows]


def updates_due(session: Session, until: datetime, limit: int = 500) -> list[Victim]:
    """Victims whose agreed update is due by `until`."""
    return list(session.execute(select(Victim).where(Victim.active.is_(True), Victim.next_update_due_at <= until)
                                .order_by(Victim.next_update_due_at).limit(limit)).scalars())


def clocks_of(session: Session, victim_id: int) -> list[Right6Clock]:
    return list(session.execute(select(Right6Clock).where(Right6Clock.victim_id == victim_id)
                                .order_by(Right6Clock.event_at)).scalars())


def clock_json(c: Right6Clock, now: datetime) -> dict[str, Any]:
    from bluelamp import clock
    from bluelamp.victims.model import clock_state

    return {"id": c.id, "victim_id": c.victim_id, "crime_id": c.crime_id, "event": c.event,
            "event_at": clock.iso(c.event_at), "working_days": c.working_days, "enhanced": c.enhanced,
            "due_at": clock.iso(c.due_at), "state": clock_state(c.due_at, c.warn_at, c.met_at, now),
            "met_at": clock.iso(c.met_at)}
