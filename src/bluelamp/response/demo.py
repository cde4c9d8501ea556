"""Units on shift and realistic dispatch and arrival times for the demo force.

For the demo-force engineer (`bluelamp demo`): create the contacts and their incidents first (the
incidents with `source="demo"`, an `area`, and `lat`/`lon` where known), then call

    seed_units_and_dispatch(db, random.Random(seed), start, end)

with the same period. It
  1. creates a fleet of units (response cars and neighbourhood units per area, force-wide firearms,
     dog and traffic units), on a shift that covers `end`, positioned around each area's incidents;
  2. gives every incident of grades 1-3 received in [start, end) that has no dispatch yet realistic
     dispatch, en-route, arrival and closing times (log-normal times to arrival per grade and
     urban/rural, about 88% of emergencies within target, a few never attended);
  3. leaves the incidents of the last `open_window` before `end` open in the state their times reach
     by `end`, with a unit assigned, so the board is alive when the demo starts.

It is idempotent: units that exist are kept, incidents that already have times are left alone.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.db.engine import Database
from bluelamp.response.store import Assignment, Incident, Unit

CENTRE = (52.806, -2.117)  # used when no incident has a position
ACTOR = "system:demo"


@dataclass(frozen=True)
class Arrival:
    """Log-normal time from call to arrival: its median and 90th percentile in seconds."""

    median_s: float
    p90_s: float

    def draw(self, rng: random.Random) -> float:
        sigma = math.log(self.p90_s / self.median_s) / 1.2816
        return rng.lognormvariate(math.log(self.median_s), sigma)


ARRIVALS = {
    (1, True): Arrival(540, 1000), (1, False): Arrival(780, 1400),
    (2, True): Arrival(1900, 4200), (2, False): Arrival(2400, 5000),
}
NEVER_ATTENDED = {1: 0.01, 2: 0.04, 3: 0.08}  # cancelled or resolved before anyone arrived


def seed_units_and_dispatch(target: Database | Session, rng: random.Random, start: datetime, end: datetime, *,
                            source: str = "demo", response_cars_per_area: int = 10,
                            open_window: timedelta = timedelta(minutes=90)) -> dict[str, int]:
    """Create units and give demo incidents their dispatch and arrival times; returns counts."""
    start, end = clock.as_utc(start), clock.as_utc(end)
    if isinstance(target, Session):
        return _seed(target, rng, start, end, source, response_cars_per_area, open_window)
    with target.unit_of_work() as session:
        return _seed(session, rng, start, end, source, response_cars_per_area, open_window)


def _seed(session: Session, rng: random.Random, start: datetime, end: datetime, source: str,
          cars: int, open_window: timedelta) -> dict[str, int]:
    units = _create_units(session, rng, end, source, cars)
    timed = _time_incidents(session, rng, start, end, source, open_window)
    opened = _assign_open(session, rng, end, source)
    from bluelamp.audit import service as audit

    audit.record(session, ACTOR, "demo.response_seeded", "demo", source,
                 after={"units": units, "incidents_timed": timed, "open_assigned": opened})
    return {"units": units, "incidents_timed": timed, "open_assigned": opened}


def _areas(session: Session, source: str) -> list[tuple[str, float, float]]:
    rows = session.execute(
        select(Incident.area, func.avg(Incident.lat), func.avg(Incident.lon))
        .where(Incident.source == source).group_by(Incident.area)).all()
    out = [(a or "force", lat if lat is not None else CENTRE[0], lon if lon is not None else CENTRE[1])
           for a, lat, lon in rows]
    return out or [("force", *CENTRE)]


def _create_units(session: Session, rng: random.Random, end: datetime, source: str, cars: int) -> int:
    existing = set(session.execute(select(Unit.call_sign)).scalars())
    shift_start = end - timedelta(hours=rng.uniform(1, 6))
    shift_end = shift_start + timedelta(hours=10)
    plan: list[tuple[str, str, list[str], str, float, float]] = []
    areas = _areas(session, source)
    for n, (area, lat, lon) in enumerate(areas):
        code = "".join(ch for ch in area.upper() if ch.isalnum())[:2] or f"A{n}"
        for k in range(cars):
            plan.append((f"{code}{n}-R{k + 1}", "response_car", ["driving_response"], area, lat, lon))
        for k in range(2):
            plan.append((f"{code}{n}-N{k + 1}", "neighbourhood", [], area, lat, lon))
    centre = areas[0]
    for k, (kind, skills) in enumerate([("firearms", ["firearms", "driving_response"])] * 2
                                       + [("dog", ["dog"]), ("traffic", ["driving_response", "rtc"])] * 2):
        plan.append((f"F-{kind[:3].upper()}{k + 1}", kind, skills, "force", centre[1], centre[2]))
    made = 0
    for call_sign, kind, skills, area, lat, lon in plan:
        if call_sign in existing:
            continue
        session.add(Unit(call_sign=call_sign, unit_type=kind, skills=skills, status="available",
                         lat=lat + rng.gauss(0, 0.02), lon=lon + rng.gauss(0, 0.03), area=area,
                         shift_start=shift_start, shift_end=shift_end, updated_at=end))
        made += 1
    session.flush()
    return made


def _times(rng: random.Random, grade: int, urban: bool, received: datetime,
           attend_by: datetime | None) -> dict[str, datetime | None]:
    if rng.random() < NEVER_ATTENDED.get(grade, 0.05):
        dispatched = received + timedelta(seconds=rng.uniform(60, 900))
        return {"dispatched_at": dispatched, "enroute_at": dispatched + timedelta(seconds=30), "arrived_at": None,
                "closed_at": dispatched + timedelta(minutes=rng.uniform(5, 40))}
    if grade not in (1, 2):
        # Appointments: mostly kept, some late. Officers set off shortly before the appointment, so an
        # appointment tomorrow is "awaiting" today, never "en route" for a day.
        window = ((attend_by - received).total_seconds() if attend_by else 48 * 3600)
        total = window * (rng.uniform(0.05, 0.98) if rng.random() > 0.06 else rng.uniform(1.0, 1.3))
        arrived = received + timedelta(seconds=total)
        dispatched = max(received + timedelta(minutes=5), arrived - timedelta(minutes=rng.uniform(12, 35)))
        return {"dispatched_at": dispatched, "enroute_at": dispatched + timedelta(seconds=rng.uniform(30, 120)),
                "arrived_at": arrived, "closed_at": arrived + timedelta(seconds=rng.lognormvariate(math.log(2700), 0.6))}
    total = ARRIVALS[(grade, urban)].draw(rng)
    wait = total * rng.uniform(0.1, 0.45)
    dispatched = received + timedelta(seconds=wait)
    enroute = dispatched + timedelta(seconds=min(rng.uniform(10, 90), (total - wait) / 2))
    arrived = received + timedelta(seconds=total)
    return {"dispatched_at": dispatched, "enroute_at": enroute, "arrived_at": arrived,
            "closed_at": arrived + timedelta(seconds=rng.lognormvariate(math.log(2700), 0.6))}


def _time_incidents(session: Session, rng: random.Random, start: datetime, end: datetime, source: str,
                    open_window: timedelta) -> int:
    rows = session.execute(
        select(Incident.id, Incident.grade, Incident.urban, Incident.received_at, Incident.attend_by)
        .where(Incident.source == source, Incident.received_at >= start, Incident.received_at < end,
               Incident.grade.in_((1, 2, 3)), Incident.dispatched_at.is_(None), Incident.status != "closed")
        .order_by(Incident.id)).all()
    table: Table = Incident.__table__  # type: ignore[assignment]
    stmt = (update(table).where(table.c.id == bindparam("_id"))
            .values(status=bindparam("_status"), dispatched_at=bindparam("_d"), enroute_at=bindparam("_e"),
                    arrived_at=bindparam("_a"), closed_at=bindparam("_c")))
    batch: list[dict[str, Any]] = []
    for incident_id, grade, urban, received, attend_by in rows:
        t = _times(rng, grade, bool(urban), received, attend_by)
        if received >= end - open_window or (t["closed_at"] or end) > end:
            t = {k: (v if v is not None and v <= end else None) for k, v in t.items()}
        status = _status(t)
        batch.append({"_id": incident_id, "_status": status, "_d": t["dispatched_at"], "_e": t["enroute_at"],
                      "_a": t["arrived_at"], "_c": t["closed_at"]})
        if len(batch) >= 5000:
            session.execute(stmt, batch)
            batch = []
    if batch:
        session.execute(stmt, batch)
    return len(rows)


def _status(t: dict[str, datetime | None]) -> str:
    if t["closed_at"] is not None:
        return "closed"
    if t["arrived_at"] is not None:
        return "at_scene"
    if t["enroute_at"] is not None:
        return "en_route"
    return "dispatched" if t["dispatched_at"] is not None else "awaiting"


# At most this share of an area's response cars is committed when the demo starts: a force keeps cars
# free for the next emergency, so a grade-1 job is recommended a response car, not a dog unit.
MAX_COMMITTED = 0.6


def _assign_open(session: Session, rng: random.Random, end: datetime, source: str) -> int:
    """Give each open demo incident that has been dispatched a unit, so units and incidents agree.

    Most urgent first, within each area's cap of committed cars. An incident left without a unit is
    queued (awaiting) if no one has arrived yet, and finished a few minutes ago if someone had."""
    incidents = list(session.execute(
        select(Incident).where(Incident.source == source, Incident.status.in_(("dispatched", "en_route", "at_scene")))
        .order_by(Incident.grade, Incident.received_at)).scalars())
    units = list(session.execute(
        select(Unit).where(Unit.unit_type.in_(("response_car", "neighbourhood"))).order_by(Unit.call_sign)).scalars())
    rng.shuffle(units)
    cap: dict[str, int] = {}
    for u in units:
        cap[u.area or "force"] = cap.get(u.area or "force", 0) + 1
    cap = {a: int(n * MAX_COMMITTED) for a, n in cap.items()}
    used = {a: sum(1 for u in units if (u.area or "force") == a and u.status != "available") for a in cap}
    free = [u for u in units if u.status == "available"]
    done = 0
    for incident in incidents:
        has = session.execute(select(Assignment.id).where(Assignment.incident_id == incident.id)).first()
        if has:
            continue
        area = incident.area or "force"
        pick = next((u for u in free if (u.area or "force") == area and used.get(area, 0) < cap.get(area, 0)), None)
        if pick is None:
            pick = next((u for u in free if used.get(u.area or "force", 0) < cap.get(u.area or "force", 0)), None)
        if pick is None:
            _unassigned(incident, rng, end)
            continue
        free.remove(pick)
        used[pick.area or "force"] = used.get(pick.area or "force", 0) + 1
        assert incident.dispatched_at is not None
        session.add(Assignment(incident_id=incident.id, unit_id=pick.id, dispatched_at=incident.dispatched_at,
                               enroute_at=incident.enroute_at, arrived_at=incident.arrived_at,
                               dispatched_by=ACTOR))
        pick.status = "at_scene" if incident.arrived_at else "dispatched"
        pick.incident_id = incident.id
        if incident.lat is not None and incident.arrived_at:
            pick.lat, pick.lon = incident.lat, incident.lon
        done += 1
    session.flush()
    return done


def _unassigned(incident: Incident, rng: random.Random, end: datetime) -> None:
    if incident.arrived_at is not None:
        incident.status = "closed"
        incident.closed_at = min(end, incident.arrived_at + timedelta(minutes=rng.uniform(20, 60)))
        return
    incident.status, incident.dispatched_at, incident.enroute_at = "awaiting", None, None
