"""Attendance measures (CONTRACT.md "Measures"): per grade and urban/rural, over any period.

Time to arrival runs from the call being received to the first unit arriving. `attended` counts
incidents with an arrival; `share_within_target` is a fraction of `attended`; median and 90th
percentile use linear interpolation (PostgreSQL's percentile_cont, numpy's default). A figure with no
data is null, never 0. On PostgreSQL the aggregation runs in the database (one grouped query); on
SQLite the same figures are computed in Python from the rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.response.model import percentile
from bluelamp.response.store import Incident

GRADES = (1, 2, 3)
FIELDS = ("incidents", "attended", "within_target", "share_within_target", "median_s", "p90_s")


class MeasuresError(ValueError):
    """A bad period or filter; `field` names it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _zone() -> ZoneInfo:
    from bluelamp.config import get_settings

    return ZoneInfo(get_settings().timezone)


def period(session: Session, date_from: date | None, date_to: date | None, agency: str,
           zone: ZoneInfo | None = None) -> tuple[date, date, datetime, datetime]:
    """Dates inclusive in the force's local time -> [start, end) in UTC.

    `to` defaults to today; `from` to the day of the agency's earliest incident (or `to`).
    """
    zone = zone or _zone()
    if date_to is None:
        date_to = clock.now().astimezone(zone).date()
    if date_from is None:
        first = session.execute(select(func.min(Incident.received_at)).where(Incident.agency == agency)).scalar()
        first = clock.from_db(first)
        date_from = min(first.astimezone(zone).date(), date_to) if first is not None else date_to
    if date_from > date_to:
        raise MeasuresError("from must not be after to", "from")
    start = datetime.combine(date_from, time(0), zone).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(0), zone).astimezone(UTC)
    return date_from, date_to, start, end


def _empty() -> dict[str, Any]:
    return {"incidents": 0, "attended": 0, "within_target": 0, "share_within_target": None,
            "median_s": None, "p90_s": None}


def _figures(incidents: int, attended: int, within: int, median: float | None, p90: float | None) -> dict[str, Any]:
    return {"incidents": incidents, "attended": attended, "within_target": within,
            "share_within_target": round(within / attended, 4) if attended else None,
            "median_s": None if median is None else round(float(median), 1),
            "p90_s": None if p90 is None else round(float(p90), 1)}


# The grade and attend-by an incident is measured on: after a regrade, the highest grade it held before
# its first arrival (Incident.measure_grade); otherwise its grade. A downgrade after arrival never moves it.
GRADE = func.coalesce(Incident.measure_grade, Incident.grade)
ATTEND_BY = case((Incident.measure_grade.is_not(None), Incident.measure_attend_by), else_=Incident.attend_by)


def _filters(agency: str, start: datetime, end: datetime, area: str | None) -> list[Any]:
    conds = [Incident.agency == agency, Incident.received_at >= start, Incident.received_at < end,
             GRADE.in_(GRADES), Incident.status != "merged"]  # a merged duplicate is counted in the one it joined
    if area:
        conds.append(Incident.area == area)
    return conds


def _attendance_python(session: Session, conds: list[Any]) -> dict[str, Any]:
    rows = session.execute(
        select(GRADE, Incident.urban, Incident.received_at, Incident.arrived_at, ATTEND_BY)
        .where(*conds)).all()
    groups: dict[tuple[int, bool | None], tuple[list[int], list[float]]] = {}
    for grade, urban, received, arrived, attend_by in rows:
        for key in ((grade, None), (grade, bool(urban))):
            counts, times = groups.setdefault(key, ([0, 0, 0], []))
            counts[0] += 1
            if arrived is not None:
                counts[1] += 1
                times.append((arrived - received).total_seconds())
                if attend_by is not None and arrived <= attend_by:
                    counts[2] += 1
    out: dict[str, Any] = {}
    for grade in GRADES:
        entry: dict[str, Any] = {}
        parts: tuple[tuple[bool | None, str | None], ...] = ((None, None), (True, "urban"), (False, "rural"))
        for where, name in parts:
            counts, times = groups.get((grade, where), ([0, 0, 0], []))
            times.sort()
            figures = _figures(counts[0], counts[1], counts[2], percentile(times, 0.5), percentile(times, 0.9))
            if name is None:
                entry.update(figures)
            else:
                entry[name] = figures
        out[str(grade)] = entry
    return out


