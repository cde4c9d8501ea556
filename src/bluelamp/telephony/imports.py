"""`bluelamp import phone FILE --format hourly-bands`: the hourly answer-time report of a contact centre.

One row per hour: `interval_start_local` (ISO, local to `--tz`, default the force's zone) and, for
each line prefix (`911` -> 999, `ADM` -> 101), `PREFIX_10 .. PREFIX_121` (answered within each band),
`PREFIX_AB` (abandoned) and `PREFIX_T` (offered = the bands + abandoned). Other columns are ignored.
A missing column imports nothing; a row whose totals do not add up (or with a bad time or count) is
rejected with its reason; an hour already imported for a line is `already_present`. A row counts as
imported when it added at least one line's hour, already_present when every line's hour was there.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.db.engine import Database
from bluelamp.response.importers.base import FileError, RowError, parse_local
from bluelamp.response.importers.runner import ImportSummary as Summary
from bluelamp.response.importers.runner import _rows
from bluelamp.telephony.model import BANDS, REPORT_PREFIXES
from bluelamp.telephony.store import CallHour

FORMATS = ("hourly-bands",)
TIME_COLUMN = "interval_start_local"
MAX_COUNT = 1_000_000


class _Bands:
    """The adapter shape `response.importers.runner._rows` expects: it checks the header."""

    required_columns = (TIME_COLUMN, *[f"{p}_{suffix}" for p in REPORT_PREFIXES
                                       for suffix in [b for b, _ in BANDS] + ["AB", "T"]])

    def check_header(self, header: list[str]) -> None:
        missing = [c for c in self.required_columns if c not in header]
        if missing:
            raise FileError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")


def _count(row: dict[str, str], column: str) -> int:
    text = row[column].strip()
    if not text.isdigit():
        raise RowError(f"{column} must be a whole number of calls, not {text[:20]!r}")
    value = int(text)
    if value > MAX_COUNT:
        raise RowError(f"{column} is implausibly large ({value})")
    return value


def parse_row(row: dict[str, str], zone: ZoneInfo, after: datetime | None = None
              ) -> tuple[datetime, list[tuple[str, int, int, dict[str, int]]]]:
    """(UTC hour, [(line, offered, abandoned, bands)]) or RowError with the reason.

    `after` is the previous row's hour: when the clocks go back, the second 01:00 is the later hour.
    """
    start = parse_local(row[TIME_COLUMN], zone, TIME_COLUMN, after + timedelta(hours=1) if after else None)
    if start.minute or start.second or start.microsecond:
        raise RowError(f"{TIME_COLUMN} {row[TIME_COLUMN].strip()} is not the start of an hour")
    if start > clock.now():
        raise RowError(f"{TIME_COLUMN} {row[TIME_COLUMN].strip()} is in the future")
    lines = []
    for prefix, line in REPORT_PREFIXES.items():
        bands = {name: _count(row, f"{prefix}_{name}") for name, _ in BANDS}
        abandoned, offered = _count(row, f"{prefix}_AB"), _count(row, f"{prefix}_T")
        if sum(bands.values()) + abandoned != offered:
            raise RowError(f"{prefix}_T is {offered} but the answered bands and {prefix}_AB add up to "
                           f"{sum(bands.values()) + abandoned}")
        lines.append((line, offered, abandoned, bands))
    return start, lines


def import_hourly(db: Database, path: str | Path, fmt: str = "hourly-bands", tz: str | None = None,
                  err: IO[str] | None = None, actor: str = "cli") -> Summary:
    """Import one report; raises FileError (nothing imported) for a file-level problem."""
    err = err or sys.stderr
    path = Path(path)
    if fmt not in FORMATS:
        raise FileError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    if not path.is_file():
        raise FileError(f"no such file: {path}")
    try:
        from bluelamp.config import get_settings

        zone = ZoneInfo(tz or get_settings().timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise FileError(f"unknown time zone {tz!r}") from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    source = f"{path.name[:90]}:{digest}"
    summary = Summary()
    now = clock.now()
    try:
        with db.unit_of_work() as session:
            last: datetime | None = None
            present = {(line, clock.from_db(hour)) for line, hour in session.execute(select(CallHour.line, CallHour.hour))}
            for line_no, row in _rows(path, _Bands()):  # type: ignore[arg-type]
                summary.rows += 1
                try:
                    if isinstance(row, str):
                        raise RowError(row)
                    hour, lines = parse_row(row, zone, last)
                except RowError as exc:
                    summary.rejected += 1
                    print(f"line {line_no}: rejected: {exc}", file=err)
                    continue
                last = hour
                added = 0
                for line, offered, abandoned, bands in lines:
                    if (line, hour) in present:
                        continue
                    present.add((line, hour))
                    session.add(CallHour(line=line, hour=hour.astimezone(UTC), offered=offered, abandoned=abandoned,
                                         bands=bands, source=source, imported_at=now))
                    added += 1
                if added:
                    summary.imported += 1
                else:
                    summary.already_present += 1
            audit.record(session, actor, "telephony.report_imported", "import", f"phone:{source}",
                         after={"file": path.name, "format": fmt, "tz": zone.key, **summary.to_dict()})
    except IntegrityError:
        raise FileError("another import of the same hours ran at the same time; nothing was imported, "
                        "run it again") from None
    return summary
