"""Rolling-origin backtests for any series: MASE, sMAPE, WAPE and interval coverage per horizon.

Each fold fits on everything before its origin and forecasts `max(horizons)` steps; a measure at
horizon h uses the fold's first h steps, and the reported figure is the mean over folds (the protocol
of Monks et al. 2023 for the SWAST benchmark).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bluelamp.demand import metrics
from bluelamp.demand.forecast import DEFAULT_LEVELS, forecast, seasonal_naive
from bluelamp.demand.series import SEASON, Series

Forecaster = Callable[[pd.Series, int], pd.DataFrame]


@dataclass
class BacktestResult:
    """Mean measures over folds, by horizon; coverage over every forecast step of every fold."""

    model: str
    horizons: list[int]
    smape: dict[int, float] = field(default_factory=dict)
    mase: dict[int, float] = field(default_factory=dict)
    wape: dict[int, float] = field(default_factory=dict)
    coverage: dict[int, float] = field(default_factory=dict)
    folds: int = 0
    poisson_floor: float | None = None

    def row(self, h: int) -> dict[str, float | int | str | None]:
        """One horizon as a flat dict (for tables)."""
        return {"model": self.model, "h": h, "smape": self.smape.get(h), "mase": self.mase.get(h),
                "wape": self.wape.get(h), **{f"cov{k}": v for k, v in self.coverage.items()}}


def model_forecaster(freq: str, levels: Sequence[int] = DEFAULT_LEVELS, calibrate: bool = True) -> Forecaster:
    """The production model as a backtest forecaster (`calibrate=False`: the model's own intervals)."""
    def run(history: pd.Series, horizon: int) -> pd.DataFrame:
        return forecast(Series(history, freq), horizon, levels, calibrate=calibrate)
    return run


def naive_forecaster(freq: str) -> Forecaster:
    """The seasonal-naive baseline as a backtest forecaster (no intervals)."""
    def run(history: pd.Series, horizon: int) -> pd.DataFrame:
        step = history.index[1] - history.index[0]
        idx = pd.date_range(history.index[-1] + step, periods=horizon, freq=step)
        return pd.DataFrame({"yhat": seasonal_naive(history, freq, horizon)}, index=idx)
    return run


def rolling_origin(y: pd.Series, origins: Iterable[pd.Timestamp], horizons: Sequence[int], model: str,
                   forecaster: Forecaster, season: int, scale: str = "fold",
                   levels: Sequence[int] = DEFAULT_LEVELS,
                   progress: Callable[[int], None] | None = None) -> BacktestResult:
    """Evaluate `forecaster` from each origin. `scale` = "fold" (each fold's history) or "initial"
    (the first fold's history) for the MASE denominator."""
    origins = list(origins)
    hmax = max(horizons)
    res = BacktestResult(model, list(horizons), folds=len(origins))
    per: dict[str, dict[int, list[float]]] = {k: {h: [] for h in horizons} for k in ("smape", "mase", "wape")}
    hits: dict[int, list[float]] = {lv: [] for lv in levels}
    actual_all: list[np.ndarray] = []
    initial_scale = metrics.seasonal_naive_scale(y[y.index < origins[0]].to_numpy(), season)
    for i, origin in enumerate(origins):
        history = y[y.index < origin]
        actual = y[y.index >= origin].to_numpy(float)[:hmax]
        if len(actual) < hmax:
            raise ValueError(f"origin {origin} leaves only {len(actual)} steps to test, not {hmax}")
        fc = forecaster(history, hmax)
        yhat = fc["yhat"].to_numpy(float)
        scale_value = initial_scale if scale == "initial" else metrics.seasonal_naive_scale(history.to_numpy(), season)
        for h in horizons:
            per["smape"][h].append(metrics.smape(actual[:h], yhat[:h]))
            per["mase"][h].append(metrics.mase(actual[:h], yhat[:h], scale_value))
            per["wape"][h].append(metrics.wape(actual[:h], yhat[:h]))
        for lv in levels:
            if f"yhat_lo_{lv}" in fc:
                inside = (actual >= fc[f"yhat_lo_{lv}"].to_numpy()) & (actual <= fc[f"yhat_hi_{lv}"].to_numpy())
                hits[lv].extend(inside.astype(float).tolist())
        actual_all.append(actual)
        if progress:
            progress(i + 1)
    for key, table in per.items():
        getattr(res, key).update({h: float(np.mean(v)) for h, v in table.items()})
    res.coverage = {lv: float(np.mean(v)) for lv, v in hits.items() if v}
    return res


def weekly_origins(first: str | pd.Timestamp, count: int, every_days: int = 7) -> list[pd.Timestamp]:
    """`count` origins from `first`, `every_days` apart."""
    start = pd.Timestamp(first)
    return [start + pd.Timedelta(days=every_days * k) for k in range(count)]


def default_season(freq: str) -> int:
    """The seasonal-naive period used to scale MASE for a frequency."""
    return SEASON[freq]
