"""Pure rules of the response context: the lifecycle, attendance clocks, travel estimates, unit ranking.

Standard library only: everything here is tested without a database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

STATUSES = ("awaiting", "dispatched", "en_route", "at_scene", "closed")
OPEN_STATUSES = STATUSES[:-1]
UNIT_TYPES = ("response_car", "neighbourhood", "firearms", "dog", "traffic")
UNIT_STATUSES = ("available", "dispatched", "at_scene", "busy", "off_duty")

# Seconds of time left under which an incident counts as about to breach (the board shows it amber).
ABOUT_TO_BREACH_S = 5 * 60
# A stage time more than this far in the future is a wrong clock, not a fast unit.
FUTURE_TOLERANCE = timedelta(minutes=2)


class ResponseError(ValueError):
    """A response action cannot be done; `field` names what is wrong and `status` the HTTP answer."""

    def __init__(self, message: str, field: str = "body", status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


# --- attendance clocks -----------------------------------------------------------------------------


def seconds_left(attend_by: datetime | None, now: datetime) -> float | None:
    """Seconds until the attend-by time (negative once breached); None when there is no clock."""
    if attend_by is None:
        return None
    return (attend_by - now).total_seconds()


def clock_state(attend_by: datetime | None, arrived_at: datetime | None, now: datetime) -> str:
    """`met`, `breached`, `about_to_breach`, `running` or `none` for the board's colours."""
    if attend_by is None:
        return "none"
    if arrived_at is not None:
        return "met" if arrived_at <= attend_by else "breached"
    left = (attend_by - now).total_seconds()
    if left < 0:
        return "breached"
    return "about_to_breach" if left <= ABOUT_TO_BREACH_S else "running"


