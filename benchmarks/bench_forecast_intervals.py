"""Interval calibration, measured side by side in one run: the model's own intervals against the
conformally calibrated ones (the point forecasts are the same), on the SWAST daily benchmark and the
DECC hourly series. Coverage is over every forecast step of every fold.

    python benchmarks/bench_forecast_intervals.py [swast] [decc]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from bluelamp.demand import backtest as bt
from bluelamp.demand import datasets as ds

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "real"


def _line(name: str, r: bt.BacktestResult, h: int, dt: float) -> str:
    cov = " / ".join(f"{r.coverage[lv]:.3f}" for lv in sorted(r.coverage))
    return (f"| {name} | sMAPE {r.smape[h]:.2f} | MASE {r.mase[h]:.3f} | WAPE {r.wape[h]:.3f} | "
            f"cover 80 / 95: {cov} | {dt:.0f} s |")


def swast() -> None:
    y = ds.swast_daily(REAL)
    origins = bt.weekly_origins(ds.SWAST_ORIGIN, ds.SWAST_FOLDS)
    print("## SWAST daily, 27 origins, 84 days ahead")
    for name, cal in (("model's own intervals", False), ("conformal", True)):
        t0 = time.perf_counter()
        r = bt.rolling_origin(y, origins, [7, 84], name, bt.model_forecaster("D", calibrate=cal), 7,
                              scale="initial")
        print(_line(name, r, 84, time.perf_counter() - t0) + f" sMAPE@7 {r.smape[7]:.2f}", flush=True)


def decc() -> None:
    y = ds.decc_hourly(REAL)
    origins = [y.index[0] + pd.Timedelta(days=28 + 7 * k) for k in range(8)]
    print("## DECC hourly, 8 week-ahead origins (weeks 45-52)")
    for name, cal in (("model's own intervals", False), ("conformal", True)):
        t0 = time.perf_counter()
        r = bt.rolling_origin(y, origins, [168], name, bt.model_forecaster("h", calibrate=cal), 168)
        print(_line(name, r, 168, time.perf_counter() - t0), flush=True)


if __name__ == "__main__":
    steps = sys.argv[1:] or ["swast", "decc"]
    for step in steps:
        {"swast": swast, "decc": decc}[step]()
