"""England and Wales calendar effects for daily models: bank holidays, Christmas, day of week, season.

The `holidays` package's country-level UK calendar misses Easter Monday and the August bank holiday
in England, so the England subdivision is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

# Days with their own effect beyond "a bank holiday": Christmas Eve to New Year's Day.
SPECIAL_DAYS = ((12, 24), (12, 25), (12, 26), (12, 31), (1, 1))
ANNUAL_HARMONICS = 5


@lru_cache(maxsize=64)
def _calendar(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def bank_holidays(start: date, end: date) -> list[date]:
    """England and Wales bank holidays between two dates, inclusive."""
    out: list[date] = []
    for year in range(start.year, end.year + 1):
        out.extend(d for d in _calendar(year) if start <= d <= end)
    return sorted(out)


def is_bank_holiday(index: pd.DatetimeIndex) -> np.ndarray:
    """1.0 where the day is an England and Wales bank holiday."""
    days = index.date
    return np.array([d in _calendar(d.year) for d in days], dtype=float)


def daily_design(index: pd.DatetimeIndex, origin: pd.Timestamp, knots: Sequence[float] = (),
                 annual: bool = True) -> np.ndarray:
    """Regressors for a daily count: intercept, trend (years since `origin`) with hinges at `knots`,
    annual Fourier terms, day of week, bank holiday and the Christmas-to-New-Year days."""
    years = np.asarray((index - origin).days, float) / 365.25
    cols = [np.ones(len(index)), years] + [np.maximum(years - k, 0.0) for k in knots]
    if annual:
        phase = 2 * np.pi * index.dayofyear.to_numpy() / 365.25
        for k in range(1, ANNUAL_HARMONICS + 1):
            cols += [np.sin(k * phase), np.cos(k * phase)]
    dow = index.dayofweek.to_numpy()
    cols += [(dow == d).astype(float) for d in range(6)]
    cols.append(is_bank_holiday(index))
    md = index.month.to_numpy() * 100 + index.day.to_numpy()
    cols += [(md == m * 100 + d).astype(float) for m, d in SPECIAL_DAYS]
    return np.column_stack(cols)