def check_stage_time(at: datetime, after: datetime | None, now: datetime, what: str, after_what: str) -> datetime:
    """A stage time must carry a zone, not lie in the future, and not precede the stage before it."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ResponseError(f"{what} time must carry a time zone (e.g. 2026-03-01T21:14:05Z)", "at")
    if at - now > FUTURE_TOLERANCE:
        raise ResponseError(f"{what} time is in the future: check the clock's time zone", "at")
    if after is not None and at < after:
        raise ResponseError(f"{what} time is before the {after_what} time", "at")
    return at


# --- travel ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TravelModel:
    """Straight-line distance made into a road estimate, at an urban or a rural blue-light speed.

    Road distance is about 1.3 times the straight line in England (the usual circuity factor);
    a response car averages about 40 km/h on urban roads and 70 km/h on rural ones under blue lights;
    turnout (getting to the car and moving) is a fixed minute.
    """

    urban_kmh: float = 40.0
    rural_kmh: float = 70.0
    circuity: float = 1.3
    turnout_s: float = 60.0

    def eta_s(self, distance_km: float, urban: bool) -> float:
        speed = self.urban_kmh if urban else self.rural_kmh
        return self.turnout_s + distance_km * self.circuity / speed * 3600.0


EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# --- recommendation ------------------------------------------------------------------------------


class UnitView(NamedTuple):
    """What ranking needs to know about a unit (a named tuple: hundreds are built per recommendation)."""

    id: int
    call_sign: str
    unit_type: str
    skills: frozenset[str]
    status: str
    lat: float | None
    lon: float | None
    shift_start: datetime | None = None
    shift_end: datetime | None = None
    position_at: datetime | None = None  # when lat/lon were taken (AVL); None: unknown

    def on_shift(self, now: datetime) -> bool:
        return (self.shift_start is None or self.shift_start <= now) and (self.shift_end is None or now < self.shift_end)


class IncidentView(NamedTuple):
    """What ranking needs to know about an incident."""

    id: int
    grade: int
    urban: bool
    lat: float | None
    lon: float | None
    attend_by: datetime | None
    required_skills: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    """One ranked unit with its estimated arrival."""

    unit_id: int
    call_sign: str
    unit_type: str
    distance_km: float | None
    eta_s: float | None
    arrives_by: datetime | None
    makes_target: bool | None
    reserved_for: int | None = None  # a waiting grade-1 incident this unit is the best answer for
    position_age_s: float | None = None  # age of the position the estimate is from (None: time unknown)
    position_stale: bool | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "unit_id": self.unit_id, "call_sign": self.call_sign, "unit_type": self.unit_type,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 2),
            "eta_s": None if self.eta_s is None else round(self.eta_s),
            "arrives_by": self.arrives_by.isoformat().replace("+00:00", "Z") if self.arrives_by else None,
            "makes_target": self.makes_target, "reserved_for": self.reserved_for,
            "position_age_s": None if self.position_age_s is None else round(self.position_age_s),
            "position_stale": self.position_stale,
        }


@dataclass
class Recommendation:
    """Suitable available units, best first, and any warnings for the dispatcher."""

    incident_id: int
    candidates: list[Candidate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    target: dict[str, object] | None = None  # the attendance target and whether the best unit meets it

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def to_dict(self) -> dict[str, object]:
        best = self.best
        return {"incident_id": self.incident_id, "recommended_unit_id": best.unit_id if best else None,
                "candidates": [c.to_dict() for c in self.candidates], "warnings": list(self.warnings),
                "target": self.target}


# Unit types that answer each grade; specialists answer emergencies but are not spent on routine work.
TYPES_FOR_GRADE: dict[int, frozenset[str]] = {
    1: frozenset(UNIT_TYPES),
    2: frozenset({"response_car", "neighbourhood", "traffic", "dog"}),
    3: frozenset({"response_car", "neighbourhood"}),
    4: frozenset({"response_car", "neighbourhood"}),
}


# With no estimate of arrival, general response units come before specialists (a dog unit is not the
# first answer to a grade-1 call just because no position is known).
TYPE_PREFERENCE: dict[str, int] = {"response_car": 0, "traffic": 1, "neighbourhood": 2, "firearms": 3, "dog": 4}


def suitable(unit: UnitView, incident: IncidentView, now: datetime) -> bool:
    """Available, on shift, of a type that answers this grade, with every skill the incident needs."""
    return (unit.status == "available" and unit.on_shift(now)
            and unit.unit_type in TYPES_FOR_GRADE.get(incident.grade, frozenset(UNIT_TYPES))
            and incident.required_skills <= unit.skills)


def _estimate(unit: UnitView, incident: IncidentView, travel: TravelModel) -> tuple[float | None, float | None]:
    if None in (unit.lat, unit.lon, incident.lat, incident.lon):
        return None, None
    d = haversine_km(unit.lat, unit.lon, incident.lat, incident.lon)  # type: ignore[arg-type]
    return d, travel.eta_s(d, incident.urban)


def best_unit_for(incident: IncidentView, units: Sequence[UnitView], now: datetime,
                  travel: TravelModel) -> int | None:
    """The id of the fastest suitable unit, or None.

    For one incident the estimate grows with distance alone, so the nearest unit is the fastest; an
    equirectangular distance (one cosine per incident) ranks them as haversine does at this scale.
    """
    best: tuple[float, int] | None = None
    if incident.lat is None or incident.lon is None:
        return min((u.id for u in units if suitable(u, incident, now)), default=None)
    k = math.cos(math.radians(incident.lat))
    for unit in units:
        if unit.lat is None or unit.lon is None or not suitable(unit, incident, now):
            continue
        key = ((unit.lat - incident.lat) ** 2 + ((unit.lon - incident.lon) * k) ** 2, unit.id)
        if best is None or key < best:
            best = key
    return best[1] if best else None


def recommend(
    incident: IncidentView,
    units: Sequence[UnitView],
    now: datetime,
    travel: TravelModel | None = None,
    waiting_grade1: Iterable[IncidentView] = (),
    limit: int = 10,
    stale_after_s: float | None = None,
) -> Recommendation:
    """Rank the available suitable units by estimated arrival, grade 1 taking precedence.

    For an incident below grade 1, a unit that is the fastest answer to a grade-1 incident still
    waiting for a unit is ranked after every other unit and marked `reserved_for` that incident.
    A warning is given when no unit can arrive before the attend-by time, or none is suitable.
    """
    travel = travel or TravelModel()
    reserved: dict[int, int] = {}
    if incident.grade > 1:
        for other in waiting_grade1:
            if other.id == incident.id:
                continue
            fastest = best_unit_for(other, units, now, travel)
            if fastest is not None:
                reserved.setdefault(fastest, other.id)
    result = Recommendation(incident_id=incident.id)
    ranked: list[tuple[int, float, int, str, UnitView, float | None]] = []
    for unit in units:
        if not suitable(unit, incident, now):
            continue
        distance, eta = _estimate(unit, incident, travel)
        ranked.append((1 if unit.id in reserved else 0, eta if eta is not None else math.inf,
                       TYPE_PREFERENCE.get(unit.unit_type, 9), unit.call_sign, unit, distance))
    # Only the shown candidates are built; sorting plain tuples is the cheap part.
    for _, eta_key, _, _, unit, distance in sorted(ranked, key=lambda r: r[:4])[:limit]:
        eta = None if eta_key == math.inf else eta_key
        arrives = now + timedelta(seconds=eta) if eta is not None else None
        makes = None if (arrives is None or incident.attend_by is None) else arrives <= incident.attend_by
        age = None if unit.position_at is None or unit.lat is None else (now - unit.position_at).total_seconds()
        stale = None if age is None or stale_after_s is None else age > stale_after_s
        result.candidates.append(Candidate(unit.id, unit.call_sign, unit.unit_type, distance, eta, arrives, makes,
                                           reserved.get(unit.id), age, stale))
    if not result.candidates:
        result.warnings.append("no suitable unit is available: consider diverting a unit from a lower-grade incident")
        return result
    if incident.lat is None or incident.lon is None:
        result.warnings.append("the incident has no position: arrival times cannot be estimated")
    elif incident.attend_by is not None and not any(c.makes_target for c in result.candidates):
        best = result.candidates[0]
        left = (incident.attend_by - now).total_seconds()
        result.warnings.append(
            f"no available unit can arrive within the target: best estimate {_mins(best.eta_s)} "
            f"({best.call_sign}), {_mins(left) if left > 0 else 'none'} left")
    stale_best = [c for c in result.candidates[:3] if c.position_stale]
    if stale_best:
        result.warnings.append("stale position: " + ", ".join(
            f"{c.call_sign} last reported {_mins(c.position_age_s)} ago" for c in stale_best)
            + "; its arrival estimate may be wrong")
    if result.candidates[0].reserved_for is not None:
        result.warnings.append(f"every suitable unit is the best answer to waiting grade-1 incident "
                               f"{result.candidates[0].reserved_for}")
    return result


def _mins(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    return f"{max(0, round(seconds / 60))} min"


# --- percentiles (shared by the measures and the independent checks) -------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Linear-interpolation percentile (numpy's default, PostgreSQL's percentile_cont); None if empty."""
    n = len(sorted_values)
    if n == 0:
        return None
    pos = (n - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)
