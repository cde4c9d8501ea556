"""The force's own demand history from the database: contacts per local day or hour, by channel and area.

Days are counted in SQL (SQLAlchemy Core, one GROUP BY, on SQLite and PostgreSQL alike); hours are
counted in Python with pandas from the contacts' times over a recent window. Days and hours are local
(the force's time zone, `settings.timezone`): PostgreSQL converts with its time-zone database; SQLite,
which has none, adds each period's UTC offset (worked out from `zoneinfo` for the range asked).
On the autumn change the repeated local hour is counted once with both hours' contacts; the spring hour
that does not exist is a zero.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import case, func, literal, select
from sqlalchemy.engine import Connection

from bluelamp.config import get_settings
from bluelamp.contact.store import Contact

CHANNELS = ("999", "101", "chat", "online")
UNKNOWN_AREA = "unknown"
ALL = "*"


def zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def _bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start of `first` and UTC end of `last` (local days)."""
    return (datetime.combine(first, time(0), tz).astimezone(UTC),
            datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC))


def _offsets(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[datetime, int]]:
    """(UTC end of a period, its UTC offset in minutes) for each period of constant offset in the range."""
    periods: list[tuple[datetime, int]] = []
    t = start.replace(minute=0, second=0, microsecond=0)
    current = int(t.astimezone(tz).utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    while t < end:
        t += timedelta(hours=1)
        off = int(t.astimezone(tz).utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
        if off != current:
            periods.append((t, current))
            current = off
    periods.append((end + timedelta(days=1), current))
    return periods


def _local_day(conn: Connection, start: datetime, end: datetime, tz: ZoneInfo) -> Any:
    col = Contact.__table__.c.received_at
    if conn.dialect.name == "postgresql":
        return func.date(func.timezone(tz.key, col))
    periods = _offsets(start, end, tz)
    if len(periods) == 1:
        shift: Any = literal(f"{periods[0][1]:+d} minutes")
    else:
        shift = case(*[(col < until, f"{off:+d} minutes") for until, off in periods[:-1]],
                     else_=f"{periods[-1][1]:+d} minutes")
    return func.date(col, shift)


def daily_counts(conn: Connection, first: date, last: date) -> pd.DataFrame:
    """Contacts per local day from `first` to `last` (inclusive) by (area, channel); zeros filled.

    Columns are (area, channel) tuples for every pair seen; a contact without an area counts under
    "unknown". The index is the days (naive dates), every day of the range present.
    """
    tz = zone()
    start, end = _bounds(first, last, tz)
    t = Contact.__table__
    day = _local_day(conn, start, end, tz).label("day")
    area = func.coalesce(t.c.area, UNKNOWN_AREA).label("area")
    q = (select(day, area, t.c.channel, func.count().label("n"))
         .where(t.c.received_at >= start, t.c.received_at < end)
         .group_by(day, area, t.c.channel))
    rows = conn.execute(q).all()
    days = pd.date_range(first, last, freq="D")
    if not rows:
        return pd.DataFrame(index=days)
    frame = pd.DataFrame(rows, columns=["day", "area", "channel", "n"])
    frame["day"] = pd.to_datetime(frame["day"].astype(str))
    wide = frame.pivot_table(index="day", columns=["area", "channel"], values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(days, fill_value=0).astype(float)
    wide.columns = pd.Index([(str(a), str(c)) for a, c in wide.columns])
    return wide


def hourly_counts(conn: Connection, first: date, last: date, channel: str | None = None,
                  area: str | None = None) -> pd.DataFrame:
    """Contacts per local hour from `first` to `last` (inclusive) by channel, counted with pandas."""
    tz = zone()
    start, end = _bounds(first, last, tz)
    t = Contact.__table__
    q = select(t.c.received_at, t.c.channel).where(t.c.received_at >= start, t.c.received_at < end)
    if channel:
        q = q.where(t.c.channel == channel)
    if area:
        q = q.where(func.coalesce(t.c.area, UNKNOWN_AREA) == area)
    rows = conn.execute(q).all()
    hours = pd.date_range(pd.Timestamp(first), pd.Timestamp(last) + pd.Timedelta(hours=23), freq="h")
    if not rows:
        return pd.DataFrame(index=hours)
    frame = pd.DataFrame(rows, columns=["received_at", "channel"])
    local = pd.to_datetime(frame["received_at"], utc=True).dt.tz_convert(tz).dt.tz_localize(None)
    frame["hour"] = local.dt.floor("h")
    wide = frame.groupby(["hour", "channel"]).size().unstack(fill_value=0)
    wide = wide.reindex(hours, fill_value=0).astype(float)
    wide.columns = pd.Index([str(c) for c in wide.columns])
    return wide


def select_series(daily: pd.DataFrame, channel: str | None = None, area: str | None = None) -> pd.Series:
    """One series (force, a channel, an area, or both) summed from the (area, channel) columns."""
    cols = [k for k in daily.columns if (not channel or k[1] == channel) and (not area or k[0] == area)]
    return daily[cols].sum(axis=1) if cols else pd.Series(0.0, index=daily.index)


def first_contact_day(conn: Connection) -> date | None:
    """The local day of the earliest contact, or None for an empty database."""
    first = conn.execute(select(func.min(Contact.__table__.c.received_at))).scalar_one_or_none()
    if first is None:
        return None
    if isinstance(first, str):
        first = datetime.fromisoformat(first)
    if first.tzinfo is None:
        first = first.replace(tzinfo=UTC)
    return first.astimezone(zone()).date()
