"""The call measures: 999 and 101 answer times and abandonment, from call events and imported hours.

Both sources are counted per line and UTC hour. An hour of a line covered by an imported report is
counted from the report alone and that hour's events are left out, so no call is counted twice (the
report is the platform's own full count of the hour; the feed may have started mid-hour or missed
events). Answer-time bands give the 10 s and 15 s shares for every hour; the mean and the 90th
percentile need each call's time, so they come from event hours only, and `timed_answered` says how
many answered calls are behind them. Shares are fractions of calls answered, the abandon rate of calls
offered; a figure with no data is null, never 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bluelamp.response.model import percentile
from bluelamp.telephony.model import LINES
from bluelamp.telephony.store import Call, CallHour

CONTRACT_LINES = ("999", "101")


@dataclass
class Hour:
    """One line's hour, from events or from a report."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    within_10: int = 0
    within_15: int = 0
    callback: int = 0
    answer_sum: float = 0.0
    timed: int = 0
    source: str = "events"

    def add(self, other: Hour) -> None:
        for name in ("offered", "answered", "abandoned", "within_10", "within_15", "callback", "timed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.answer_sum += other.answer_sum


@dataclass
class Block:
    """The figures of one line (or one bucket of a line) over a period."""

    total: Hour = field(default_factory=Hour)
    times: list[float] = field(default_factory=list)
    event_hours: int = 0
    report_hours: int = 0

    def as_dict(self) -> dict[str, Any]:
        t = self.total
        self.times.sort()
        p90 = percentile(self.times, 0.9)
        return {
            "offered": t.offered, "answered": t.answered, "abandoned": t.abandoned,
            "answered_within_10s": t.within_10,
            "share_within_10s": round(t.within_10 / t.answered, 4) if t.answered else None,
            "abandon_rate": round(t.abandoned / t.offered, 4) if t.offered else None,
            "answered_within_15s": t.within_15,
            "share_within_15s": round(t.within_15 / t.answered, 4) if t.answered else None,
            "mean_answer_s": round(t.answer_sum / t.timed, 1) if t.timed else None,
            "p90_answer_s": None if p90 is None else round(p90, 1),
            "timed_answered": t.timed, "callback_requested": t.callback,
            "hours_from_events": self.event_hours, "hours_from_reports": self.report_hours,
        }


def hours(session: Session, start: datetime, end: datetime,
          lines: tuple[str, ...] = LINES) -> dict[tuple[str, datetime], Hour]:
    """Every (line, UTC hour) with data in [start, end), a report's hour replacing the events' hour."""
    out: dict[tuple[str, datetime], Hour] = {}
    answered = Call.answer_s.is_not(None)
    q = (select(Call.line, Call.hour, func.count(), func.count().filter(answered),
                func.count().filter(Call.outcome == "abandoned"), func.count().filter(Call.answer_s <= 10),
                func.count().filter(Call.answer_s <= 15), func.count().filter(Call.outcome == "callback"),
                func.coalesce(func.sum(Call.answer_s), 0.0))
         .where(Call.hour >= start, Call.hour < end, Call.unoffered.is_(False), Call.line.in_(lines))
         .group_by(Call.line, Call.hour))
    for line, hour, n, ans, ab, w10, w15, cb, total in session.execute(q):
        assert hour is not None
        out[(line, hour)] = Hour(n, ans, ab, w10, w15, cb, float(total or 0.0), ans, "events")
    for r in session.execute(select(CallHour).where(CallHour.hour >= start, CallHour.hour < end,
                                                    CallHour.line.in_(lines))).scalars():
        b = r.bands
        out[(r.line, r.hour)] = Hour(r.offered, sum(b.values()), r.abandoned, b.get("10", 0),
                                     b.get("10", 0) + b.get("15", 0), 0, 0.0, 0, "report")
    return out


def _times(session: Session, start: datetime, end: datetime, event_hours: set[tuple[str, datetime]],
           lines: tuple[str, ...]) -> dict[tuple[str, datetime], list[float]]:
    """Each answered call's time, for the event hours only (a reported hour's events are not counted)."""
    out: dict[tuple[str, datetime], list[float]] = defaultdict(list)
    q = select(Call.line, Call.hour, Call.answer_s).where(
        Call.hour >= start, Call.hour < end, Call.unoffered.is_(False), Call.answer_s.is_not(None),
        Call.line.in_(lines))
    for line, hour, secs in session.execute(q):
        assert hour is not None and secs is not None
        if (line, hour) in event_hours:
            out[(line, hour)].append(float(secs))
    return out


def calls(session: Session, start: datetime, end: datetime, lines: tuple[str, ...] = LINES) -> dict[str, Any]:
    """The `calls` block of `report measures` and `GET /api/v1/measures`: one entry per line."""
    return {line: block.as_dict() for line, block in _blocks(session, start, end, lines, None).items()}


def _blocks(session: Session, start: datetime, end: datetime, lines: tuple[str, ...],
            bucket: Any) -> dict[Any, Block]:
    merged = hours(session, start, end, lines)
    events = {k for k, h in merged.items() if h.source == "events"}
    times = _times(session, start, end, events, lines)
    blocks: dict[Any, Block] = {line: Block() for line in lines} if bucket is None else {}
    for (line, hour), h in sorted(merged.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        key = line if bucket is None else (line, bucket(hour))
        block = blocks.setdefault(key, Block())
        block.total.add(h)
        block.times.extend(times.get((line, hour), ()))
        if h.source == "events":
            block.event_hours += 1
        else:
            block.report_hours += 1
    return blocks


def breakdown(session: Session, start: datetime, end: datetime, zone: ZoneInfo, by: str = "day",
              lines: tuple[str, ...] = CONTRACT_LINES) -> list[dict[str, Any]]:
    """The same figures per line and local day, local hour, or hour of the day (0-23, over the period)."""
    buckets = {
        "day": lambda h: h.astimezone(zone).date().isoformat(),
        "hour": lambda h: h.astimezone(zone).isoformat(),
        "hour_of_day": lambda h: h.astimezone(zone).hour,
    }
    if by not in buckets:
        raise ValueError("by must be day, hour or hour_of_day")
    blocks = _blocks(session, start, end, lines, buckets[by])
    return [{"line": line, by: key, **block.as_dict()}
            for (line, key), block in sorted(blocks.items(), key=lambda kv: kv[0])]


def offered_series(session: Session, line: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """Calls offered per UTC hour on a line over [start, end), zero-filled: history for the demand forecast.

    Events and imported reports alike, each hour counted once (see the module docstring).
    """
    merged = hours(session, start, end, (line,))
    first = start.replace(minute=0, second=0, microsecond=0)
    out = []
    at = first if first >= start else first + timedelta(hours=1)
    while at < end:
        h = merged.get((line, at))
        out.append((at, h.offered if h else 0))
        at += timedelta(hours=1)
    return out
