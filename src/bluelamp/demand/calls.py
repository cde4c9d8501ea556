"""Calls offered on a phone line as demand history (issue 16 item 2): the same shape as the contacts'
history (`overview.series`), so the forecast can be fed either.

The phone system counts every call offered, answered or not; contacts count only what a handler
recorded. Hours come from `telephony.measures.offered_series` (call events and imported hourly reports,
each hour once) and are shown in local time like the contacts' history: the repeated autumn hour holds
both hours' calls, the spring hour that does not exist is a zero. History starts at the first hour the
line has any data (before the feed or the first report there is nothing to count, not zeros).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.demand import history
from bluelamp.demand.overview import DAILY_DAYS, HOURLY_DAYS
from bluelamp.demand.series import DemandInputError
from bluelamp.telephony.model import LINES


def offered_history(session: Session, line: str, freq: str = "D", as_of: datetime | None = None) -> pd.Series:
    """Calls offered on `line` per local hour (eight weeks), day (two years) or week, up to yesterday."""
    from bluelamp.telephony import measures

    if line not in LINES:
        raise DemandInputError(f"channel must be a phone line ({', '.join(LINES)}) when source is calls")
    tz = history.zone()
    today = (as_of or clock.now()).astimezone(tz).date()
    days = HOURLY_DAYS if freq in ("H", "h") else DAILY_DAYS
    start, end = history._bounds(today - timedelta(days=days), today - timedelta(days=1), tz)
    hourly = measures.offered_series(session, line, start, end)
    first = next((i for i, (_, n) in enumerate(hourly) if n), None)
    if first is None:
        return pd.Series(dtype=float)
    stamps = pd.DatetimeIndex([t for t, _ in hourly[first:]]).tz_convert(tz.key).tz_localize(None)
    values = pd.Series([float(n) for _, n in hourly[first:]], index=stamps).groupby(level=0).sum()
    if freq in ("H", "h"):
        return values.reindex(pd.date_range(values.index[0], values.index[-1], freq="h"), fill_value=0.0)
    if values.index[0].hour != 0:
        values = values[values.index >= values.index[0].normalize() + pd.Timedelta(days=1)]  # whole days only
    if values.empty:
        return pd.Series(dtype=float)
    daily = values.resample("D").sum()
    if freq == "W":
        weeks = daily.resample("W-SUN", label="left", closed="left")
        daily = weeks.sum()[weeks.count() == 7]
    return daily
