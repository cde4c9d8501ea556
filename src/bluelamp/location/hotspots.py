"""Hotspots: street-level crime counted by policing area or by h3 hexagon, by month and crime type,
with the live demand (incidents with a position) counted the same way beside it."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import h3
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bluelamp.config import get_settings
from bluelamp.location.store import StreetCrime
from bluelamp.policy import load_policy
from bluelamp.response.store import Incident


def cell_of(lat: float, lon: float, resolution: int | None = None) -> str:
    res = resolution or load_policy().doc("location").hotspots.h3_resolution
    return str(h3.latlng_to_cell(lat, lon, res))


def _boundary(cell: str) -> list[list[float]]:
    return [[round(lat, 6), round(lon, 6)] for lat, lon in h3.cell_to_boundary(cell)]


def hotspots(session: Session, *, by: str = "hex", month: date | None = None, crime_type: str | None = None,
             resolution: int | None = None, limit: int = 500) -> dict[str, Any]:
    """Counts of street crime (and of incidents) by area or hexagon, largest first."""
    stored = load_policy().doc("location").hotspots.h3_resolution
    res = min(resolution or stored, stored)
    conds = []
    if month is not None:
        conds.append(StreetCrime.month == month.replace(day=1))
    if crime_type:
        conds.append(StreetCrime.crime_type == crime_type)
    crime: Counter[str] = Counter()
    if by == "area":
        for key, n in session.execute(select(StreetCrime.area, func.count()).where(*conds)
                                      .group_by(StreetCrime.area)):
            crime[key or "unknown"] += n
    else:
        for cell, n in session.execute(select(StreetCrime.h3_cell, func.count())
                                       .where(*conds, StreetCrime.h3_cell.is_not(None))
                                       .group_by(StreetCrime.h3_cell)):
            crime[str(cell) if res == stored else str(h3.cell_to_parent(cell, res))] += n
    demand: Counter[str] = Counter()
    inc_conds = [Incident.lat.is_not(None), Incident.lon.is_not(None), Incident.status != "merged"]
    if month is not None:
        first = month.replace(day=1)
        after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        zone = ZoneInfo(get_settings().timezone)  # the force's months, as data.police.uk counts them
        inc_conds += [Incident.received_at >= datetime.combine(first, time(0), zone),
                      Incident.received_at < datetime.combine(after, time(0), zone)]
    if by == "area":
        for key, n in session.execute(select(Incident.area, func.count()).where(*inc_conds).group_by(Incident.area)):
            demand[key or "unknown"] += n
    else:
        for lat, lon in session.execute(select(Incident.lat, Incident.lon).where(*inc_conds).limit(200_000)):
            demand[cell_of(lat, lon, res)] += 1  # type: ignore[arg-type]  # filtered non-null above
    keys = sorted(set(crime) | set(demand), key=lambda k: (-crime[k], -demand[k], k))[:limit]
    items = []
    for k in keys:
        item: dict[str, Any] = {"key": k, "crimes": crime[k], "incidents": demand[k]}
        if by == "hex":
            lat, lon = h3.cell_to_latlng(k)
            item.update(lat=round(lat, 6), lon=round(lon, 6), boundary=_boundary(k))
        items.append(item)
    types = [t for (t,) in session.execute(select(StreetCrime.crime_type).distinct().order_by(StreetCrime.crime_type))]
    months = [m.isoformat() for (m,) in session.execute(select(StreetCrime.month).distinct().order_by(StreetCrime.month))]
    return {"by": by, "resolution": res if by == "hex" else None, "month": month.isoformat() if month else None,
            "crime_type": crime_type, "items": items, "crime_types": types, "months": months,
            "total_crimes": sum(crime.values()), "total_incidents": sum(demand.values())}
