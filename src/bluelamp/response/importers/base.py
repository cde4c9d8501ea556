"""What every CAD adapter shares: the record it produces, local-time parsing, and the grade mapping.

An adapter turns one row of an export (a dict of column -> text) into a `CadRecord`, or raises
`RowError` with a reason. Everything else (reading the file, de-duplication, bulk insertion, the
audit entry, the summary) is done once in `runner.py`, so a new CAD format is one small module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar
from zoneinfo import ZoneInfo


class FileError(ValueError):
    """The file as a whole cannot be imported (missing columns, unreadable encoding): nothing is imported."""


class RowError(ValueError):
    """One row cannot be used; the message is the reason reported on stderr."""


@dataclass
class CadRecord:
    """One incident of an export, times already in UTC."""

    external_ref: str
    agency: str
    received_at: datetime
    channel: str
    grade: int
    call_type: str | None = None
    source_priority: str | None = None
    queued_at: datetime | None = None
    dispatched_at: datetime | None = None
    enroute_at: datetime | None = None
    arrived_at: datetime | None = None
    closed_at: datetime | None = None
    urban: bool = True
    area: str | None = None
    lat: float | None = None
    lon: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class GradeMap:
    """Source priority -> bluelamp grade, written `0-1=1,2=2,3-4=3,*=4` (ranges inclusive, `*` = any other)."""

    SPEC = re.compile(r"^\s*(\*|\d+(?:\s*-\s*\d+)?)\s*=\s*([1-4])\s*$")

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.ranges: list[tuple[int, int, int]] = []
        self.default = 4
        for part in spec.split(","):
            m = self.SPEC.match(part)
            if not m:
                raise ValueError(f"bad grade mapping {part.strip()!r}: write it as 0-1=1,2=2,3-4=3,*=4")
            key, grade = m.group(1).replace(" ", ""), int(m.group(2))
            if key == "*":
                self.default = grade
                continue
            lo_s, _, hi_s = key.partition("-")
            lo, hi = int(lo_s), int(hi_s or lo_s)
            if hi < lo:
                raise ValueError(f"bad grade mapping {part.strip()!r}: the range runs backwards")
            self.ranges.append((lo, hi, grade))

    def grade(self, priority: str | None) -> int:
        try:
            value = int(str(priority).strip())
        except (TypeError, ValueError):
            return self.default
        for lo, hi, grade in self.ranges:
            if lo <= value <= hi:
                return grade
        return self.default


def parse_local(text: str, zone: ZoneInfo, column: str, not_before: datetime | None = None) -> datetime:
    """A local wall-clock time of the export made into UTC.

    A time that does not exist (clocks went forward) is a row error. A time that happens twice (clocks
    went back) takes the earlier instant, unless that would fall before `not_before` (the row's previous
    stage), in which case the later instant is the only reading that keeps the row in order.
    """
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RowError(f"bad date in {column}: {text.strip()[:40]!r}") from None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    offsets = _offsets(zone, naive.year, naive.month, naive.day, naive.hour, naive.minute // 15)
    if offsets is None:
        raise RowError(f"{column} {text.strip()} does not exist in {zone.key} (the clocks went forward)")
    early = (naive - offsets[0]).replace(tzinfo=UTC)
    if offsets[0] != offsets[1] and not_before is not None:
        late = (naive - offsets[1]).replace(tzinfo=UTC)
        if early < not_before <= late:
            return late
    return early


@lru_cache(maxsize=65536)
def _offsets(zone: ZoneInfo, year: int, month: int, day: int, hour: int,
             quarter: int) -> tuple[timedelta, timedelta] | None:
    """UTC offsets of the earlier and later reading of a wall-clock quarter hour; None if it does not exist.

    Clock changes happen on a quarter hour, so every time in the same quarter hour shares the answer.
    """
    slot = datetime(year, month, day, hour, quarter * 15)
    first, second = slot.replace(tzinfo=zone, fold=0), slot.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != slot:
        return None
    return first.utcoffset() or timedelta(0), second.utcoffset() or timedelta(0)


class Adapter:
    """A CAD export format. Subclasses set the class attributes and implement `parse`."""

    name: ClassVar[str] = ""
    required_columns: ClassVar[tuple[str, ...]] = ()
    default_tz: ClassVar[str] = "UTC"
    default_grade_map: ClassVar[str] = "0-1=1,2=2,3-4=3,*=4"

    def __init__(self, tz: str | None = None, grade_map: str | None = None) -> None:
        from zoneinfo import ZoneInfoNotFoundError

        try:
            self.zone = ZoneInfo(tz or self.default_tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise FileError(f"unknown time zone {tz!r}") from None
        try:
            self.grades = GradeMap(grade_map or self.default_grade_map)
        except ValueError as exc:
            raise FileError(str(exc)) from None

    def check_header(self, header: list[str]) -> None:
        missing = [c for c in self.required_columns if c not in header]
        if missing:
            raise FileError(f"missing columns for format {self.name}: {', '.join(missing)}")

    def parse(self, row: dict[str, str]) -> CadRecord:  # pragma: no cover - abstract
        raise NotImplementedError
