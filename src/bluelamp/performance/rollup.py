"""The daily roll-up of contact figures: pre-aggregated where it pays.

A year of a force is about 730,000 contacts of 1.5 kB each; counting every contact measure over them
takes seconds however the query is written, because every row must be read. So the contact figures
of each settled day (force local time) are counted once, grouped by agency, area and channel, into
`perf_rollup_figure`; a period's figure adds up its days. Days not yet settled (the last
`BLUELAMP_PERFORMANCE_SETTLE_DAYS`, default 2, including today) are always counted live from the
records, and a day missing from the roll-up is counted when first asked for. A record changed after
its day settled (a late downgrade approval) shows once its days are refreshed: `refresh()` (the
`performance.rollup` job, the API `POST /api/v1/performance/rollup`) recounts any range. The records
behind a figure are always listed live.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.contact.store import Contact
from bluelamp.performance import contact_measures
from bluelamp.performance.figures import Figure, Scope, run_family_grouped
from bluelamp.performance.store import RollupDay, RollupFigure

FAMILY = "contacts"


def settle_days() -> int:
    raw = os.environ.get("BLUELAMP_PERFORMANCE_SETTLE_DAYS", "").strip()
    return int(raw) if raw.isdigit() else 2


def _days(d_from: date, d_to: date) -> Iterator[date]:
    day = d_from
    while day <= d_to:
        yield day
        day += timedelta(days=1)


def _bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return (datetime.combine(day, time(0), tz).astimezone(UTC),
            datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC))


def last_settled(tz: ZoneInfo) -> date:
    return clock.now().astimezone(tz).date() - timedelta(days=settle_days())


def _count_day(session: Session, day: date, tz: ZoneInfo) -> None:
    start, end = _bounds(day, tz)
    scope = Scope(start=start, end=end, now=clock.now(), agency="")
    base, defs = contact_measures.contacts(session, scope)
    groups = (Contact.agency, func.coalesce(Contact.area, ""), Contact.channel)
    rows = [{"day": day, "family": FAMILY, "agency": agency, "area": area, "channel": channel, "key": key,
             "num": fig.numerator, "den": fig.denominator}
            for (agency, area, channel), figs in run_family_grouped(session, base, defs, groups).items()
            for key, fig in figs.items() if fig.denominator]
    session.execute(insert(RollupDay), [{"day": day, "family": FAMILY, "computed_at": clock.now()}])
    if rows:
        session.execute(insert(RollupFigure), rows)


def ensure(session: Session, d_from: date, d_to: date, tz: ZoneInfo) -> None:
    """Count every settled day of the range not yet in the roll-up (each in a savepoint, so two
    requests counting the same day at once cost a retry, never an error)."""
    done = set(session.execute(select(RollupDay.day).where(
        RollupDay.family == FAMILY, RollupDay.day >= d_from, RollupDay.day <= d_to)).scalars())
    for day in _days(d_from, d_to):
        if day in done:
            continue
        try:
            with session.begin_nested():
                _count_day(session, day, tz)
        except IntegrityError:
            continue  # another request counted it first


def refresh(session: Session, d_from: date, d_to: date, tz: ZoneInfo) -> int:
    """Recount a range of days from the records; returns how many settled days were counted."""
    d_to = min(d_to, last_settled(tz))
    session.execute(delete(RollupFigure).where(RollupFigure.family == FAMILY, RollupFigure.day >= d_from,
                                               RollupFigure.day <= d_to))
    session.execute(delete(RollupDay).where(RollupDay.family == FAMILY, RollupDay.day >= d_from,
                                            RollupDay.day <= d_to))
    ensure(session, d_from, d_to, tz)
    return max(0, (d_to - d_from).days + 1)


def summed(session: Session, d_from: date, d_to: date, area: str | None, channel: str | None,
           agency: str) -> dict[str, Figure]:
    """The roll-up's figures over a range of days, for one agency and optional area and channel."""
    query = (select(RollupFigure.key, func.sum(RollupFigure.num), func.sum(RollupFigure.den))
             .where(RollupFigure.family == FAMILY, RollupFigure.day >= d_from, RollupFigure.day <= d_to,
                    RollupFigure.agency == agency).group_by(RollupFigure.key))
    if area:
        query = query.where(RollupFigure.area == area)
    if channel:
        query = query.where(RollupFigure.channel == channel)
    return {key: Figure(numerator=float(num or 0), denominator=int(den or 0))
            for key, num, den in session.execute(query)}


