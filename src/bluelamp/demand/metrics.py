"""Forecast accuracy measures (numpy only): MASE, sMAPE, WAPE, interval coverage, Poisson floor."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike


def smape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Symmetric MAPE in percent: mean(200 |y - f| / (|y| + |f|)); 0/0 terms count as 0."""
    y, f = np.asarray(actual, float), np.asarray(forecast, float)
    denom = np.abs(y) + np.abs(f)
    terms = np.where(denom == 0, 0.0, 200.0 * np.abs(y - f) / np.where(denom == 0, 1.0, denom))
    return float(terms.mean())


def wape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Weighted absolute percentage error as a fraction: sum |y - f| / sum y."""
    y, f = np.asarray(actual, float), np.asarray(forecast, float)
    total = np.abs(y).sum()
    return float(np.abs(y - f).sum() / total) if total else math.nan


def seasonal_naive_scale(history: ArrayLike, season: int) -> float:
    """In-sample mean absolute error of the seasonal naive forecast (the MASE denominator)."""
    h = np.asarray(history, float)
    if len(h) <= season:
        raise ValueError(f"need more than {season} observations to scale by seasonal naive({season})")
    return float(np.abs(h[season:] - h[:-season]).mean())


def mase(actual: ArrayLike, forecast: ArrayLike, scale: float) -> float:
    """Mean absolute error divided by a seasonal-naive scale."""
    y, f = np.asarray(actual, float), np.asarray(forecast, float)
    return float(np.abs(y - f).mean() / scale)


def coverage(actual: ArrayLike, lo: ArrayLike, hi: ArrayLike) -> float:
    """Share of actuals inside [lo, hi]."""
    y = np.asarray(actual, float)
    return float(((y >= np.asarray(lo, float)) & (y <= np.asarray(hi, float))).mean())


def poisson_wape_floor(rates: ArrayLike) -> float:
    """The WAPE a perfect forecast of a Poisson rate would still make.

    E|Y - lambda| is about sqrt(2 lambda / pi) for a Poisson count, so the floor is
    sum sqrt(2 lambda / pi) / sum lambda; for a constant rate that is sqrt(2 / (pi rate)).
    """
    lam = np.asarray(rates, float)
    lam = lam[lam > 0]
    return float(np.sqrt(2.0 * lam / math.pi).sum() / lam.sum()) if lam.size else math.nan
