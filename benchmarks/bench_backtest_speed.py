"""Why the SWAST backtest took over 60 s under load, and what one BLAS thread gives (issue 17).

The daily model's fits are small least-squares problems (about 2,000 x 25); with OpenBLAS's default
threads (one per core) each fit's lstsq and normal equations wait for threads that a loaded machine
cannot run at once. `forecast.one_blas_thread` limits BLAS to one thread for every fit. This runs the
same folds of the SWAST protocol with the limit lifted (the baseline: BLAS's default threads) and with
it, alternating, in one run, and prints each time, their ratio and the load average.

    nice -n 15 python benchmarks/bench_backtest_speed.py [--folds 4] [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bluelamp.demand import backtest as bt
from bluelamp.demand import datasets as ds
from bluelamp.demand import forecast as fc

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "real"


@contextlib.contextmanager
def _default_threads(*args: Any, **kwargs: Any) -> Iterator[None]:
    yield


def _run(y: Any, folds: int, limited: bool) -> float:
    fc._CACHE.clear()
    real = fc.threadpool_limits
    if not limited:
        fc.threadpool_limits = _default_threads  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        bt.rolling_origin(y, bt.weekly_origins(ds.SWAST_ORIGIN, ds.SWAST_FOLDS)[:folds], ds.SWAST_HORIZONS,
                          "model", bt.model_forecaster("D"), 7, scale="initial")
        return time.perf_counter() - t0
    finally:
        fc.threadpool_limits = real  # type: ignore[assignment]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    from threadpoolctl import threadpool_info

    y = ds.swast_daily(REAL)
    blas = ", ".join(f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info())
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; BLAS default: {blas}")
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.rounds):
        for limited in (False, True):
            times[limited].append(_run(y, args.folds, limited))
    base, mine = min(times[False]), min(times[True])
    print(f"SWAST, {args.folds} folds (each 1 fit + 13 calibration fits): default BLAS threads "
          f"{', '.join(f'{t:.1f}' for t in times[False])} s; one BLAS thread {', '.join(f'{t:.1f}' for t in times[True])} s; "
          f"best-of ratio {mine / base:.2f}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
