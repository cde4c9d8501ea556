"""Forecast reconciliation: make force, area and channel forecasts add up (Nixtla's hierarchicalforecast).

A grouped hierarchy has bottom series (one per area and channel) and aggregates (each channel over all
areas, each area over all channels, the force). With the summing matrix S (all series x bottom series),
any base forecasts y_hat (one per series) are made coherent by y_tilde = S G y_hat with

    G = (S' W^-1 S)^-1 S' W^-1

for a choice of W (Wickramasuriya, Athanasopoulos and Hyndman 2019):

- ``bu``: bottom-up, G picks the bottom forecasts;
- ``ols``: W = I;
- ``wls_struct``: W = diag(S 1), each series weighted by how many bottom series it sums;
- ``wls_var``: W = diag of each series' forecast variance (from residuals, or given per step, e.g.
  from the base model's prediction intervals);
- ``mint_shrink``: W = the in-sample residual covariance shrunk toward its diagonal with the
  Schaefer-Strimmer intensity (as the R package hts and Nixtla's hierarchicalforecast do).

The coherent means come from hierarchicalforecast (`BottomUp`, `MinTrace`), given our summing matrix
and residuals. The one case it has no form for is ``wls_var`` with a variance per series *and step*
(the base models' interval widths, which grow with the horizon): each step is then reconciled with its
own W by the closed form above (`projection`), which matches hierarchicalforecast's wls_var step by step.

Counts cannot be negative, so by default a negative reconciled bottom forecast is set to zero and the
aggregates summed again (still coherent). Reconciled intervals keep each base model's width and move
with the mean (`reconcile_frames`): a simple, documented choice, not a reconciled distribution.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

METHODS = ("bu", "ols", "wls_struct", "wls_var", "mint_shrink")
ALL = "*"


@dataclass(frozen=True)
class Hierarchy:
    """Series keys (area, channel), aggregates first ("*" meaning all), and the summing matrix."""

    keys: list[tuple[str, str]]
    S: np.ndarray

    @property
    def bottom(self) -> list[tuple[str, str]]:
        return self.keys[len(self.keys) - self.S.shape[1]:]

    def index(self, key: tuple[str, str]) -> int:
        return self.keys.index(key)


def label(key: tuple[str, str]) -> str:
    """A readable name: "force", "999", "Stafford", or "Stafford / 999"."""
    area, channel = key
    if area == ALL and channel == ALL:
        return "force"
    if area == ALL:
        return channel
    if channel == ALL:
        return area
    return f"{area} / {channel}"


def grouped(bottom: Sequence[tuple[str, str]], by_area: bool = True, by_channel: bool = True) -> Hierarchy:
    """The grouped hierarchy over (area, channel) bottom series: force, channels, areas, bottom.

    With one area only (e.g. ("*", channel) bottoms) it is force = sum of channels.
    """
    bottom = list(dict.fromkeys(bottom))
    if not bottom:
        raise ValueError("a hierarchy needs at least one bottom series")
    areas = sorted({a for a, _ in bottom})
    channels = sorted({c for _, c in bottom})
    keys: list[tuple[str, str]] = [(ALL, ALL)]
    if by_channel and len(areas) > 1:
        keys += [(ALL, c) for c in channels]
    if by_area and len(channels) > 1:
        keys += [(a, ALL) for a in areas if a != ALL]
    keys = [k for k in keys if k not in bottom]
    rows = []
    for a, c in keys:
        rows.append([float((a in (ALL, ba)) and (c in (ALL, bc))) for ba, bc in bottom])
    s = np.vstack([np.asarray(rows, float).reshape(len(keys), len(bottom)), np.eye(len(bottom))])
    return Hierarchy(keys + bottom, s)


def shrink_covariance(residuals: np.ndarray, centred: bool = True) -> tuple[np.ndarray, float]:
    """Residual covariance (series x series) shrunk toward its diagonal; returns (W, lambda).

    `residuals` is series x time; NaNs are treated as zero errors. `centred` (the default) is the
    sample covariance as Nixtla's hierarchicalforecast computes it (matched to 1e-9 in a check);
    `centred=False` is the mean square error matrix of R's hts.
    """
    x = np.nan_to_num(np.asarray(residuals, float)).T  # time x series
    t = x.shape[0]
    if t < 2:
        raise ValueError("MinT(shrink) needs residuals over at least two time steps")
    if centred:
        x = x - x.mean(axis=0)
    cov = x.T @ x / t
    sd = np.sqrt(np.diag(cov))
    sd = np.where(sd > 0, sd, 1.0)
    xs = x / sd
    corr = xs.T @ xs / t
    v = (xs**2).T @ (xs**2) - (xs.T @ xs) ** 2 / t
    v *= 1.0 / (t * (t - 1))
    np.fill_diagonal(v, 0.0)
    d = corr.copy()
    np.fill_diagonal(d, 0.0)
    denom = float((d**2).sum())
    lam = 1.0 if denom == 0 else float(np.clip(v.sum() / denom, 0.0, 1.0))
    w = lam * np.diag(np.diag(cov)) + (1 - lam) * cov
    return (w * t / (t - 1) if centred else w), lam


def weights(h: Hierarchy, method: str, residuals: np.ndarray | None = None,
            variances: np.ndarray | None = None) -> np.ndarray | None:
    """The W matrix of a method (None for bottom-up)."""
    n = h.S.shape[0]
    if method == "bu":
        return None
    if method == "ols":
        return np.eye(n)
    if method == "wls_struct":
        return np.diag(h.S.sum(axis=1))
    if method == "wls_var":
        if variances is None:
            if residuals is None:
                raise ValueError("wls_var needs residuals or forecast variances")
            variances = np.nanmean(np.asarray(residuals, float) ** 2, axis=1)
        var = np.asarray(variances, float)
        floor = max(float(np.nanmax(var)) * 1e-9, 1e-12) if var.size else 1e-12
        return np.diag(np.maximum(np.nan_to_num(var), floor))
    if method == "mint_shrink":
        if residuals is None:
            raise ValueError("mint_shrink needs in-sample residuals (series x time)")
        w, _ = shrink_covariance(residuals)
        # A series with no variance at all would make W singular: give it a tiny one.
        diag = np.diag(w).copy()
        tiny = max(float(diag.max()) * 1e-9, 1e-12)
        w[np.diag_indices_from(w)] = np.maximum(diag, tiny)
        return w
    raise ValueError(f"unknown reconciliation method {method!r}: use one of {', '.join(METHODS)}")


def projection(h: Hierarchy, w: np.ndarray | None) -> np.ndarray:
    """G (bottom x all): bottom forecasts from all base forecasts."""
    n, m = h.S.shape
    if w is None:
        g = np.zeros((m, n))
        g[:, n - m:] = np.eye(m)
        return g
    winv_s = np.linalg.solve(w, h.S)                         # W^-1 S
    return np.asarray(np.linalg.solve(h.S.T @ winv_s, winv_s.T))  # (S'W^-1 S)^-1 S'W^-1


def reconcile(base: np.ndarray, h: Hierarchy, method: str = "mint_shrink", residuals: np.ndarray | None = None,
              variances: np.ndarray | None = None, nonnegative: bool = True) -> np.ndarray:
    """Coherent forecasts (series x steps) from base forecasts (series x steps) in `h.keys` order.

    `variances` for ``wls_var`` may be one per series or series x steps (each step reconciled with its
    own weights).
    """
    y = np.asarray(base, float)
    if y.ndim != 2 or y.shape[0] != h.S.shape[0]:
        raise ValueError(f"base forecasts must be {h.S.shape[0]} series x steps, got shape {y.shape}")
    if method == "wls_var" and variances is not None and np.ndim(variances) == 2:
        # Each step with its own weights: hierarchicalforecast has no per-step W, so this stays here.
        var = np.asarray(variances, float)
        bottom = np.column_stack([projection(h, weights(h, method, variances=var[:, j])) @ y[:, j]
                                  for j in range(y.shape[1])]) if y.shape[1] else np.zeros((h.S.shape[1], 0))
    elif method == "wls_var" and variances is not None:
        bottom = projection(h, weights(h, method, residuals, variances)) @ y
    else:
        bottom = _nixtla(y, h, method, residuals)
    if nonnegative:
        bottom = np.maximum(bottom, 0.0)
    return np.asarray(h.S @ bottom)


def _nixtla(y: np.ndarray, h: Hierarchy, method: str, residuals: np.ndarray | None) -> np.ndarray:
    """Bottom-level reconciled means from Nixtla's hierarchicalforecast (BottomUp or MinTrace)."""
    from hierarchicalforecast.methods import BottomUp, MinTrace

    if method not in METHODS:
        raise ValueError(f"unknown reconciliation method {method!r}: use one of {', '.join(METHODS)}")
    if method in ("wls_var", "mint_shrink"):
        if residuals is None:
            need = "in-sample residuals (series x time)" if method == "mint_shrink" else "residuals or forecast variances"
            raise ValueError(f"{method} needs {need}")
        res = np.nan_to_num(np.asarray(residuals, float))
        if res.shape[1] < 2:
            raise ValueError(f"{method} needs residuals over at least two time steps")
        # A series with no error at all would make W singular: give it a tiny one, as before.
        flat = res.std(axis=1) == 0
        if flat.any():
            res = res.copy()
            tiny = max(float(np.abs(res).max()) * 1e-6, 1e-6)
            res[flat] += tiny * np.where(np.arange(res.shape[1]) % 2 == 0, 1.0, -1.0)
        insample: dict[str, np.ndarray] = {"y_insample": res, "y_hat_insample": np.zeros_like(res)}
    else:
        insample = {}
    model = BottomUp() if method == "bu" else MinTrace(method=method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = model.fit_predict(S=h.S, y_hat=y, **insample)
    m = h.S.shape[1]
    return np.asarray(out["mean"], float)[-m:]


def reconcile_normal(base: np.ndarray, sigma: np.ndarray, h: Hierarchy, method: str,
                     residuals: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Probabilistic reconciliation (hierarchicalforecast's "normality"): coherent means and each
    series' reconciled standard deviation per step, from base means and base sds (series x steps)."""
    from hierarchicalforecast.methods import BottomUp, MinTrace

    if method not in METHODS:
        raise ValueError(f"unknown reconciliation method {method!r}: use one of {', '.join(METHODS)}")
    insample: dict[str, np.ndarray] = {}
    if method in ("wls_var", "mint_shrink"):
        if residuals is None:
            raise ValueError(f"{method} needs in-sample residuals (series x time)")
        res = np.nan_to_num(np.asarray(residuals, float))
        insample = {"y_insample": res, "y_hat_insample": np.zeros_like(res)}
    model = BottomUp() if method == "bu" else MinTrace(method=method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = model.fit_predict(S=h.S, y_hat=np.asarray(base, float), sigmah=np.asarray(sigma, float),
                                level=[80], intervals_method="normality", **insample)
    return np.asarray(out["mean"], float), np.asarray(out["sigmah"], float)


def reconcile_frames(frames: Mapping[tuple[str, str], pd.DataFrame], h: Hierarchy, method: str = "wls_var",
                     residuals: Mapping[tuple[str, str], np.ndarray] | None = None,
                     nonnegative: bool = True, intervals: str = "shift") -> dict[tuple[str, str], pd.DataFrame]:
    """Reconcile forecast frames (yhat, yhat_lo_L, yhat_hi_L, one per key, same index).

    ``wls_var`` takes each step's variance from the upper half of the widest interval of each base
    forecast (the lower half may have been clipped at zero). With `intervals="shift"` (the default)
    intervals keep the base width and move with the mean; with `intervals="normality"` they are
    hierarchicalforecast's reconciled normal intervals (base sds from the same upper halves; not for
    ``wls_var``, whose per-step weights it has no form for). Lower bounds are kept at zero or more.
    """
    if intervals not in ("shift", "normality"):
        raise ValueError("intervals must be shift or normality")
    if intervals == "normality" and method == "wls_var":
        raise ValueError("normality intervals need a method with one W for all steps, not wls_var")
    missing = [label(k) for k in h.keys if k not in frames]
    if missing:
        raise ValueError(f"no base forecast for {', '.join(missing)}")
    first = frames[h.keys[0]]
    base = np.vstack([frames[k]["yhat"].to_numpy(float) for k in h.keys])
    variances = None
    res = None
    if method == "wls_var":
        variances = np.vstack([_variance(frames[k]) for k in h.keys])
    if residuals is not None:
        span = min(len(residuals[k]) for k in h.keys)
        res = np.vstack([np.asarray(residuals[k], float)[-span:] for k in h.keys])
    rec = reconcile(base, h, method, residuals=res, variances=variances, nonnegative=nonnegative)
    sigma_rec = None
    if intervals == "normality":
        sigma = np.sqrt(np.vstack([_variance(frames[k]) for k in h.keys]))
        _, sigma_rec = reconcile_normal(base, sigma, h, method, res)
    out = {}
    for i, k in enumerate(h.keys):
        f = frames[k].copy()
        shift = rec[i] - f["yhat"].to_numpy(float)
        f["yhat"] = rec[i]
        for col in f.columns:
            if sigma_rec is not None and col.startswith(("yhat_lo_", "yhat_hi_")):
                z = _z(int(col.rsplit("_", 1)[1]))
                f[col] = rec[i] + (z if col.startswith("yhat_hi_") else -z) * sigma_rec[i]
            elif col.startswith(("yhat_lo_", "yhat_hi_")):
                f[col] = f[col].to_numpy(float) + shift
                if col.startswith("yhat_lo_") and nonnegative:
                    f[col] = f[col].clip(lower=0.0)
        f.index = first.index
        out[k] = f
    return out


def _z(level: int) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 200)


def _variance(frame: pd.DataFrame) -> np.ndarray:
    from statistics import NormalDist

    levels = sorted(int(c.rsplit("_", 1)[1]) for c in frame.columns if c.startswith("yhat_hi_"))
    if not levels:
        raise ValueError("wls_var needs prediction intervals in every base forecast")
    lv = levels[-1]
    z = NormalDist().inv_cdf(0.5 + lv / 200)
    half = (frame[f"yhat_hi_{lv}"] - frame["yhat"]).to_numpy(float)  # the lower bound may be clipped at 0
    return np.asarray((half / z) ** 2)
