"""Reading and checking a series of counts: one regular grid, zeros for missing steps, clear errors."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

FREQS = {"30min": "30min", "H": "h", "h": "h", "D": "D", "W": "W"}
STEP = {"30min": pd.Timedelta(minutes=30), "h": pd.Timedelta(hours=1), "D": pd.Timedelta(days=1),
        "W": pd.Timedelta(days=7)}
# Steps per day and per week, for seasonal periods.
PER_DAY = {"30min": 48, "h": 24, "D": 1}
SEASON = {"30min": 336, "h": 168, "D": 7, "W": 52}


class DemandInputError(ValueError):
    """Bad input: the message says what is wrong and what would work."""


@dataclass(frozen=True)
class Series:
    """A regular series of counts with its grid ("30min", "h", "D" or "W") and what was filled in."""

    values: pd.Series
    freq: str
    filled: int = 0


def normalise_freq(freq: str) -> str:
    """Map the CLI's frequency names to one canonical name each."""
    if freq not in FREQS:
        raise DemandInputError(f"unknown frequency {freq!r}: use one of 30min, H (or h), D, W")
    return FREQS[freq]


def from_frame(frame: pd.DataFrame, time_col: str, value_col: str, freq: str) -> Series:
    """Check and regularise a two-column frame into a `Series`."""
    for col in (time_col, value_col):
        if col not in frame.columns:
            raise DemandInputError(f"column {col!r} not found; the file has: {', '.join(map(str, frame.columns))}")
    times = _parse_times(frame[time_col], time_col)
    values = pd.to_numeric(frame[value_col], errors="coerce")
    bad = values.isna()
    if bad.any():
        raise DemandInputError(f"{value_col!r} has {int(bad.sum())} missing or non-numeric value(s) "
                               f"(first at row {int(bad.values.argmax()) + 2}); give a count in every row")
    series = pd.Series(values.to_numpy(float), index=pd.DatetimeIndex(times))
    return regularise(series, freq)


def regularise(series: pd.Series, freq: str) -> Series:
    """Sort, reject duplicates, off-grid times and negative counts, and fill missing steps with zero."""
    f = normalise_freq(freq)
    if series.empty:
        raise DemandInputError("the series is empty: give at least a few weeks of counts")
    s = series.sort_index()
    if (s < 0).any():
        first = s.index[(s < 0).to_numpy().argmax()]
        raise DemandInputError(f"negative count at {first}: counts must be zero or more")
    dup = s.index.duplicated()
    if dup.any():
        raise DemandInputError(f"duplicate timestamp {s.index[dup][0]}: give one row per {_name(f)} "
                               "(add the counts up first)")
    _check_grid(s.index, f)
    full = pd.date_range(s.index[0], s.index[-1], freq=STEP[f])
    filled = len(full) - len(s)
    return Series(s.reindex(full, fill_value=0.0), f, filled)


def _parse_times(col: pd.Series, name: str) -> pd.DatetimeIndex:
    try:
        times = pd.to_datetime(col, format="mixed")
    except (ValueError, TypeError):
        try:
            times = pd.to_datetime(col, format="mixed", utc=True)
        except (ValueError, TypeError) as exc:
            raise DemandInputError(f"{name!r} has a value that is not a date or time ({exc}); "
                                   "use ISO 8601, e.g. 2025-01-31 or 2025-01-31 14:30") from None
    if times.isna().any():
        raise DemandInputError(f"{name!r} has an empty time at row {int(times.isna().values.argmax()) + 2}")
    return pd.DatetimeIndex(times)


def _check_grid(index: pd.DatetimeIndex, f: str) -> None:
    step = STEP[f]
    if f == "W":
        offset = (index - index[0]) % step
    else:
        local = index.tz_localize(None) if index.tz is not None else index
        offset = (local - local.normalize()) % step
    off = offset != pd.Timedelta(0)
    if off.any():
        where = "each week's first day" if f == "W" else f"a multiple of {_name(f)} from midnight"
        raise DemandInputError(f"timestamp {index[off][0]} is off the {_name(f)} grid: every time must be "
                               f"{where}")


def _name(f: str) -> str:
    return {"30min": "half hour", "h": "hour", "D": "day", "W": "week"}[f]


def format_ds(index: pd.DatetimeIndex, f: str) -> list[str]:
    """Output labels: dates for daily and weekly series, ISO date-times for intraday ones."""
    if f in ("D", "W"):
        return [t.strftime("%Y-%m-%d") for t in index]
    return [t.isoformat(sep=" ") for t in index]
