"""Forecasts for a hierarchy of series (force, channels, areas, area x channel) that add up.

Every series of the hierarchy gets its own base forecast (the daily ensemble of `forecast.py`, with
its in-sample fitted values); the base forecasts are then reconciled (`reconcile.py`). Which
reconciliation to use was chosen by the rolling-origin backtest in `backtest_hierarchy` on the demo
force (docs/demand.md): MinT(shrink).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bluelamp.demand import metrics, reconcile
from bluelamp.demand.forecast import DEFAULT_LEVELS, forecast_daily_fitted
from bluelamp.demand.reconcile import Hierarchy

DEFAULT_METHOD = "mint_shrink"
Key = tuple[str, str]
Progress = Callable[[int], None]


def all_series(bottom: pd.DataFrame, h: Hierarchy) -> pd.DataFrame:
    """Every series of the hierarchy (columns in `h.keys` order) from the bottom series' columns."""
    values = bottom[h.bottom].to_numpy(float) @ h.S.T
    return pd.DataFrame(values, index=bottom.index, columns=pd.MultiIndex.from_tuples(h.keys))


def base_forecasts(series: pd.DataFrame, h: Hierarchy, horizon: int, levels: Sequence[int] = DEFAULT_LEVELS,
                   progress: Progress | None = None) -> tuple[dict[Key, pd.DataFrame], dict[Key, np.ndarray]]:
    """Each series' own daily forecast and in-sample residuals."""
    frames: dict[Key, pd.DataFrame] = {}
    residuals: dict[Key, np.ndarray] = {}
    for i, key in enumerate(h.keys):
        y = series[key]
        fc, fitted = forecast_daily_fitted(y, horizon, levels)
        frames[key] = fc.clip(lower=0.0)
        residuals[key] = y.to_numpy(float) - fitted
        if progress:
            progress(i + 1)
    return frames, residuals


def forecast_hierarchy(bottom: pd.DataFrame, horizon: int, method: str = DEFAULT_METHOD,
                       levels: Sequence[int] = DEFAULT_LEVELS, residual_days: int = 365,
                       progress: Progress | None = None) -> dict[Key, pd.DataFrame]:
    """Coherent daily forecasts for every series of the hierarchy over `bottom`'s (area, channel) columns."""
    h = reconcile.grouped(list(bottom.columns))
    frames, residuals = base_forecasts(all_series(bottom, h), h, horizon, levels, progress)
    trimmed = {k: v[-residual_days:] for k, v in residuals.items()}
    return reconcile.reconcile_frames(frames, h, method, residuals=trimmed)


@dataclass
class HierarchyBacktest:
    """WAPE and MASE by method and level of the hierarchy, averaged over series of a level and folds."""

    horizons: list[int]
    folds: int = 0
    wape: dict[str, dict[str, dict[int, float]]] = field(default_factory=dict)   # method -> level -> h
    mase: dict[str, dict[str, dict[int, float]]] = field(default_factory=dict)
    coverage: dict[str, dict[int, float]] = field(default_factory=dict)          # method -> level% -> share


def level_of(key: Key) -> str:
    area, channel = key
    if area == reconcile.ALL and channel == reconcile.ALL:
        return "force"
    if area == reconcile.ALL:
        return "channel"
    if channel == reconcile.ALL:
        return "area"
    return "area x channel"


def backtest_hierarchy(bottom: pd.DataFrame, origins: Iterable[pd.Timestamp], horizons: Sequence[int],
                       methods: Sequence[str] = ("base", "bu", "ols", "wls_struct", "wls_var", "mint_shrink"),
                       levels: Sequence[int] = DEFAULT_LEVELS, residual_days: int = 365,
                       progress: Progress | None = None) -> HierarchyBacktest:
    """Rolling-origin backtest of the unreconciled base forecasts against each reconciliation.

    Each fold fits every series on the days before the origin; measures at horizon h use the fold's
    first h days; MASE is scaled by each series' in-sample seasonal-naive(7) MAE over the fold.
    """
    h = reconcile.grouped(list(bottom.columns))
    series = all_series(bottom, h)
    origins = list(origins)
    hmax = max(horizons)
    out = HierarchyBacktest(list(horizons), len(origins))
    wape: dict[str, dict[str, dict[int, list[float]]]] = {}
    mase: dict[str, dict[str, dict[int, list[float]]]] = {}
    hits: dict[str, dict[int, list[float]]] = {m: {lv: [] for lv in levels} for m in methods}
    for done, origin in enumerate(origins, start=1):
        hist = series[series.index < origin]
        actual = series[series.index >= origin].iloc[:hmax]
        if len(actual) < hmax:
            raise ValueError(f"origin {origin} leaves only {len(actual)} days to test, not {hmax}")
        frames, residuals = base_forecasts(hist, h, hmax, levels)
        trimmed = {k: v[-residual_days:] for k, v in residuals.items()}
        for method in methods:
            rec = frames if method == "base" else reconcile.reconcile_frames(frames, h, method, residuals=trimmed)
            for key in h.keys:
                y = actual[key].to_numpy(float)
                f = rec[key]
                scale = metrics.seasonal_naive_scale(hist[key].to_numpy(float), 7)
                for hz in horizons:
                    lvl = level_of(key)
                    wape.setdefault(method, {}).setdefault(lvl, {}).setdefault(hz, []).append(
                        metrics.wape(y[:hz], f["yhat"].to_numpy()[:hz]))
                    mase.setdefault(method, {}).setdefault(lvl, {}).setdefault(hz, []).append(
                        metrics.mase(y[:hz], f["yhat"].to_numpy()[:hz], scale) if scale > 0 else np.nan)
                for lv in levels:
                    inside = (y >= f[f"yhat_lo_{lv}"].to_numpy()) & (y <= f[f"yhat_hi_{lv}"].to_numpy())
                    hits[method][lv].extend(inside.astype(float).tolist())
        if progress:
            progress(done)
    out.wape = {m: {lvl: {hz: float(np.nanmean(v)) for hz, v in by.items()} for lvl, by in t.items()}
                for m, t in wape.items()}
    out.mase = {m: {lvl: {hz: float(np.nanmean(v)) for hz, v in by.items()} for lvl, by in t.items()}
                for m, t in mase.items()}
    out.coverage = {m: {lv: float(np.mean(v)) for lv, v in t.items() if v} for m, t in hits.items()}
    return out
