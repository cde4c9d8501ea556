"""Unit positions from the force's vehicle-location feed (AVL): checked item by item, stored in bulk.

A batch is one transaction: every good item is kept in `unit_position`, each unit's newest position
goes on the unit row (only when newer than the one it has: a late packet never moves a unit back),
and one audit entry records the batch. A bad item (unknown unit, time in the future or without a
zone, coordinates outside the UK) is rejected with its index and nothing of it is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, text, update
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.db.base import table
from bluelamp.identity.model import Principal
from bluelamp.location.model import in_uk
from bluelamp.location.store import UnitPosition
from bluelamp.policy import Policy, load_policy
from bluelamp.response.store import Unit

MAX_BATCH = 5000


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _check(i: int, item: Any, now: datetime, future: timedelta) -> tuple[str, float, float, datetime] | str:
    """The item's (call sign, lat, lon, at), or why it is rejected."""
    if not isinstance(item, dict):
        return "an item is an object with unit, lat, lon and at"
    extra = set(item) - {"unit", "lat", "lon", "at"}
    if extra:
        return f"{sorted(extra)[0]}: unknown field"
    unit = item.get("unit")
    if not isinstance(unit, str) or not unit.strip() or len(unit) > 32:
        return "unit: the unit's call sign (text, at most 32 characters)"
    lat, lon = _number(item.get("lat")), _number(item.get("lon"))
    if lat is None or lon is None:
        return "lat: lat and lon are numbers (WGS84 degrees)"
    if not in_uk(lat, lon):
        return "lat: the position is outside the UK"
    raw = item.get("at")
    if not isinstance(raw, str):
        return "at: an ISO-8601 time with its zone"
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return "at: not an ISO-8601 time"
    if at.tzinfo is None or at.utcoffset() is None:
        return "at: the time must carry a zone (e.g. 2026-03-01T21:14:05Z)"
    at = clock.as_utc(at)
    if at > now + future:
        return "at: the time is in the future: check the feed's clock"
    return unit.strip(), lat, lon, at


def ingest(session: Session, items: list[Any], principal: Principal, policy: Policy | None = None) -> dict[str, Any]:
    """Store a batch of positions; `{"accepted", "ignored", "rejected": [{"index", "detail"}]}`."""
    doc = (policy or load_policy()).doc("location").positions
    now = clock.now()
    future = timedelta(seconds=doc.max_future_seconds)
    checked: list[tuple[int, str, float, float, datetime]] = []
    rejected: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        result = _check(i, item, now, future)
        if isinstance(result, str):
            rejected.append({"index": i, "detail": result})
        else:
            checked.append((i, *result))
    signs = sorted({c[1] for c in checked})
    known: dict[str, tuple[int, datetime | None]] = {}
    if signs:
        for uid, sign, at in session.execute(select(Unit.id, Unit.call_sign, Unit.position_at)
                                             .where(Unit.call_sign.in_(signs))):
            known[sign] = (uid, clock.from_db(at))
    rows: list[dict[str, Any]] = []
    newest: dict[int, dict[str, Any]] = {}
    ignored = 0
    for i, sign, lat, lon, at in checked:
        if sign not in known:
            rejected.append({"index": i, "detail": f"unit: no unit has call sign {sign!r}"})
            continue
        uid, last = known[sign]
        if last is not None and at <= last:
            ignored += 1  # older than the unit's last position: kept out of the history too
            continue
        rows.append({"unit_id": uid, "at": at, "lat": lat, "lon": lon, "received_at": now})
        best = newest.get(uid)
        if best is None or at > best["b_at"]:
            newest[uid] = {"b_id": uid, "b_at": at, "b_lat": lat, "b_lon": lon}
    if rows:  # Core executemany (one multi-row INSERT): the ORM's bulk layer costs CPU for nothing here
        session.execute(insert(table(UnitPosition)), rows)
        _move_units(session, list(newest.values()))
    rejected.sort(key=lambda r: r["index"])
    audit.record(session, principal.actor, "unit.positions_received", "unit", None, after={
        "accepted": len(rows), "ignored": ignored, "rejected": len(rejected), "units": len(newest)})
    return {"accepted": len(rows), "ignored": ignored, "rejected": rejected}


def _move_units(session: Session, fixes: list[dict[str, Any]]) -> None:
    """Each unit's newest fix onto its row; only a newer fix moves a unit, so concurrent or late
    batches never move it back."""
    table = Unit.__table__  # type: Any
    newer = or_(table.c.position_at.is_(None), table.c.position_at < bindparam("b_at"))
    if session.get_bind().dialect.name != "postgresql":  # SQLite: executemany costs no round trips
        stmt = (update(table).where(table.c.id == bindparam("b_id"), newer)
                .values(lat=bindparam("b_lat"), lon=bindparam("b_lon"), position_at=bindparam("b_at")))
        session.connection().execute(stmt, fixes)
        return
    # PostgreSQL: one UPDATE ... FROM unnest(arrays) for the batch: one round trip, and one statement
    # text whatever the batch size, so it is compiled once (a VALUES list is compiled again for every
    # batch, which cost more CPU than the rest of the ingest together).
    session.execute(_MOVE_UNITS_PG, {
        "ids": [f["b_id"] for f in fixes], "ats": [f["b_at"] for f in fixes],
        "lats": [f["b_lat"] for f in fixes], "lons": [f["b_lon"] for f in fixes]})


_MOVE_UNITS_PG = text(
    "UPDATE unit SET lat = fix.lat, lon = fix.lon, position_at = fix.at "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:ats AS timestamptz[]), CAST(:lats AS float8[]), "
    "CAST(:lons AS float8[])) AS fix(id, at, lat, lon) "
    "WHERE unit.id = fix.id AND (unit.position_at IS NULL OR unit.position_at < fix.at)")


def position_state(position_at: datetime | None, now: datetime, policy: Policy | None = None) -> dict[str, Any]:
    """A unit position's time, age and whether it is stale under the policy."""
    if position_at is None:
        return {"position_at": None, "position_age_s": None, "position_stale": None}
    limit = (policy or load_policy()).doc("location").positions.stale_after_minutes * 60
    age = (now - clock.as_utc(position_at)).total_seconds()
    return {"position_at": clock.iso(position_at), "position_age_s": round(age), "position_stale": age > limit}
