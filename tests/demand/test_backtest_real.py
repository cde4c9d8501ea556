"""Backtests on the public series: the SWAST protocol and the DECC hourly series (slow)."""

from __future__ import annotations

import pytest

from bluelamp.demand import backtest as bt
from bluelamp.demand import datasets as ds


def test_seasonal_naive_reproduces_the_published_swast_figures(real) -> None:  # type: ignore[no-untyped-def]
    y = ds.swast_daily(real)
    res = bt.rolling_origin(y, bt.weekly_origins(ds.SWAST_ORIGIN, ds.SWAST_FOLDS), ds.SWAST_HORIZONS, "snaive",
                            bt.naive_forecaster("D"), 7, scale="initial")
    assert [round(res.smape[h], 2) for h in ds.SWAST_HORIZONS] == [3.48, 3.94, 4.19, 4.51, 4.94]


@pytest.mark.slow
def test_our_model_beats_prophet_on_the_swast_benchmark(real) -> None:  # type: ignore[no-untyped-def]
    y = ds.swast_daily(real)
    res = bt.rolling_origin(y, bt.weekly_origins(ds.SWAST_ORIGIN, ds.SWAST_FOLDS), ds.SWAST_HORIZONS, "model",
                            bt.model_forecaster("D"), 7, scale="initial")
    assert res.smape[7] <= 2.9 and res.smape[84] <= 3.2
    assert abs(res.coverage[80] - 0.80) <= 0.02 and abs(res.coverage[95] - 0.95) <= 0.02   # conformal


@pytest.mark.slow
def test_decc_hourly_week_ahead_beats_seasonal_naive(real) -> None:  # type: ignore[no-untyped-def]
    y = ds.decc_hourly(real)
    origins = [y.index[0] + __import__("pandas").Timedelta(days=28 + 7 * k) for k in range(8)]
    model = bt.rolling_origin(y, origins, [168], "model", bt.model_forecaster("h"), 168)
    assert model.mase[168] <= 0.75
    assert abs(model.coverage[80] - 0.80) <= 0.02 and abs(model.coverage[95] - 0.95) <= 0.02   # conformal
