"""Demand benchmarks, measured side by side in one run (see benchmarks/results/demand.md).

    python benchmarks/bench_demand.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from bluelamp.demand import backtest as bt
from bluelamp.demand import datasets as ds
from bluelamp.demand import erlang, metrics
from bluelamp.demand.rota import Person, build_rota
from bluelamp.demand.simulate import CallPlan, simulate_calls
from bluelamp.demand.staffing import CHANNEL_TARGETS, staff_curve, staff_interval

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "real"


def swast() -> None:
    y = ds.swast_daily(REAL)
    origins = bt.weekly_origins(ds.SWAST_ORIGIN, ds.SWAST_FOLDS)
    print("## SWAST daily (27 origins from 2017-07-01, weekly), sMAPE % by horizon")
    for name, fc in (("seasonal naive", bt.naive_forecaster("D")), ("bluelamp ensemble", bt.model_forecaster("D"))):
        t0 = time.perf_counter()
        r = bt.rolling_origin(y, origins, ds.SWAST_HORIZONS, name, fc, 7, scale="initial")
        dt = time.perf_counter() - t0
        cov = " ".join(f"{k}%: {v:.3f}" for k, v in r.coverage.items())
        print(f"| {name} | " + " | ".join(f"{r.smape[h]:.2f}" for h in ds.SWAST_HORIZONS)
              + f" | MASE@84 {r.mase[84]:.3f} | {cov} | {dt:.1f} s |")
    print("| Prophet (published) | 2.99 | 3.05 | 3.09 | 3.12 | 3.29 |")


def decc() -> None:
    y = ds.decc_hourly(REAL)
    origins = [y.index[0] + pd.Timedelta(days=28 + 7 * k) for k in range(8)]
    test = y[y.index >= origins[0]]
    print("## DECC hourly, weeks 41-52, 8 one-week-ahead origins (weeks 45-52)")
    for name, fc in (("seasonal naive 168", bt.naive_forecaster("h")), ("bluelamp", bt.model_forecaster("h"))):
        t0 = time.perf_counter()
        r = bt.rolling_origin(y, origins, [168], name, fc, 168)
        dt = time.perf_counter() - t0
        print(f"| {name} | MASE {r.mase[168]:.3f} | WAPE {r.wape[168]:.3f} | {r.coverage} | {dt:.1f} s |")
    floor = float(np.sqrt(2 / (np.pi * test.mean())))
    print(f"Poisson floor sqrt(2/(pi*rate)) at mean rate {test.mean():.2f}/h: {floor:.3f}; "
          f"hour-by-hour floor using the actual hourly means by hour of week: "
          f"{metrics.poisson_wape_floor(test.groupby([test.index.dayofweek, test.index.hour]).transform('mean')):.3f}")
    for days in (1, 2, 3):
        rd = {}
        for name, fc in (("snaive", bt.naive_forecaster("h")), ("model", bt.model_forecaster("h"))):
            rd[name] = bt.rolling_origin(y, origins, [24 * days], name, fc, 168)
        print(f"day-ahead x{days}: MASE naive {rd['snaive'].mase[24 * days]:.3f} model {rd['model'].mase[24 * days]:.3f}")


def staffing_speed() -> None:
    rng = np.random.default_rng(1)
    calls = rng.uniform(5, 120, size=(3, 336))
    t0 = time.perf_counter()
    for ch, row in zip(("999", "101", "chat"), calls, strict=True):
        target = CHANNEL_TARGETS["999"] if ch != "chat" else CHANNEL_TARGETS["chat"]
        for c in row:
            staff_interval(float(c), 1800, target)
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    one_by_one = [staff_interval(float(c), 1800, CHANNEL_TARGETS["101"])["agents"] for c in calls[1]]
    da = time.perf_counter() - t1
    runs = []
    for _ in range(7):
        t2 = time.perf_counter()
        together = [r["agents"] for r in staff_curve(calls[1].tolist(), 1800, CHANNEL_TARGETS["101"])]
        runs.append(time.perf_counter() - t2)
    assert together == one_by_one
    print(f"## Erlang staffing: 336 intervals x 3 channels (Erlang C) {dt * 1000:.1f} ms; "
          f"336 intervals Erlang A (101): one at a time {da * 1000:.1f} ms, all at once (numpy) "
          f"median {np.median(runs) * 1000:.1f} ms, best {min(runs) * 1000:.1f} ms (same agents)")
    assert erlang.required_agents(10, 180, 20, 0.8).agents == 14


def rota_speed() -> None:
    slot = np.arange(28 * 48) % 48
    req = np.round(3.2 * (6 + 4 * np.sin((slot - 18) / 48 * 2 * np.pi) + 1.5 * (slot >= 34))).astype(int)
    people = [Person(f"p{i:03d}", leave=frozenset({(i * 3) % 28}) if i % 5 == 0 else frozenset(),
                     avoid_nights=i % 4 == 0) for i in range(120)]
    t0 = time.perf_counter()
    r = build_rota(req, people, time_limit_s=25)
    dt = time.perf_counter() - t0
    print(f"## Rota 4 weeks, 120 people: {dt:.1f} s, {len(r.shifts)} shifts, {len(r.unfilled)} unfilled, "
          f"shortfall {r.shortfall.sum() / 2:.1f} slot-hours, over-cover {r.over_cover.sum() / 2:.1f}, {r.status}")


def sim_speed() -> None:
    t0 = time.perf_counter()
    r = simulate_calls(CallPlan([100] * 400, [14] * 400, 1800, 180, 20))
    dt = time.perf_counter() - t0
    print(f"## Simulation: {r.events} events in {dt:.2f} s = {r.events / dt:,.0f} events/s; "
          f"SL {r.answered_in_target:.4f} vs Erlang C {erlang.erlang_c_measures(14, 10, 180, 20).service_level:.4f}")


if __name__ == "__main__":
    for step in (staffing_speed, sim_speed, swast, decc, rota_speed):
        step()
