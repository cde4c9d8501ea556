"""Reconciled hierarchy (force, 4 channels, 8 areas, 32 area x channel) against unreconciled base
forecasts, rolling origins on the demo force's daily series (see benchmarks/results/demand.md).

    python benchmarks/bench_demand_hierarchy.py [--folds 6]
"""

from __future__ import annotations

import argparse
import sys
import time

import pandas as pd
from tqdm import tqdm

from bluelamp.demand import datasets, hierarchy

METHODS = ("base", "bu", "ols", "wls_struct", "wls_var", "mint_shrink")
LEVELS = ("force", "channel", "area", "area x channel")
HORIZONS = (7, 28)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=6)
    ap.add_argument("--start", default="2024-07-01")
    ap.add_argument("--end", default="2026-03-31")
    args = ap.parse_args()
    t0 = time.perf_counter()
    bottom = datasets.demo_force_daily(args.start, args.end)
    print(f"demo force {args.start}..{args.end}: {bottom.shape[1]} bottom series, "
          f"{bottom.to_numpy().sum() / len(bottom):.0f} contacts a day ({time.perf_counter() - t0:.1f} s to plan)")
    last = bottom.index[-1] - pd.Timedelta(days=max(HORIZONS) - 1)
    origins = [last - pd.Timedelta(days=14 * k) for k in range(args.folds)][::-1]
    t0 = time.perf_counter()
    with tqdm(total=len(origins), unit="fold", file=sys.stderr) as bar:
        res = hierarchy.backtest_hierarchy(bottom, origins, HORIZONS, METHODS, progress=lambda i: bar.update(1))
    print(f"{len(origins)} origins {origins[0].date()}..{origins[-1].date()} every 14 days, "
          f"{time.perf_counter() - t0:.0f} s")
    for hz in HORIZONS:
        print(f"\nWAPE % at {hz} days (mean over series of the level and folds); MASE in brackets")
        print("| method | " + " | ".join(LEVELS) + " | cover 80 / 95 |")
        print("|---|" + "---|" * (len(LEVELS) + 1))
        for m in METHODS:
            cells = [f"{100 * res.wape[m][lv][hz]:.2f} ({res.mase[m][lv][hz]:.3f})" for lv in LEVELS]
            cov = res.coverage[m]
            print(f"| {m} | " + " | ".join(cells) + f" | {cov[80]:.3f} / {cov[95]:.3f} |")


if __name__ == "__main__":
    main()
