"""The national synthetic sets: hourly series that add up to the daily ones, shaped like the demo force."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluelamp.demand import datasets

pytestmark = pytest.mark.nodb


def _daily(days: int = 21) -> pd.DataFrame:
    idx = pd.date_range("2026-01-05", periods=days, freq="D")
    rng = np.random.default_rng(0)
    return pd.concat([pd.DataFrame({"unique_id": uid, "ds": idx, "y": rng.poisson(lam, days).astype(float)})
                      for uid, lam in (("F01/area1/999", 60.0), ("F01/area1/online", 4.0))], ignore_index=True)


def test_the_hours_of_each_day_add_up_to_that_days_count() -> None:
    daily = _daily()
    hourly = datasets.national_hourly(daily, days=14)
    assert len(hourly) == 2 * 14 * 24
    assert (hourly.groupby("unique_id")["ds"].diff().dropna() == pd.Timedelta(hours=1)).all()
    summed = hourly.groupby(["unique_id", hourly["ds"].dt.normalize()])["y"].sum()
    last = daily[daily["ds"] > daily["ds"].max() - pd.Timedelta(days=14)].set_index(["unique_id", "ds"])["y"]
    pd.testing.assert_series_equal(summed.sort_index(), last.sort_index(), check_names=False)


def test_999_calls_are_busier_in_the_evening_than_in_the_small_hours_of_a_weekday() -> None:
    hourly = datasets.national_hourly(_daily(28), days=28)
    calls = hourly[hourly["unique_id"].str.endswith("/999") & (hourly["ds"].dt.dayofweek < 4)]
    by_hour = calls.groupby(calls["ds"].dt.hour)["y"].mean()
    assert by_hour.loc[18:21].mean() > 2 * by_hour.loc[3:5].mean()
