"""Series checks and forecasts: zeros for gaps, clear errors, intervals that nest, the England calendar."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from bluelamp.demand import calendar, datasets, metrics
from bluelamp.demand.forecast import forecast
from bluelamp.demand.series import DemandInputError, regularise


def _daily(days: int = 120) -> pd.Series:
    rng = np.random.default_rng(3)
    idx = pd.date_range("2025-01-01", periods=days, freq="D")
    return pd.Series(rng.poisson(200 + 30 * (idx.dayofweek >= 5)).astype(float), index=idx)


def test_the_england_calendar_includes_easter_monday_and_the_august_bank_holiday() -> None:
    days = calendar.bank_holidays(date(2025, 1, 1), date(2025, 12, 31))
    assert date(2025, 4, 21) in days and date(2025, 8, 25) in days


def test_missing_steps_inside_the_range_are_zero_and_counted() -> None:
    s = _daily().drop(pd.Timestamp("2025-02-01"))
    checked = regularise(s, "D")
    assert checked.filled == 1 and checked.values[pd.Timestamp("2025-02-01")] == 0


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda s: pd.concat([s, s.iloc[:1]]), "duplicate"),
    (lambda s: s.set_axis(s.index.where(s.index != s.index[5], s.index[5] + pd.Timedelta(hours=3))), "off the day grid"),
    (lambda s: s.where(s.index != s.index[3], -1.0), "negative"),
])
def test_bad_series_get_a_clear_message(mutate, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DemandInputError, match=message):
        regularise(mutate(_daily()), "D")


def test_too_little_history_says_what_would_work() -> None:
    with pytest.raises(DemandInputError, match="at least 28"):
        forecast(regularise(_daily(10), "D"), 7)


def test_a_daily_forecast_has_nested_intervals_per_level() -> None:
    out = forecast(regularise(_daily(), "D"), 14, (80, 95))
    assert list(out.columns) == ["yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
    assert len(out) == 14
    assert (out.yhat_lo_95 <= out.yhat_lo_80).all() and (out.yhat_hi_80 <= out.yhat_hi_95).all()
    assert metrics.smape(_daily(134).iloc[-14:], out.yhat) < 15


@pytest.mark.slow  # over 2 s on a loaded machine: full suite only
def test_hourly_forecasts_beyond_three_days_follow_the_weekly_profile() -> None:
    y = datasets.synthetic_hourly(42)
    out = forecast(regularise(y, "h"), 24 * 7)
    assert len(out) == 168
    by_hour = out.yhat.groupby(out.index.hour).mean()
    assert by_hour.idxmax() in range(12, 20) and by_hour.idxmin() in range(0, 7)


def test_poisson_floor_of_a_constant_rate() -> None:
    assert metrics.poisson_wape_floor([10.0] * 5) == pytest.approx(np.sqrt(2 / (np.pi * 10)))


def test_weekly_forecasts_follow_the_annual_shape_with_the_chosen_models() -> None:
    import numpy as np
    import pandas as pd

    from bluelamp.demand import forecast as fc
    from bluelamp.demand.series import Series

    rng = np.random.default_rng(5)
    idx = pd.date_range("2021-01-04", periods=160, freq="7D")
    truth = 700 + 120 * np.sin(2 * np.pi * np.arange(160 + 13) / 52.18)
    y = pd.Series(rng.poisson(truth[:160]).astype(float), index=idx)
    out = fc.forecast(Series(y, "W"), 13)
    assert fc.WEEKLY_MEMBERS == ("MSTL",)   # AutoTheta, joint best on SWAST, is 89 calls a week low here
    err = np.abs(out["yhat"].to_numpy() - truth[160:]).mean()
    naive = np.abs(fc.seasonal_naive(y, "W", 13) - truth[160:]).mean()
    assert err < naive
    assert (out["yhat_lo_95"] <= out["yhat_lo_80"]).all() and (out["yhat_hi_80"] <= out["yhat_hi_95"]).all()
    assert out.index[0] == idx[-1] + pd.Timedelta(days=7)
