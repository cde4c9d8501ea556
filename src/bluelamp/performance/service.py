"""Use cases of the live measures: the dashboard for a period and the records behind any figure."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.chat.store import Chat
from bluelamp.contact.store import Contact
from bluelamp.crime.store import BureauTask, Crime, ReviewDue, SupervisoryReview
from bluelamp.performance import contact_measures, crime_measures, measures, rollup
from bluelamp.performance.figures import Def, Family, Scope, record_ids, run_family
from bluelamp.performance.model import (
    CATALOGUE,
    DEFAULT_MIN_RECORDS,
    DEFAULT_SUPPRESS_BELOW,
    SECTIONS,
    SPECS,
    Figure,
    PeriodError,
    Result,
    check_period,
    previous_period,
)
from bluelamp.response.store import Incident, IncidentRegrade
from bluelamp.victims.store import Right6Clock, Victim

CHANNELS = ("999", "101", "chat", "online")
DEFAULT_DAYS = 28


def min_records_setting() -> int:
    """Below this many records a figure is marked `small_number` (BLUELAMP_PERFORMANCE_MIN_RECORDS)."""
    return _int_env("BLUELAMP_PERFORMANCE_MIN_RECORDS", DEFAULT_MIN_RECORDS)


def suppress_below_setting() -> int:
    """The public page withholds any count below this (BLUELAMP_PUBLIC_SUPPRESS_BELOW)."""
    return _int_env("BLUELAMP_PUBLIC_SUPPRESS_BELOW", DEFAULT_SUPPRESS_BELOW)


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() else default


def zone() -> ZoneInfo:
    from bluelamp.config import get_settings

    return ZoneInfo(get_settings().timezone)


def incidents(session: Session, scope: Scope) -> tuple[list[ColumnElement[bool]], list[Def]]:
    """Attendance, counted exactly as the response measures count it (CONTRACT.md "Measures")."""
    grade, attend_by = measures.GRADE, measures.ATTEND_BY  # the grade held before arrival (measures.py)
    base: list[ColumnElement[bool]] = [Incident.agency == scope.agency, Incident.received_at >= scope.start,
                                       Incident.received_at < scope.end, grade.in_((1, 2, 3))]
    if scope.area:
        base.append(Incident.area == scope.area)
    if scope.channel:
        base.append(Incident.contact_id.in_(select(Contact.id).where(Contact.channel == scope.channel)))
    attended = Incident.arrived_at.is_not(None)
    downgraded = exists().where(IncidentRegrade.incident_id == Incident.id,
                                IncidentRegrade.to_grade > IncidentRegrade.from_grade)
    return base, [*[Def(f"attendance_{g}", Incident, (grade == g) & attended, Incident.arrived_at <= attend_by,
                        order=Incident.received_at) for g in (1, 2, 3)],
                  Def("incident_downgraded", Incident, Incident.id.is_not(None), downgraded,
                      order=Incident.received_at)]


FAMILIES: tuple[Family, ...] = (
    contact_measures.contacts, contact_measures.chats, incidents, crime_measures.crimes_reported,
    crime_measures.crimes_closed, crime_measures.reviews, crime_measures.victims, crime_measures.right6,
    crime_measures.bureau_created, crime_measures.bureau_done,
)


def resolve_period(date_from: date | None, date_to: date | None, tz: ZoneInfo | None = None) -> tuple[date, date]:
    """Dates inclusive, force local time; `to` defaults to today, `from` to 27 days before `to`."""
    tz = tz or zone()
    if date_to is None:
        date_to = clock.now().astimezone(tz).date()
    if date_from is None:
        date_from = date_to - timedelta(days=DEFAULT_DAYS - 1)
    check_period(date_from, date_to)
    return date_from, date_to


def make_scope(date_from: date, date_to: date, area: str | None = None, channel: str | None = None,
               agency: str = "police", tz: ZoneInfo | None = None) -> Scope:
    tz = tz or zone()
    if channel is not None and channel not in CHANNELS:
        raise PeriodError(f"channel must be one of {', '.join(CHANNELS)}", "channel")
    start = datetime.combine(date_from, time(0), tz).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tz).astimezone(UTC)
    return Scope(start=start, end=end, now=clock.now(), area=area or None, channel=channel or None,
                 agency=(agency or "police").strip().lower())


def figures(session: Session, scope: Scope, days: tuple[date, date] | None = None,
            tz: ZoneInfo | None = None) -> dict[str, Figure]:
    """Every measure's counts for one scope: one query per family.

    Given the scope's local `days`, the contact figures come from the daily roll-up (settled days)
    plus a live count of the rest (rollup.py); without, everything is counted live.
    """
    out: dict[str, Figure] = {}
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        session.execute(text("SET LOCAL work_mem = '64MB'"))
    for family in FAMILIES:
        if days is not None and family is contact_measures.contacts:
            out.update(rollup.figures(session, scope, days[0], days[1], tz or zone()))
            continue
        base, defs = family(session, scope)
        out.update(run_family(session, base, defs))
    return out


def dashboard(session: Session, date_from: date | None = None, date_to: date | None = None,
              area: str | None = None, channel: str | None = None, agency: str = "police",
              min_records: int | None = None) -> dict[str, Any]:
    """Every measure for the period, with target, RAG, the previous equal period and its trend."""
    tz = zone()
    d_from, d_to = resolve_period(date_from, date_to, tz)
    p_from, p_to = previous_period(d_from, d_to)
    scope = make_scope(d_from, d_to, area, channel, agency, tz)
    session.info.pop("rollup_missing_days", None)
    current = figures(session, scope, (d_from, d_to), tz)
    previous = figures(session, make_scope(p_from, p_to, area, channel, agency, tz), (p_from, p_to), tz)
    floor = min_records if min_records is not None else min_records_setting()
    results = []
    for spec in CATALOGUE:
        extra: dict[str, Any] = {"records": records_link(spec.key, d_from, d_to, area, channel, agency)}
        results.append(Result(spec, current.get(spec.key, Figure()), previous.get(spec.key, Figure()), floor,
                              extra).as_dict())
    sections = [{"key": key, "label": label, "measures": [m for m in results if m["section"] == key]}
                for key, label in SECTIONS]
    return {"from": d_from.isoformat(), "to": d_to.isoformat(),
            "previous": {"from": p_from.isoformat(), "to": p_to.isoformat()},
            "area": scope.area, "channel": scope.channel, "agency": scope.agency, "timezone": tz.key,
            "min_records": floor, "computed_at": clock.iso(clock.now()), "measures": results,
            "sections": sections,
            # settled days whose daily summaries the job runner has not built yet: counted live
            "summaries_pending_days": int(session.info.pop("rollup_missing_days", 0))}


def records_link(key: str, d_from: date, d_to: date, area: str | None, channel: str | None, agency: str) -> str:
    from urllib.parse import urlencode

    query = {"measure": key, "from": d_from.isoformat(), "to": d_to.isoformat()}
    if area:
        query["area"] = area
    if channel:
        query["channel"] = channel
    if agency and agency != "police":
        query["agency"] = agency
    return "/performance/records?" + urlencode(query)


def find_def(session: Session, scope: Scope, key: str) -> tuple[list[ColumnElement[bool]], Def]:
    for family in FAMILIES:
        base, defs = family(session, scope)
        for d in defs:
            if d.key == key:
                return base, d
    raise PeriodError(f"unknown measure {key!r}" if key not in SPECS else
                      f"{key}: {SPECS[key].no_data_reason}", "measure")


def records(session: Session, key: str, date_from: date | None = None, date_to: date | None = None,
            area: str | None = None, channel: str | None = None, agency: str = "police",
            met: bool | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    """The records behind one figure: their ids (newest first) and a line each for the list page."""
    tz = zone()
    d_from, d_to = resolve_period(date_from, date_to, tz)
    scope = make_scope(d_from, d_to, area, channel, agency, tz)
    base, d = find_def(session, scope, key)
    total, ids = record_ids(session, base, d, met, limit, offset)
    spec = SPECS[key]
    return {"measure": key, "label": spec.label, "definition": spec.definition, "from": d_from.isoformat(),
            "to": d_to.isoformat(), "area": scope.area, "channel": scope.channel, "agency": scope.agency,
            "met": met, "table": d.table.__tablename__, "total": total, "limit": limit, "offset": offset,
            "ids": ids, "rows": rows_for(session, d.table, ids)}


def rows_for(session: Session, table: Any, ids: list[int]) -> list[dict[str, Any]]:
    """One line per record, in the order of `ids` (one query, never one per row)."""
    if not ids:
        return []
    found = {r.id: r for r in session.execute(select(table).where(table.id.in_(ids))).scalars()}
    line = _LINES[table]
    return [line(found[i]) for i in ids if i in found]


def _incident_row(i: Incident) -> dict[str, Any]:
    secs = (i.arrived_at - i.received_at).total_seconds() if i.arrived_at else None
    return {"id": i.id, "kind": "incident", "link": f"/contacts/{i.contact_id}" if i.contact_id else None, "grade": i.grade, "area": i.area,
            "urban": i.urban, "received_at": i.received_at, "attend_by": i.attend_by, "arrived_at": i.arrived_at,
            "arrival_s": None if secs is None else round(secs), "status": i.status, "external_ref": i.external_ref}


def _review_row(r: SupervisoryReview) -> dict[str, Any]:
    return {"id": r.id, "kind": "review", "link": f"/crimes/{r.crime_id}", "crime_id": r.crime_id,
            "received_at": r.reviewed_at, "was_due_at": r.was_due_at, "late": r.late, "reviewer": r.reviewer}


def _review_due_row(r: ReviewDue) -> dict[str, Any]:
    state = "cancelled" if r.cancelled else "not done" if r.done_at is None else \
        "on time" if r.done_at <= r.due_at else "late"
    return {"id": r.id, "kind": "review_due", "link": f"/crimes/{r.crime_id}", "crime_id": r.crime_id,
            "received_at": r.due_at, "due_at": r.due_at, "done_at": r.done_at, "risk": r.risk, "status": state}


def _victim_row(v: Victim) -> dict[str, Any]:
    return {"id": v.id, "kind": "victim", "link": f"/victims/{v.id}", "crime_id": v.crime_id,
            "received_at": v.created_at, "needs_assessed_at": v.needs_assessed_at,
            "vps_offered_at": v.vps_offered_at, "enhanced": v.enhanced}


def _clock_row(c: Right6Clock) -> dict[str, Any]:
    return {"id": c.id, "kind": "right6_clock", "link": f"/victims/{c.victim_id}", "crime_id": c.crime_id,
            "event": c.event, "received_at": c.event_at, "due_at": c.due_at, "met_at": c.met_at,
            "status": c.status}


def _task_row(t: BureauTask) -> dict[str, Any]:
    return {"id": t.id, "kind": "bureau_task", "link": f"/crimes/{t.crime_id}" if t.crime_id else None,
            "task": t.kind, "received_at": t.created_at, "due_at": t.due_at, "done_at": t.done_at,
            "status": t.status, "minutes_saved": t.minutes_saved}


_LINES: dict[Any, Any] = {
    Contact: contact_measures.contact_row, Chat: contact_measures.chat_row, Incident: _incident_row,
    Crime: crime_measures.crime_row, SupervisoryReview: _review_row, ReviewDue: _review_due_row, Victim: _victim_row,
    Right6Clock: _clock_row, BureauTask: _task_row,
}


def with_all_measures(session: Session, result: dict[str, Any]) -> dict[str, Any]:
    """The contract's measures JSON plus `measures`: every live measure for the same period and filters.

    A period the dashboard cannot take (longer than its maximum) keeps the contract's keys and gives
    `measures: null` with the reason, so the contract's answer never fails for it.
    """
    try:
        board = dashboard(session, date.fromisoformat(result["from"]), date.fromisoformat(result["to"]),
                          result.get("area"), None, result.get("agency") or "police")
    except PeriodError as exc:
        return {**result, "measures": None, "measures_error": f"{exc.field}: {exc}"}
    return {**result, "measures": board["measures"], "previous": board["previous"],
            "min_records": board["min_records"]}
