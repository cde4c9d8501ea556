"""The weekly LightGBM candidate (mlforecast): its calendar features, and that it follows a season."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluelamp.demand import forecast as fc
from bluelamp.demand import weekly_gbm

pytestmark = pytest.mark.nodb


def test_weeks_count_their_bank_holidays_and_mark_christmas_and_new_year() -> None:
    weeks = pd.DatetimeIndex(["2025-12-22", "2025-12-29", "2025-04-14", "2025-04-21", "2025-08-25", "2025-09-01"])
    # Christmas Day + Boxing Day; New Year's Day; Good Friday; Easter Monday; August bank holiday; none.
    assert weekly_gbm.bank_holidays_in_week(weeks).tolist() == [2, 1, 1, 1, 1, 0]
    assert weekly_gbm.christmas_week(weeks).tolist() == [1, 2, 0, 0, 0, 0]
    assert weekly_gbm.week_of_year(weeks).tolist() == [52, 1, 16, 17, 35, 36]


def _seasonal(weeks: int, seed: int = 5) -> tuple[pd.Series, np.ndarray]:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2020-01-06", periods=weeks, freq="7D")
    truth = 700 + 120 * np.sin(2 * np.pi * np.arange(weeks + 13) / 52.18)
    return pd.Series(rng.poisson(truth[:weeks]).astype(float), index=idx), truth[weeks:]


def test_lightgbm_follows_the_annual_shape_and_repeats_itself_exactly() -> None:
    y, future = _seasonal(200)
    first = weekly_gbm.forecast_weekly_gbm(y, 13)
    assert np.array_equal(first, weekly_gbm.forecast_weekly_gbm(y, 13))   # one thread, fixed seed
    err = np.abs(first - future).mean()
    flat = np.abs(y.iloc[-13:].mean() - future).mean()
    assert err < 0.6 * flat      # it tracks the season rather than a flat line


def test_lightgbm_can_join_the_weekly_ensemble_beside_a_model_with_intervals() -> None:
    y, _ = _seasonal(160)
    both = fc.forecast_weekly(y, 8, members=("MSTL", "LightGBM"))
    mstl = fc.forecast_weekly(y, 8, members=("MSTL",))
    gbm = weekly_gbm.forecast_weekly_gbm(y, 8)
    np.testing.assert_allclose(both["yhat"], (mstl["yhat"] + gbm) / 2)
    np.testing.assert_allclose(both["yhat_hi_80"] - both["yhat"], mstl["yhat_hi_80"] - mstl["yhat"])
    with pytest.raises(ValueError, match="no intervals"):
        fc.forecast_weekly(y, 8, members=("LightGBM",))
