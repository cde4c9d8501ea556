"""Crime, victim, outcome and bureau measures (see docs/measures.md).

A crime takes the area and channel of the contact it came from; with an area or channel filter, a
crime with no contact (an online report recorded directly, an imported one) is left out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from bluelamp.contact.store import Contact
from bluelamp.crime.store import BureauTask, Crime, ReviewDue
from bluelamp.performance.figures import Def, Scope
from bluelamp.victims.store import Right6Clock, Victim


def _crime_filter(scope: Scope) -> list[ColumnElement[bool]]:
    if not (scope.area or scope.channel):
        return []
    contacts = select(Contact.id)
    if scope.area:
        contacts = contacts.where(Contact.area == scope.area)
    if scope.channel:
        contacts = contacts.where(Contact.channel == scope.channel)
    return [Crime.contact_id.in_(contacts)]


def _crimes_in(scope: Scope, extra: list[ColumnElement[bool]] | None = None) -> Any:
    """Ids of crimes in the scope (any period), for tables that hang off a crime."""
    return select(Crime.id).where(*_crime_filter(scope), *(extra or []))


def _agency_ok(scope: Scope) -> list[ColumnElement[bool]]:
    # Crimes are police records; another agency's measures have none.
    return [] if scope.agency == "police" else [Crime.id.is_(None)]


def crimes_reported(session: Session, scope: Scope) -> tuple[list[ColumnElement[bool]], list[Def]]:
    base = [Crime.reported_at >= scope.start, Crime.reported_at < scope.end, *_crime_filter(scope),
            *_agency_ok(scope)]
    # A crime still inside its 24 hours and not yet recorded is not yet a figure; once recorded, or once
    # its due time has passed, it is (met, or missed).
    # A restarted clock is measured on the original one (from the contact or incident).
    due = func.coalesce(Crime.original_record_due_at, Crime.record_due_at)
    settled = or_(Crime.recorded_at.is_not(None), due <= scope.now)
    on_time = and_(Crime.recorded_at.is_not(None), Crime.recorded_at <= due)
    planned = Crime.plan_score.is_not(None)
    # A plan is due within plan_within_hours (72) of the report: a crime still inside that time with no
    # plan is not yet a figure; a plan made after it counts as not within. (Rows from before the plan
    # clock was kept, with no plan_due_at, count as before: planned or not.)
    plan_settled = or_(planned, Crime.plan_due_at.is_(None), Crime.plan_due_at <= scope.now)
    planned_in_time = and_(planned, or_(Crime.plan_due_at.is_(None), Crime.first_plan_at.is_(None),
                                        Crime.first_plan_at <= Crime.plan_due_at))
    when = Crime.reported_at
    return base, [
        Def("crime_recorded_24h", Crime, settled, on_time, order=when),
        Def("crime_with_plan", Crime, plan_settled, planned_in_time, order=when),
        Def("plan_quality", Crime, planned, value=Crime.plan_score, kind="mean", order=when),
    ]


def crimes_closed(session: Session, scope: Scope) -> tuple[list[ColumnElement[bool]], list[Def]]:
    base = [Crime.closed_at >= scope.start, Crime.closed_at < scope.end, Crime.status == "closed",
            *_crime_filter(scope), *_agency_ok(scope)]
    closed = Crime.outcome.is_not(None)
    when = Crime.closed_at
    return base, [
        Def("outcome_charged", Crime, closed, Crime.outcome.in_(("1", "1A")), order=when),
        Def("outcome_no_suspect", Crime, closed, Crime.outcome == "18", order=when),
        Def("outcome_evidential", Crime, closed, Crime.outcome.in_(("14", "15", "16")), order=when),
    ]


def reviews(session: Session, scope: Scope) -> tuple[list[ColumnElement[bool]], list[Def]]:
    """Reviews that fell due in the period, up to now; met when done by the due time. A review never
    done counts as missed, and one not yet due is not yet a figure."""
    until = min(scope.end, scope.now)
    base = [ReviewDue.due_at >= scope.start, ReviewDue.due_at < until, ReviewDue.cancelled.is_(False)]
    if scope.area or scope.channel or scope.agency != "police":
        base.append(ReviewDue.crime_id.in_(_crimes_in(scope, _agency_ok(scope))))
    met = and_(ReviewDue.done_at.is_not(None), ReviewDue.done_at <= ReviewDue.due_at)
    return base, [Def("reviews_on_time", ReviewDue, ReviewDue.id.is_not(None), met, order=ReviewDue.due_at)]


def victims(session: Session, scope: Scope) -> tuple[list[ColumnElement[bool]], list[Def]]:
    crimes = _crimes_in(scope, [Crime.reported_at >= scope.start, Crime.reported_at < scope.end,
                                *_agency_ok(scope)])
    every = Victim.id.is_not(None)
    return [Victim.crime_id.in_(crimes)], [
        Def("needs_assessed", Victim, every, Victim.needs_assessed_at.is_not(None), order=Victim.created_at),
        Def("vps_offered", Victim, every, Victim.vps_offered_at.is_not(None), order=Victim.created_at),
    ]


def right6(session: Session, scope: Scope) -> tuple[list[ColumnElement[bool]], list[Def]]:
    """Clocks that fell due in the period, up to now (a clock not yet due is not yet a figure)."""
    until = min(scope.end, scope.now)
    base = [Right6Clock.due_at >= scope.start, Right6Clock.due_at < until]
    if scope.area or scope.channel or scope.agency != "police":
        base.append(Right6Clock.crime_id.in_(_crimes_in(scope, _agency_ok(scope))))
    met = and_(Right6Clock.met_at.is_not(None), Right6Clock.met_at <= Right6Clock.due_at)
    return base, [Def("right6_on_time", Right6Clock, Right6Clock.id.is_not(None), met, order=Right6Clock.due_at)]


def bureau_created(session: Session, scope: Scope) -> tuple[list[ColumnElement[bool]], list[Def]]:
    base = [BureauTask.created_at >= scope.start, BureauTask.created_at < scope.end, *_bureau_filter(scope)]
    return base, [Def("bureau_tasks_done", BureauTask, BureauTask.status != "cancelled",
                      BureauTask.status == "done", order=BureauTask.created_at)]


def bureau_done(session: Session, scope: Scope) -> tuple[list[ColumnElement[bool]], list[Def]]:
    base = [BureauTask.done_at >= scope.start, BureauTask.done_at < scope.end, BureauTask.status == "done",
            *_bureau_filter(scope)]
    return base, [Def("bureau_hours_saved", BureauTask, BureauTask.id.is_not(None),
                      value=BureauTask.minutes_saved, kind="sum", order=BureauTask.done_at)]


def _bureau_filter(scope: Scope) -> list[ColumnElement[bool]]:
    if not (scope.area or scope.channel or scope.agency != "police"):
        return []
    return [or_(BureauTask.crime_id.in_(_crimes_in(scope, _agency_ok(scope))))]


def crime_row(c: Crime) -> dict[str, Any]:
    return {"id": c.id, "kind": "crime", "link": f"/crimes/{c.id}", "offence": c.offence,
            "received_at": c.reported_at, "recorded_at": c.recorded_at, "status": c.status,
            "plan_score": c.plan_score, "outcome": c.outcome, "closed_at": c.closed_at}
