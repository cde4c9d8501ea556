"""Weekly, long-horizon forecasts: which models (and which mean of them) to use, by rolling origin.

Weekly series: the SWAST daily dispatches (2013-12-30 .. 2019-12-29, six years) summed to Monday weeks,
for the Trust and its 7 areas (8 series, 313 weeks each). statsforecast's cross-validation refits every
model at each origin, every 8 weeks, forecasting 26 weeks. Origins up to the end of 2017 choose the
combination (selection); the origins of 2018-2019 only test it (no choice is made there).
MASE is scaled by each fold's in-sample seasonal-naive(52) MAE.

mlforecast with LightGBM on lags, calendar and holiday features (`demand.weekly_gbm`, one model per
series, as bluelamp forecasts) is cross-validated at the same origins and joins the combinations
(`--no-gbm` leaves it out). The rule for adopting it, fixed before it was first run (docs/demand.md):
the best combination on the selection origins is adopted only if it holds LightGBM, its selection
MASE@26 is at least 2% below MSTL's (the weekly model before), and on the test origins its MASE@26 is
no worse than MSTL's or AutoETS's and at least 10% better than seasonal naive.

    python benchmarks/bench_forecast_weekly.py [--no-gbm]
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import MSTL, AutoETS, AutoTheta, SeasonalNaive

from bluelamp.demand import datasets as ds

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "real"
AREAS = ("Trust", "Cornwall", "Devon", "Dorset", "Gloucestershire", "Somerset", "Wiltshire", "BNSSG")
H = 26
STEP = 8


def weekly_frame() -> pd.DataFrame:
    rows = []
    for area in AREAS:
        d = ds.swast_daily(REAL, area)
        w = d.resample("W-SUN", label="left", closed="left").agg(["sum", "count"])
        w = w[w["count"] == 7]["sum"]                       # whole weeks only
        w.index = w.index + pd.Timedelta(days=1)              # label by the week's Monday
        rows.append(pd.DataFrame({"unique_id": area, "ds": w.index, "y": w.to_numpy(float)}))
    return pd.concat(rows, ignore_index=True)


def gbm_cross_validation(df: pd.DataFrame, windows: int) -> pd.DataFrame:
    """LightGBM at the same origins as statsforecast's cross-validation, one model per series."""
    from bluelamp.demand import weekly_gbm

    parts = []
    for uid, one in df.groupby("unique_id", sort=True):
        cv = weekly_gbm.model().cross_validation(one.reset_index(drop=True), n_windows=windows, h=H,  # type: ignore[attr-defined]
                                                 step_size=STEP, static_features=[])
        parts.append(cv.assign(unique_id=uid)[["unique_id", "ds", "cutoff", "LightGBM"]])
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-gbm", action="store_true", help="statsforecast's models only")
    args = ap.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    df = weekly_frame()
    n_weeks = df.groupby("unique_id").size().min()
    models = [SeasonalNaive(52), AutoETS(season_length=52, alias="AutoETS"),
              AutoTheta(season_length=52, alias="AutoTheta"),
              # AutoARIMA with a 52-week season did not finish 8 series x 25 origins in 25 minutes on the
              # shared machine; a non-seasonal ARIMA on the series is no candidate for annual demand.
              MSTL(season_length=52, trend_forecaster=AutoETS(model="ZZN"), alias="MSTL")]
    sf = StatsForecast(models=models, freq="W-MON", n_jobs=1)
    windows = (n_weeks - 156 - H) // STEP + 1                   # first origin after three years
    t0 = time.perf_counter()
    cv = sf.cross_validation(df=df, h=H, step_size=STEP, n_windows=windows)
    dt = time.perf_counter() - t0
    if not args.no_gbm:
        t0 = time.perf_counter()
        gbm = gbm_cross_validation(df, windows)
        dt_gbm = time.perf_counter() - t0
        before = len(cv)
        cv = cv.merge(gbm, on=["unique_id", "ds", "cutoff"], how="inner")
        assert len(cv) == before, "LightGBM's origins differ from statsforecast's"
        print(f"LightGBM cross-validation (one model per series): {dt_gbm:.0f} s")
    names = [c for c in cv.columns if c not in ("unique_id", "ds", "cutoff", "y")]
    scale = {}
    for (uid, cutoff), _ in cv.groupby(["unique_id", "cutoff"]):
        hist = df[(df["unique_id"] == uid) & (df["ds"] <= cutoff)]["y"].to_numpy()
        scale[(uid, cutoff)] = np.abs(hist[52:] - hist[:-52]).mean()
    cv["scale"] = [scale[(u, c)] for u, c in zip(cv["unique_id"], cv["cutoff"], strict=True)]
    cv["step"] = cv.groupby(["unique_id", "cutoff"]).cumcount() + 1
    select = cv["cutoff"] < pd.Timestamp("2018-01-01")
    members = [n for n in names if n != "SeasonalNaive"]
    combos = {"+".join(c): list(c) for r in range(1, len(members) + 1) for c in itertools.combinations(members, r)}
    combos["SeasonalNaive"] = ["SeasonalNaive"]

    def mase(frame: pd.DataFrame, cols: list[str], h: int) -> float:
        part = frame[frame["step"] <= h]
        err = (part["y"] - part[cols].mean(axis=1)).abs() / part["scale"]
        return float(err.groupby([part["unique_id"], part["cutoff"]]).mean().mean())

    chosen = min((k for k in combos if k != "SeasonalNaive"), key=lambda k: mase(cv[select], combos[k], H))
    print(f"## Weekly SWAST, {len(AREAS)} series, {n_weeks} weeks, origins every {STEP} weeks ({windows} in all; "
          f"selection {cv[select]['cutoff'].nunique()} to 2017, test {cv[~select]['cutoff'].nunique()} in 2018-19), "
          f"h = {H}; cross-validation {dt:.0f} s")
    print(f"chosen on the selection origins: {chosen}")
    print("| model | selection MASE@26 | test MASE@4 | test MASE@13 | test MASE@26 | vs seasonal naive @26 |")
    naive = mase(cv[~select], ["SeasonalNaive"], H)
    show = ["SeasonalNaive", *members, chosen, "AutoETS+AutoTheta", "AutoETS+AutoTheta+MSTL",
            "AutoTheta+MSTL", "MSTL+LightGBM", "AutoETS+MSTL+LightGBM"]
    for k in dict.fromkeys(show):
        if k not in combos:
            continue
        t = mase(cv[~select], combos[k], H)
        print(f"| {k} | {mase(cv[select], combos[k], H):.3f} | {mase(cv[~select], combos[k], 4):.3f} | "
              f"{mase(cv[~select], combos[k], 13):.3f} | {t:.3f} | {100 * (1 - t / naive):+.1f}% |")
    if "LightGBM" in combos:
        sel = {k: mase(cv[select], combos[k], H) for k in (chosen, "MSTL")}
        test = {k: mase(cv[~select], combos[k], H) for k in (chosen, "MSTL", "AutoETS")}
        adopt = ("LightGBM" in combos[chosen] and sel[chosen] <= 0.98 * sel["MSTL"]
                 and test[chosen] <= min(test["MSTL"], test["AutoETS"]) and test[chosen] <= 0.9 * naive)
        print(f"adoption rule (fixed before the run): chosen {chosen} holds LightGBM: {'LightGBM' in combos[chosen]}; "
              f"selection {sel[chosen]:.3f} <= 0.98 x MSTL {sel['MSTL']:.3f}: {sel[chosen] <= 0.98 * sel['MSTL']}; "
              f"test {test[chosen]:.3f} <= MSTL {test['MSTL']:.3f} and AutoETS {test['AutoETS']:.3f}, "
              f"<= 0.9 x naive {naive:.3f}: adopt = {adopt}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ranking = sorted(combos, key=lambda k: mase(cv[select], combos[k], H))[:8]
    print("best combinations on the selection origins:", ", ".join(
        f"{k} {mase(cv[select], combos[k], H):.3f}" for k in ranking))


if __name__ == "__main__":
    main()
