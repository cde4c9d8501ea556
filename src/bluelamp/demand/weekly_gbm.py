"""Weekly counts by gradient boosting: mlforecast with LightGBM on lags, calendar and holiday features.

A candidate for the weekly ensemble (`forecast.WEEKLY_MEMBERS`), tried by rolling origin in
benchmarks/bench_forecast_weekly.py (docs/demand.md, "Weekly"). One series is one model (as every
bluelamp forecast is): the history is short for a tree model (2-6 years of weeks), so the trees see
week-to-week changes (`Differences([1])`), recent lags, the same week a year before, and the week's
calendar: week of year, month, the England and Wales bank holidays in the week, and the Christmas and
New Year weeks. LightGBM runs on one thread with a fixed seed, so a forecast is the same in process and
on a Dask worker. It gives a point forecast only; in an ensemble the intervals come from the members
that have them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from bluelamp.demand.calendar import is_bank_holiday

LAGS = (1, 2, 52)
DIFFERENCES = (1,)
PARAMS: dict[str, Any] = {"n_estimators": 300, "learning_rate": 0.03, "num_leaves": 8, "min_child_samples": 8,
          "subsample": 1.0, "colsample_bytree": 1.0, "reg_lambda": 1.0, "n_jobs": 1, "random_state": 0,
          "deterministic": True, "force_row_wise": True, "verbose": -1}


def bank_holidays_in_week(ds: pd.DatetimeIndex) -> np.ndarray:
    """Number of England and Wales bank holidays in the seven days starting at each `ds`."""
    days = pd.DatetimeIndex([d + timedelta(days=k) for d in ds for k in range(7)])
    return np.asarray(is_bank_holiday(days).reshape(len(ds), 7).sum(axis=1))


def christmas_week(ds: pd.DatetimeIndex) -> np.ndarray:
    """1 for the week holding 25 December, 2 for the week holding 1 January (else 0)."""
    out = np.zeros(len(ds))
    for i, start in enumerate(ds):
        days = [start + timedelta(days=k) for k in range(7)]
        if any(d.month == 12 and d.day == 25 for d in days):
            out[i] = 1
        elif any(d.month == 1 and d.day == 1 for d in days):
            out[i] = 2
    return out


def week_of_year(ds: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(ds.isocalendar().week.to_numpy(int))


def month(ds: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(ds.month.to_numpy(int))


DATE_FEATURES = (week_of_year, month, bank_holidays_in_week, christmas_week)


def model(freq: str = "W-MON", lags: Sequence[int] = LAGS, differences: Sequence[int] = DIFFERENCES) -> object:
    """An unfitted MLForecast for weeks labelled by their first day (`W-MON`: Mondays)."""
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean
    from mlforecast.target_transforms import Differences

    return MLForecast(models={"LightGBM": lgb.LGBMRegressor(**PARAMS)}, freq=freq, lags=list(lags),
                      lag_transforms={1: [RollingMean(window_size=4)]}, date_features=list(DATE_FEATURES),
                      target_transforms=[Differences(list(differences))] if differences else None,
                      num_threads=1)


def forecast_weekly_gbm(y: pd.Series, horizon: int) -> np.ndarray:
    """Point forecast of `horizon` weeks after `y` (weeks labelled by their first day, >= 60 weeks)."""
    if len(y) < max(LAGS) + 8:
        raise ValueError(f"LightGBM needs at least {max(LAGS) + 8} weeks of history, got {len(y)}")
    frame = pd.DataFrame({"unique_id": "s", "ds": pd.DatetimeIndex(y.index).tz_localize(None),
                          "y": y.to_numpy(float)})
    freq = "W-" + pd.Timestamp(y.index[0]).day_name()[:3].upper()
    fc = model(freq).fit(frame, static_features=[]).predict(horizon)  # type: ignore[attr-defined]
    return np.asarray(fc["LightGBM"].to_numpy(float))
