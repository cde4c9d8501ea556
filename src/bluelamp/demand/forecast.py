"""Forecasts of counts with prediction intervals, chosen by backtest (see docs/demand.md).

- Daily: the mean of two calendar regressions (England and Wales bank holidays, Christmas days, day of
  week, annual Fourier terms): one with ARIMA(1,1,1) errors, one with a ridge-penalised piecewise
  linear trend (a hinge every 30 days, so the level can bend late in the history). Intervals come
  from the ARIMA error model, centred on the combined forecast.
- Intraday (30 min, hourly): the daily total forecast split by the recent intraday profile (the last
  eight weeks' share of each interval of the week, shrunk toward the all-days shape). The literature
  favours intraday models up to 2-3 days ahead, but on the DECC backtest the split beat MSTL at 24, 48
  and 72 hours too, so MSTL (daily and weekly seasons) is only the fallback for 14-27 days of history.
- Weekly: from two years of history statsforecast's MSTL with a 52-week season (AutoETS trend),
  chosen by rolling origin on SWAST weekly series (benchmarks/bench_forecast_weekly.py); before that
  AutoETS without a season. Seasonal naive is the baseline.
- Every frequency: intervals conformally calibrated on the series' own recent windows.

Every fit runs with one BLAS thread (`one_blas_thread`): the matrices are small (a few thousand rows,
a few dozen columns), and OpenBLAS's threads waiting for a busy core made a loaded machine's daily fit
four times slower (docs/demand.md, "Backtest speed"). It also makes a forecast in process the same
computation as on a Dask worker (Dask starts its workers with one BLAS thread).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from statsforecast.models import ARIMA, MSTL, AutoETS, AutoTheta
from threadpoolctl import threadpool_limits

from bluelamp.demand.calendar import daily_design
from bluelamp.demand.series import PER_DAY, STEP, DemandInputError, Series

DEFAULT_LEVELS: tuple[int, ...] = (80, 95)
MIN_DAYS = 28            # four weeks: each weekday seen four times
ANNUAL_DAYS = 730        # two years before the annual shape is estimated
KNOT_EVERY_DAYS = 30
RIDGE = 0.01             # chosen on the 2016 origins of the SWAST series, not on the benchmark's
INTRADAY_DIRECT_DAYS = 0  # the split beat MSTL at 24/48/72 h on DECC (docs/demand.md); MSTL is the fallback
PROFILE_WEEKS = 8
# Conformal windows at the end of the history and the steps between their origins (docs/demand.md,
# "Calibrated intervals"): daily a year of origins four weeks apart, intraday the last two weeks daily.
CALIBRATION_WINDOWS = {"D": 13, "W": 12, "h": 14, "30min": 14}
CALIBRATION_EVERY = {"D": 56, "W": 4, "h": 24, "30min": 48}
_CACHE: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()
_CACHE_SIZE = 512
_CACHE_LOCK = threading.Lock()
WEEKLY_MEMBERS: tuple[str, ...] = ("MSTL",)  # chosen by benchmarks/bench_forecast_weekly.py (docs/demand.md)
WEEKDAY_WEIGHT = 0.25    # weekday-specific share vs the all-days shape; chosen on DECC weeks 35-40
F = TypeVar("F", bound=Callable[..., Any])


def one_blas_thread(func: F) -> F:
    """Run `func` with BLAS limited to one thread (small matrices; see the module's docstring).

    threadpoolctl's limit is process-wide: while a forecast runs, other threads' BLAS calls use one
    thread too, and forecasts overlapping on several threads may leave the process at one thread
    afterwards. Harmless here: every BLAS problem bluelamp has is small.
    """
    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)
    return run  # type: ignore[return-value]


@one_blas_thread
def forecast(series: Series, horizon: int, levels: Sequence[int] = DEFAULT_LEVELS,
             calibrate: bool = True) -> pd.DataFrame:
    """Forecast `horizon` steps: a frame indexed by time with yhat and yhat_lo_L / yhat_hi_L.

    With `calibrate` (the default) the intervals are conformally calibrated on the series' own recent
    past (see `conformal_scales`); the point forecast is the same either way.
    """
    _check_levels(levels)
    if horizon < 1:
        raise DemandInputError("horizon must be at least 1 step")
    out = _model(series.values, series.freq, horizon, levels)
    if calibrate:
        scales = conformal_scales(series.values, series.freq, horizon, levels)
        if scales:
            for lv, k in scales.items():
                half = (out[f"yhat_hi_{lv}"] - out[f"yhat_lo_{lv}"]) / 2
                out[f"yhat_lo_{lv}"] = out["yhat"] - k * half
                out[f"yhat_hi_{lv}"] = out["yhat"] + k * half
    return out.clip(lower=0.0)


def _model(y: pd.Series, f: str, horizon: int, levels: Sequence[int]) -> pd.DataFrame:
    """The uncalibrated model for a frequency (intervals from its own error model)."""
    if f == "D":
        return forecast_daily(y, horizon, levels)
    if f == "W":
        return forecast_weekly(y, horizon, levels)
    if horizon <= INTRADAY_DIRECT_DAYS * PER_DAY[f] or len(y) < MIN_DAYS * PER_DAY[f]:
        return forecast_intraday_direct(y, f, horizon, levels)
    return forecast_intraday_split(y, f, horizon, levels)


def _model_cached(y: pd.Series, f: str, horizon: int) -> pd.DataFrame:
    """The model's 80% forecast, remembered by the history's content: a rolling-origin backtest asks
    for the same calibration windows from fold after fold."""
    key = (f, horizon, len(y), y.index[-1], int(pd.util.hash_pandas_object(y, index=False).sum()))
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    fc = _model(y, f, horizon, (80,))
    with _CACHE_LOCK:
        _CACHE[key] = fc
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return fc


def conformal_scales(y: pd.Series, f: str, horizon: int, levels: Sequence[int],
                     windows: int | None = None) -> dict[int, float] | None:
    """Split-conformal widening (or narrowing) of the model's intervals, from its own recent errors.

    The model is refitted at `windows` origins before the end of the history (the last one `horizon`
    steps before the end, then `CALIBRATION_EVERY` steps apart) and forecasts
    `horizon` steps from each. Each error is divided by the model's own standard deviation at that
    step (its 80% half-width / z(80)), and the interval at level L is scaled by the conformal
    L-quantile of those scores over z(L). The model's growth of width with the horizon is kept; only
    its level is corrected. None when fewer than 3 windows fit in the history (the model's own
    intervals are used then).
    """
    step = CALIBRATION_EVERY[f]
    windows = CALIBRATION_WINDOWS[f] if windows is None else windows
    z80 = _z(80)
    scores: list[np.ndarray] = []
    for k in range(windows):
        end = len(y) - horizon - k * step
        if end <= 0:
            break
        try:
            fc = _model_cached(y.iloc[:end], f, horizon)
        except DemandInputError:
            break
        actual = y.iloc[end:end + horizon].to_numpy(float)
        sd = (fc["yhat_hi_80"].to_numpy() - fc["yhat"].to_numpy()) / z80
        ok = sd > 0
        scores.append(np.abs(actual - fc["yhat"].to_numpy())[ok] / sd[ok])
    if len(scores) < 3:
        return None
    pooled = np.sort(np.concatenate(scores))
    n = len(pooled)
    out = {}
    for lv in levels:
        rank = min(n, math.ceil((n + 1) * lv / 100))
        # Never narrower than the model's own: a quiet recent past must not flatter the next weeks.
        out[lv] = max(1.0, float(pooled[rank - 1] / _z(lv)))
    return out


def future_index(index: pd.DatetimeIndex, freq: str, horizon: int) -> pd.DatetimeIndex:
    """The next `horizon` steps after the end of `index`."""
    return pd.date_range(index[-1] + STEP[freq], periods=horizon, freq=STEP[freq])


def _frame(index: pd.DatetimeIndex, mean: np.ndarray, half: dict[int, np.ndarray]) -> pd.DataFrame:
    data: dict[str, np.ndarray] = {"yhat": mean}
    for level, width in half.items():
        data[f"yhat_lo_{level}"] = mean - width
        data[f"yhat_hi_{level}"] = mean + width
    return pd.DataFrame(data, index=index)


def forecast_daily(y: pd.Series, horizon: int, levels: Sequence[int] = DEFAULT_LEVELS) -> pd.DataFrame:
    """The daily ensemble (calendar regression with ARIMA errors + penalised piecewise trend)."""
    return forecast_daily_fitted(y, horizon, levels)[0]


@one_blas_thread
def forecast_daily_fitted(y: pd.Series, horizon: int,
                          levels: Sequence[int] = DEFAULT_LEVELS) -> tuple[pd.DataFrame, np.ndarray]:
    """The daily ensemble and its in-sample one-step fitted values (for reconciliation weights)."""
    n = len(y)
    if n < MIN_DAYS:
        raise DemandInputError(f"only {n} days of history: a daily forecast needs at least {MIN_DAYS} "
                               "(four weeks); annual effects need two years")
    origin = y.index[0]
    fidx = future_index(y.index, "D", horizon)
    annual = n >= ANNUAL_DAYS
    values = y.to_numpy(float)
    x_hist = daily_design(y.index, origin, annual=annual)
    x_fut = daily_design(fidx, origin, annual=annual)
    beta = np.linalg.lstsq(x_hist, values, rcond=None)[0]
    resid = values - x_hist @ beta
    arima = ARIMA(order=(1, 1, 1)).forecast(y=resid, h=horizon, level=list(levels), fitted=True)
    with_errors = x_fut @ beta + arima["mean"]
    span = (y.index[-1] - origin).days / 365.25
    knots = np.arange(KNOT_EVERY_DAYS / 365.25, span, KNOT_EVERY_DAYS / 365.25).tolist()
    piecewise, piecewise_fit = _ridge_trend(y, fidx, knots, annual)
    mean = (with_errors + piecewise) / 2
    half = {lv: np.asarray(arima[f"hi-{lv}"] - arima["mean"]) for lv in levels}
    arima_fit = np.nan_to_num(np.asarray(arima["fitted"], float), nan=0.0)
    fitted = (x_hist @ beta + arima_fit + piecewise_fit) / 2
    return _frame(fidx, mean, half), np.asarray(fitted)


def _ridge_trend(y: pd.Series, fidx: pd.DatetimeIndex, knots: list[float],
                 annual: bool) -> tuple[np.ndarray, np.ndarray]:
    origin = y.index[0]
    x_hist = daily_design(y.index, origin, knots, annual)
    x_fut = daily_design(fidx, origin, knots, annual)
    penalty = np.full(x_hist.shape[1], 1e-9)
    penalty[2:2 + len(knots)] = RIDGE * len(y)
    beta = np.linalg.solve(x_hist.T @ x_hist + np.diag(penalty), x_hist.T @ y.to_numpy(float))
    return np.asarray(x_fut @ beta), np.asarray(x_hist @ beta)


def _weekly_model(name: str) -> Any:
    if name == "AutoETS":
        return AutoETS(season_length=52, model="ZZZ")
    if name == "AutoTheta":
        return AutoTheta(season_length=52)
    if name == "MSTL":
        return MSTL(season_length=52, trend_forecaster=AutoETS(model="ZZN"))
    raise ValueError(f"unknown weekly model {name}")


def forecast_weekly(y: pd.Series, horizon: int, levels: Sequence[int] = DEFAULT_LEVELS,
                    members: Sequence[str] | None = None) -> pd.DataFrame:
    """Weekly totals: from two years of history the mean of `WEEKLY_MEMBERS` (statsforecast models with
    a 52-week season, or `LightGBM` from weekly_gbm.py; the bounds are the mean of the statsforecast
    members' bounds), before that AutoETS without a season."""
    n = len(y)
    if n < 8:
        raise DemandInputError(f"only {n} weeks of history: a weekly forecast needs at least 8; "
                               "annual seasonality needs 104")
    idx = pd.date_range(y.index[-1] + STEP["W"], periods=horizon, freq=STEP["W"])
    values = y.to_numpy(float)
    if n < 104:
        res = AutoETS(season_length=1, model="ZZN").forecast(y=values, h=horizon, level=list(levels))
        return _frame(idx, np.asarray(res["mean"]), {lv: np.asarray(res[f"hi-{lv}"] - res["mean"]) for lv in levels})
    names = list(members or WEEKLY_MEMBERS)
    means = []
    if "LightGBM" in names:     # point forecast only (weekly_gbm.py); the others give the intervals
        from bluelamp.demand.weekly_gbm import forecast_weekly_gbm

        means.append(forecast_weekly_gbm(y, horizon))
    runs = [_weekly_model(m).forecast(y=values, h=horizon, level=list(levels)) for m in names if m != "LightGBM"]
    if not runs:
        raise ValueError("LightGBM gives no intervals: name at least one statsforecast member beside it")
    mean = np.mean([*means, *[np.asarray(r["mean"]) for r in runs]], axis=0)
    half = {lv: np.mean([np.asarray(r[f"hi-{lv}"]) - np.asarray(r[f"lo-{lv}"]) for r in runs], axis=0) / 2
            for lv in levels}
    return _frame(idx, mean, half)


def forecast_intraday_direct(y: pd.Series, f: str, horizon: int,
                             levels: Sequence[int] = DEFAULT_LEVELS) -> pd.DataFrame:
    """MSTL with daily and weekly seasons on the interval series (short horizons)."""
    day = PER_DAY[f]
    if len(y) < 14 * day:
        raise DemandInputError(f"only {len(y) / day:.1f} days of {f} history: an intraday forecast needs "
                               "at least 14 days (two weekly cycles)")
    model = MSTL(season_length=[day, 7 * day], trend_forecaster=AutoETS(model="ZZN"))
    res = model.forecast(y=y.to_numpy(float), h=horizon, level=list(levels))
    half = {lv: np.asarray(res[f"hi-{lv}"] - res["mean"]) for lv in levels}
    return _frame(future_index(y.index, f, horizon), np.asarray(res["mean"]), half)


def weekly_profile(y: pd.Series, f: str, weeks: int = PROFILE_WEEKS) -> np.ndarray:
    """Share of each day's total falling in each interval, by day of week (shape 7 x intervals a day).

    Taken over the last `weeks` weeks and shrunk toward the all-days shape (a few weeks of counts make a
    noisy weekday-by-hour profile); a weekday with no calls takes the all-days shape.
    """
    day = PER_DAY[f]
    recent = y.iloc[-weeks * 7 * day:]
    dow = recent.index.dayofweek.to_numpy()
    slot = ((recent.index.hour * 60 + recent.index.minute) // (1440 // day)).to_numpy()
    counts = np.zeros((7, day))
    np.add.at(counts, (dow, slot), recent.to_numpy(float))
    overall = counts.sum(axis=0)
    overall = overall / overall.sum() if overall.sum() > 0 else np.full(day, 1.0 / day)
    totals = counts.sum(axis=1, keepdims=True)
    by_day = np.where(totals > 0, counts / np.where(totals > 0, totals, 1.0), overall[None, :])
    return np.asarray(WEEKDAY_WEIGHT * by_day + (1 - WEEKDAY_WEIGHT) * overall[None, :])


def forecast_intraday_split(y: pd.Series, f: str, horizon: int, levels: Sequence[int] = DEFAULT_LEVELS,
                            daily: pd.Series | None = None) -> pd.DataFrame:
    """Daily totals forecast, split into intervals by the recent weekly profile.

    `daily` may give a longer history of daily totals (e.g. from the database) than `y` holds; it must
    end on the last complete day of `y`.
    """
    day = PER_DAY[f]
    fidx = future_index(y.index, f, horizon)
    if daily is not None:
        days = daily.astype(float)
    else:
        counts = y.resample("D").count()
        days = y.resample("D").sum()[counts == day]  # complete days only (a partial first/last day is dropped)
    need_days = (fidx[-1].normalize() - days.index[-1]).days
    daily = forecast_daily(days, need_days, levels)
    profile = weekly_profile(y, f)
    slot = ((fidx.hour * 60 + fidx.minute) // (1440 // day)).to_numpy()
    day_idx = fidx.normalize()
    total = daily["yhat"].reindex(day_idx).to_numpy()
    share = profile[fidx.dayofweek.to_numpy(), slot]
    mean = total * share
    half = {}
    for lv in levels:
        z = _z(lv)
        sd_day = (daily[f"yhat_hi_{lv}"] - daily["yhat"]).reindex(day_idx).to_numpy() / z
        # Share of the day's uncertainty plus the Poisson scatter of a count within the day.
        half[lv] = z * np.sqrt((share * sd_day) ** 2 + np.maximum(mean, 0.0) * (1 - share))
    return _frame(fidx, mean, half)


def _z(level: int) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 200)


def _check_levels(levels: Sequence[int]) -> None:
    for lv in levels:
        if not (0 < lv < 100) or math.isnan(lv):
            raise DemandInputError(f"level {lv} must be a percentage between 0 and 100, e.g. 80 or 95")


def seasonal_naive(y: pd.Series, f: str, horizon: int) -> np.ndarray:
    """The seasonal-naive baseline (period of one week; 52 weeks for weekly series)."""
    period = {"30min": 336, "h": 168, "D": 7, "W": 52}[f]
    period = min(period, len(y))
    last = y.to_numpy(float)[-period:]
    return np.asarray(np.tile(last, horizon // period + 1)[:horizon])