def _attendance_postgresql(session: Session, conds: list[Any]) -> dict[str, Any]:
    secs = func.extract("epoch", Incident.arrived_at - Incident.received_at)
    within = func.count().filter(Incident.arrived_at <= ATTEND_BY)
    # Both percentiles from one sort per group; a year of a force sorts in memory with 64 MB.
    quantiles = func.percentile_cont(literal_column("ARRAY[0.5, 0.9]")).within_group(secs)
    query = (
        select(GRADE.label("g"), Incident.urban, func.grouping(Incident.urban).label("all_urban"),
               func.count().label("n"), func.count(Incident.arrived_at).label("attended"), within.label("within"),
               quantiles.label("q"))
        .where(*conds)
        .group_by(literal_column("GROUPING SETS ((coalesce(incident.measure_grade, incident.grade)), "
                                 "(coalesce(incident.measure_grade, incident.grade), incident.urban))"))
    )
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    out: dict[str, Any] = {str(g): {**_empty(), "urban": _empty(), "rural": _empty()} for g in GRADES}
    for grade, urban, all_urban, n, attended, within_n, q in session.execute(query):
        median, p90 = (q[0], q[1]) if q else (None, None)
        figures = _figures(n, attended, within_n, median, p90)
        if all_urban:
            out[str(grade)].update(figures)
        else:
            out[str(grade)]["urban" if urban else "rural"] = figures
    return out


def attendance(session: Session, start: datetime, end: datetime, agency: str = "police",
               area: str | None = None) -> dict[str, Any]:
    """The attendance figures for incidents received in [start, end), keyed by grade "1".."3"."""
    conds = _filters(agency, start, end, area)
    if session.get_bind().dialect.name == "postgresql":
        return _attendance_postgresql(session, conds)
    return _attendance_python(session, conds)


def _fmt(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 60} min {seconds % 60} s"


def breaches(session: Session, start: datetime, end: datetime, agency: str = "police", area: str | None = None,
             limit: int = 50, now: datetime | None = None) -> dict[str, Any]:
    """Incidents whose clock was missed: arrived late, or not attended by the attend-by time.

    Counts both kinds; lists the most recent `limit`, each with the reason it was missed.
    """
    now = now or clock.now()
    cutoff = min(now, end)
    late = and_(Incident.arrived_at.is_not(None), Incident.arrived_at > ATTEND_BY)
    unattended = and_(Incident.arrived_at.is_(None), ATTEND_BY < cutoff)  # noqa: SIM300
    conds = [*_filters(agency, start, end, area), ATTEND_BY.is_not(None)]
    counts = session.execute(
        select(func.count().filter(late), func.count().filter(unattended)).where(*conds)).one()
    rows = session.execute(
        select(Incident).where(*conds, or_(late, unattended))
        .order_by(Incident.received_at.desc(), Incident.id.desc()).limit(limit)).scalars()
    items = [_breach(i, now) for i in rows]
    return {"late": int(counts[0] or 0), "not_attended": int(counts[1] or 0), "listed": items}


def _breach(i: Incident, now: datetime) -> dict[str, Any]:
    attend_by = i.measured_attend_by
    assert attend_by is not None
    reasons: list[str] = []
    extra = i.extra or {}
    if i.arrived_at is not None:
        reasons.append(f"arrived {_fmt((i.arrived_at - attend_by).total_seconds())} after the target")
    else:
        reasons.append("no arrival recorded" if i.status == "closed" else "no unit has arrived yet")
    if i.dispatched_at is None:
        reasons.append("no unit was dispatched")
    else:
        reasons.append(f"waited {_fmt((i.dispatched_at - i.received_at).total_seconds())} for a unit")
        if i.arrived_at is not None:
            reasons.append(f"travel and turnout {_fmt((i.arrived_at - i.dispatched_at).total_seconds())}")
    for key in ("breach_reason", "closure_reason", "disposition"):
        if extra.get(key):
            reasons.append(f"{key.replace('_', ' ')}: {extra[key]}")
    return {"incident_id": i.id, "external_ref": i.external_ref, "grade": i.measured_grade, "urban": i.urban,
            "area": i.area, "received_at": clock.iso(i.received_at), "attend_by": clock.iso(attend_by),
            "arrived_at": clock.iso(i.arrived_at),
            "late_s": _late_s(i, now), "reasons": reasons}


