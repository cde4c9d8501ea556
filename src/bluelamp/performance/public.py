"""The public dashboard: force-level figures only, small numbers suppressed, nothing personal.

Every count below the suppression threshold (BLUELAMP_PUBLIC_SUPPRESS_BELOW, default 10) is withheld,
and so is any share or average resting on fewer records, or whose complement is that small (so a small
group cannot be worked out by subtraction). No area, no record, no id, no free text leaves here.

Fixed periods only (issue 12 item 11): the public figures are for one whole, completed calendar month.
Suppression decided per period is undone by differencing overlapping periods (1-28 March minus 2-28
March is 1 March, however small); with months that never overlap, and never a month still running
(month-to-date today minus month-to-date yesterday would be one day), there is nothing to subtract.
"""

from __future__ import annotations

import calendar
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.responses import JSONResponse

from bluelamp import clock
from bluelamp.performance import service
from bluelamp.performance.figures import Figure
from bluelamp.performance.model import PeriodError, public_share, suppress

OUTCOME_GROUPS = (
    ("outcome_charged", "Charged or summonsed"),
    ("outcome_evidential", "Evidential difficulties"),
    ("outcome_no_suspect", "Investigation complete, no suspect identified"),
)


def _mean(total: float, n: int, threshold: int, scale: float = 1.0) -> float | None:
    return round(total / n / scale, 1) if n >= threshold else None


CACHE_S = 300.0  # a public answer is at most five minutes old
_CACHE_MAX = 512
_cache_lock = threading.Lock()
Key = tuple[date, date, int]
# A month's figures and the JSON the API sends for them, serialised once when they are counted, so a
# hit re-renders and re-serialises nothing (the public dashboard asked in a loop, issue 11).
Entry = tuple[dict[str, Any], bytes]
Cache = dict[Key, tuple[float, Entry]]


def app_cache(app: Any) -> Cache:
    cache = getattr(app.state, "public_cache", None)
    if cache is None:
        cache = app.state.public_cache = {}
    return cache  # type: ignore[no-any-return]


def fixed_period(date_from: date | None, date_to: date | None, today: date) -> tuple[date, date]:
    """The one whole, completed calendar month asked for: none given, the last completed month; one
    date, the month holding it; both, they must be that month's first and last days."""
    def month_of(d: date) -> tuple[date, date]:
        return d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1])

    if date_from is None and date_to is None:
        return month_of(today.replace(day=1) - timedelta(days=1))
    if date_from is not None and date_to is not None:
        if date_from > date_to:
            raise PeriodError("from is after to", "from")
        first, last = month_of(date_from)
        if (date_from, date_to) != (first, last):
            raise PeriodError("the public dashboard publishes whole calendar months only: from is the "
                              "first day of a month and to its last day", "from")
    else:
        first, last = month_of(date_from or date_to)  # type: ignore[arg-type]
    if last >= today:
        raise PeriodError("a month is published once it is over", "to" if date_to is not None else "from")
    return first, last


def cache_key(date_from: date | None = None, date_to: date | None = None) -> Key:
    """The month asked for (checked: PeriodError otherwise) and the suppression floor. No database."""
    floor = service.suppress_below_setting()
    d_from, d_to = fixed_period(date_from, date_to, clock.now().astimezone(service.zone()).date())
    service.check_period(d_from, d_to)
    return (d_from, d_to, floor)


def cached(cache: Cache, key: Key) -> Entry | None:
    """The month's entry while it is fresh (no database, no blocking: asked on the event loop)."""
    with _cache_lock:
        hit = cache.get(key)
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def count(cache: Cache, session: Session, key: Key) -> Entry:
    """Count the month's figures, serialise them once, and keep both for CACHE_S."""
    now = time.monotonic()
    out = figures(session, key[0], key[1], key[2])
    entry: Entry = (out, bytes(JSONResponse(out).body))
    with _cache_lock:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = (now + CACHE_S, entry)
    return entry


def cached_entry(cache: Cache, db: Any, date_from: date | None = None, date_to: date | None = None) -> Entry:
    """`figures` and their JSON from the cache (one per app), counted in a read-only unit of work on
    a miss: the anonymous dashboard asked in a loop counts each period once per CACHE_S."""
    key = cache_key(date_from, date_to)
    hit = cached(cache, key)
    if hit is not None:
        return hit
    with db.unit_of_work(write=False) as session:
        return count(cache, session, key)


def figures(session: Session, date_from: date | None = None, date_to: date | None = None,
            threshold: int | None = None) -> dict[str, Any]:
    """The public figures for a period (the routes ask for one fixed month: `cached_entry`)."""
    floor = threshold if threshold is not None else service.suppress_below_setting()
    tz = service.zone()
    d_from, d_to = service.resolve_period(date_from, date_to, tz)
    scope = service.make_scope(d_from, d_to, tz=tz)
    # A period with no records at all has no figures: every one is then empty, never a KeyError.
    f = defaultdict(Figure, service.figures(session, scope, (d_from, d_to), tz))
    within, mean = f["call_999_within_10s"], f["call_999_mean_answer_s"]
    calls = {
        "answered": suppress(within.denominator, floor),
        "share_within_10s": public_share(int(within.numerator), within.denominator, floor),
        "mean_answer_s": _mean(mean.numerator, mean.denominator, floor),
        "national_standard": 0.90, "national_first_published": 0.71,
    }
    wait101 = f["call_101_mean_wait_s"]
    attendance = []
    for grade, name in ((1, "Emergency"), (2, "Priority"), (3, "Scheduled")):
        a = f[f"attendance_{grade}"]
        attendance.append({"grade": grade, "name": name, "attended": suppress(a.denominator, floor),
                           "share_within_target": public_share(int(a.numerator), a.denominator, floor)})
    closed = f["outcome_charged"].denominator
    outcomes = []
    for key, label in OUTCOME_GROUPS:
        o = f[key]
        outcomes.append({"outcome": label, "crimes": suppress(int(o.numerator), floor),
                         "share": public_share(int(o.numerator), o.denominator, floor)})
    rec = f["crime_recorded_24h"]
    return {
        "from": d_from.isoformat(), "to": d_to.isoformat(), "timezone": tz.key,
        "suppressed_below": floor, "generated_at": clock.iso(clock.now()),
        "calls_999": calls,
        "calls_101": {"answered": suppress(wait101.denominator, floor),
                      "mean_wait_s": _mean(wait101.numerator, wait101.denominator, floor)},
        "attendance": attendance,
        "crimes": {"recorded": suppress(rec.denominator, floor),
                   "share_recorded_within_24h": public_share(int(rec.numerator), rec.denominator, floor),
                   "closed": suppress(closed, floor), "outcomes": outcomes},
    }