def figures(session: Session, scope: Scope, d_from: date, d_to: date, tz: ZoneInfo) -> dict[str, Figure]:
    """The contact figures of a period: settled days from the roll-up, the rest live."""
    from bluelamp.performance.figures import run_family

    settled_to = min(d_to, last_settled(tz))
    out: dict[str, Figure] = {}
    live_runs: list[tuple[date, date]] = []
    if d_from <= settled_to:
        if session.info.get("read_only"):
            # A read (a GET, a page) never writes: settled days not yet summarised are counted live
            # here (the same figures, only slower) and summarised by the `performance.rollup.fill`
            # job; the count of such days is left in session.info for the page to say so.
            live_runs = missing_runs(session, d_from, settled_to)
            session.info["rollup_missing_days"] = (session.info.get("rollup_missing_days", 0)
                                                   + sum((b - a).days + 1 for a, b in live_runs))
        else:
            ensure(session, d_from, settled_to, tz)
        out = summed(session, d_from, settled_to, scope.area, scope.channel, scope.agency)
    live_from = max(d_from, settled_to + timedelta(days=1))
    if live_from <= d_to:
        live_runs.append((live_from, d_to))
    for run_from, run_to in live_runs:
        start, end = _bounds(run_from, tz)[0], _bounds(run_to, tz)[1]
        live = Scope(start=start, end=min(end, scope.end), now=scope.now, area=scope.area,
                     channel=scope.channel, agency=scope.agency)
        base, defs = contact_measures.contacts(session, live)
        for key, fig in run_family(session, base, defs).items():
            have = out.get(key, Figure())
            out[key] = Figure(numerator=have.numerator + fig.numerator, denominator=have.denominator + fig.denominator)
    return out


def missing_runs(session: Session, d_from: date, d_to: date) -> list[tuple[date, date]]:
    """The runs of consecutive days in [d_from, d_to] that have no summary yet."""
    done = set(session.execute(select(RollupDay.day).where(
        RollupDay.family == FAMILY, RollupDay.day >= d_from, RollupDay.day <= d_to)).scalars())
    runs: list[tuple[date, date]] = []
    for day in _days(d_from, d_to):
        if day in done:
            continue
        if runs and runs[-1][1] == day - timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


FILL_DAYS = 400  # the fill job summarises the settled days of the last 13 months or so
FILL_CHUNK = 7  # days summarised per job run (each run is one short write transaction)


def _register_job() -> None:
    """`performance.rollup` job: recount the last `days` days (default 35), e.g. nightly."""
    from bluelamp.jobs.runner import enqueue, handler

    @handler("performance.rollup")
    def _job(session: Session, payload: dict[str, object]) -> None:
        from bluelamp.performance.service import zone

        tz = zone()
        today = clock.now().astimezone(tz).date()
        days = payload.get("days", 35)
        refresh(session, today - timedelta(days=int(days) if isinstance(days, int | str) else 35), today, tz)

    @handler("performance.rollup.fill")
    def _fill(session: Session, payload: dict[str, object]) -> None:
        """Summarise the settled days not yet summarised (the dashboard counts them live until then)."""
        from bluelamp.performance.service import zone

        tz = zone()
        days = payload.get("days", FILL_DAYS)
        span = int(days) if isinstance(days, int | str) else FILL_DAYS
        to = last_settled(tz)
        runs = missing_runs(session, to - timedelta(days=span), to)
        # A few days per job, newest first, so the write lock is held briefly; then queue the rest.
        todo = [d for a, b in reversed(runs) for d in reversed(list(_days(a, b)))]
        for day in todo[:FILL_CHUNK]:
            with session.begin_nested():
                _count_day(session, day, tz)
        if len(todo) > FILL_CHUNK:
            enqueue(session, "performance.rollup.fill", {"days": span}, clock.now())


_register_job()