def _late_s(i: Incident, now: datetime) -> int | None:
    """How late the arrival was; for a waiting incident, how late it is now; None if closed unattended."""
    attend_by = i.measured_attend_by
    assert attend_by is not None
    if i.arrived_at is not None:
        return round((i.arrived_at - attend_by).total_seconds())
    if i.status == "closed":
        return None
    return round((now - attend_by).total_seconds())


def measures(session: Session, date_from: date | None = None, date_to: date | None = None,
             agency: str = "police", area: str | None = None, breaches_limit: int = 50) -> dict[str, Any]:
    """The JSON of `bluelamp report measures` and `GET /api/v1/measures`."""
    agency = (agency or "police").strip().lower()
    zone = _zone()
    d_from, d_to, start, end = period(session, date_from, date_to, agency, zone)
    return {
        "from": d_from.isoformat(), "to": d_to.isoformat(), "agency": agency, "area": area,
        "timezone": zone.key, "attendance": attendance(session, start, end, agency, area),
        "breaches": breaches(session, start, end, agency, area, breaches_limit),
        "late_entered_times": late_entered_times(session, start, end, agency, area),
        "calls": _calls(session, start, end, agency),
        "victims_online": _victims_online(session, start, end, agency, area),
    }


def _victims_online(session: Session, start: datetime, end: datetime, agency: str, area: str | None
                    ) -> dict[str, Any]:
    """Updates read on the victims' own page and the change in 101 update requests (victims/portal_measures.py);
    empty for another agency (the page and the 101 line are the force's)."""
    from bluelamp.victims import portal_measures

    if agency != "police":
        return portal_measures.online(session, start, start)
    return portal_measures.online(session, start, end, area)


def _calls(session: Session, start: datetime, end: datetime, agency: str) -> dict[str, Any]:
    """999 and 101 (and emergencySMS, Relay UK) from call events and imported hours (telephony/measures.py).

    Phone lines are the force's, not an area's: the block is force-wide whatever `area` says; another
    agency's figures have no calls of ours.
    """
    from bluelamp.telephony import measures as calls

    if agency != "police":
        return calls.calls(session, start, start)
    return calls.calls(session, start, end)


def late_entered_times(session: Session, start: datetime, end: datetime, agency: str = "police",
                       area: str | None = None) -> dict[str, Any]:
    """Stage times entered late (with a reason) for incidents in the period, beside the attendance
    figures they feed: a reader sees how many of the times behind "within target" were typed in after
    the event. By stage and by grade; `incidents` counts incidents with any late time."""
    from bluelamp.response.store import Assignment

    rows = session.execute(select(Incident.id, Incident.grade, Assignment.late)
                           .join(Assignment, Assignment.incident_id == Incident.id)
                           .where(*_filters(agency, start, end, area), Assignment.late.is_not(None))).all()
    by_stage = {"dispatched": 0, "en_route": 0, "arrived": 0}
    by_grade: dict[str, int] = {}
    incidents: set[int] = set()
    for incident_id, grade, late in rows:
        for stage in (late or {}):
            if stage in by_stage:
                by_stage[stage] += 1
                by_grade[str(grade)] = by_grade.get(str(grade), 0) + 1
                incidents.add(incident_id)
    return {"count": sum(by_stage.values()), "by_stage": by_stage, "by_grade": by_grade,
            "incidents": len(incidents)}


def to_csv_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per grade and location (all, urban, rural) for `--format csv`."""
    rows = []
    for grade, entry in result["attendance"].items():
        for loc in ("all", "urban", "rural"):
            figures = entry if loc == "all" else entry[loc]
            rows.append({"from": result["from"], "to": result["to"], "agency": result["agency"],
                         "area": result["area"] or "", "grade": grade, "location": loc,
                         **{f: figures[f] for f in FIELDS}})
    return rows
