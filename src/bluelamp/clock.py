"""The injectable clock: timezone-aware UTC inside, Europe/London on screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class FixedClock:
    """A clock for tests and simulation: it only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware start time")
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now = self.now + timedelta(**kwargs)
        return self.now


_current: Clock = system_clock


def now() -> datetime:
    """The current time from the installed clock (UTC, aware)."""
    return _current()


def set_clock(clock: Clock) -> Clock:
    """Install a clock; returns the previous one so callers can restore it."""
    global _current
    previous, _current = _current, clock
    return previous


def as_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC; a naive one is a bug and is refused."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: a time zone is required")
    return value.astimezone(UTC)


def from_db(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC, so mark it so."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def local(value: datetime) -> datetime:
    return as_utc(value).astimezone(LONDON)


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with a Z, as the contract shows."""
    if value is None:
        return None
    if value.tzinfo is not UTC:  # values read from the database are UTC already (the board formats thousands)
        value = as_utc(value)
    return value.isoformat().replace("+00:00", "Z")
