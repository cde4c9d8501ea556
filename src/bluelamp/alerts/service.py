"""Alerts: raised by the clock sweep for a role to act on, resolved when the work is done.

The only writer of the `crime_alert` table. Crime and victims call it: `raise_alerts` inserts one alert
per due row with a single INSERT ... SELECT ... WHERE NOT EXISTS (running it twice raises nothing new);
`resolve` closes the open alerts of a crime by kind (and, for victims' alerts, by subject).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import exists, insert, literal, select, update
from sqlalchemy.orm import Session

from bluelamp.alerts.store import CrimeAlert
from bluelamp.db.base import UTCDateTime

ALERT_COLUMNS = ["kind", "subject_id", "crime_id", "due_at", "level", "role", "raised_at"]


def at(value: datetime) -> Any:
    return literal(value, UTCDateTime())


def _no_alert(kind: str, subject: Any, due: Any, level: int) -> Any:
    return ~exists().where(CrimeAlert.kind == kind, CrimeAlert.subject_id == subject, CrimeAlert.due_at == due,
                           CrimeAlert.level == level)


def raise_alerts(session: Session, kind: str, level: int, role: str, now: datetime, subject: Any, crime_id: Any,
                 due: Any, *where: Any) -> int:
    """Insert one alert per row that matches `where` and has no such alert yet."""
    sel = select(literal(kind), subject, crime_id, due, literal(level), literal(role), at(now)) \
        .where(*where, _no_alert(kind, subject, due, level))
    # RETURNING, not rowcount: psycopg reports -1 for INSERT ... SELECT through SQLAlchemy here.
    return len(session.execute(insert(CrimeAlert).from_select(ALERT_COLUMNS, sel).returning(CrimeAlert.id)).all())


def resolve(session: Session, crime_id: int, kinds: Iterable[str], now: datetime,
            subjects: Iterable[int] | None = None) -> None:
    """Resolve the crime's open alerts of these kinds (only these subjects, when given)."""
    conds = [CrimeAlert.crime_id == crime_id, CrimeAlert.kind.in_(list(kinds)), CrimeAlert.resolved_at.is_(None)]
    if subjects is not None:
        conds.append(CrimeAlert.subject_id.in_(list(subjects)))
    session.execute(update(CrimeAlert).where(*conds).values(resolved_at=now))


def open_alerts(session: Session, crime_id: int | None = None, limit: int = 500) -> list[CrimeAlert]:
    # A crime's alerts only: an alert about a call (crime_id null) belongs to the call-back page.
    q = select(CrimeAlert).where(CrimeAlert.resolved_at.is_(None), CrimeAlert.crime_id.is_not(None))
    if crime_id is not None:
        q = q.where(CrimeAlert.crime_id == crime_id)
    return list(session.execute(q.order_by(CrimeAlert.level.desc(), CrimeAlert.due_at).limit(limit)).scalars())


def raise_call_alert(session: Session, kind: str, subject_id: int, due: datetime, role: str, now: datetime,
                     level: int = 2) -> CrimeAlert | None:
    """One alert about a call (no crime), e.g. an abandoned 999 call; None when it is already raised."""
    return _raise_once(session, kind, subject_id, None, due, role, now, level)


def open_call_alerts(session: Session, kinds: Iterable[str], limit: int = 200) -> list[CrimeAlert]:
    """Open alerts about calls of these kinds, most urgent first."""
    q = select(CrimeAlert).where(CrimeAlert.resolved_at.is_(None), CrimeAlert.crime_id.is_(None),
                                 CrimeAlert.kind.in_(list(kinds)))
    return list(session.execute(q.order_by(CrimeAlert.level.desc(), CrimeAlert.due_at).limit(limit)).scalars())


def resolve_call_alert(session: Session, alert_id: int, kinds: Iterable[str], now: datetime) -> CrimeAlert | None:
    """Resolve one open call alert; None when there is no such open alert."""
    alert = session.get(CrimeAlert, alert_id)
    if alert is None or alert.crime_id is not None or alert.kind not in list(kinds) or alert.resolved_at is not None:
        return None
    alert.resolved_at = now
    return alert


def raise_crime_alert(session: Session, kind: str, subject_id: int, crime_id: int, due: datetime, role: str,
                      now: datetime, level: int = 1) -> CrimeAlert | None:
    """One alert on a crime for a role to act on (e.g. a victim asked for a call); None when already raised."""
    return _raise_once(session, kind, subject_id, crime_id, due, role, now, level)


def _raise_once(session: Session, kind: str, subject_id: int, crime_id: int | None, due: datetime, role: str,
                now: datetime, level: int) -> CrimeAlert | None:
    """The alert, unless one of the same kind, subject, due time and level is already raised (None then)."""
    found = session.execute(select(CrimeAlert).where(
        CrimeAlert.kind == kind, CrimeAlert.subject_id == subject_id, CrimeAlert.due_at == due,
        CrimeAlert.level == level)).scalar_one_or_none()
    if found is not None:
        return None
    alert = CrimeAlert(kind=kind, subject_id=subject_id, crime_id=crime_id, due_at=due, level=level, role=role,
                       raised_at=now)
    session.add(alert)
    session.flush()
    return alert
