"""Many series at once: the national synthetic set, in process against a local Dask cluster.

43 forces x 10 areas x 4 channels (1,720 daily series) built from the demo force's generator
(`datasets.national_daily`), 2024-07-01 .. 2026-03-31; the last 28 days are held out.

- statsforecast's own models (SeasonalNaive, AutoETS, MSTL) on every series: in process
  (`StatsForecast.forecast(df=pandas)`) and on Dask through its Fugue backend (`df=dask DataFrame`).
- bluelamp's model (`many.forecast_many`, conformal intervals included) on a sample of the series
  (every `--every`-th; the whole set takes about 2 s a series on one core), local and on Dask.

Reports series per second, peak memory (this process; each Dask worker), accuracy on the held-out
28 days (MASE, seasonal naive 7 scale; 80/95 coverage) and whether both engines gave the same numbers.

    python benchmarks/bench_forecast_national.py [--every 20] [--sf-every 1] [--workers 2]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from bluelamp.demand import datasets, many

H = 28


def _mase(test: pd.DataFrame, hist: pd.DataFrame, col: str) -> float:
    scale = hist.groupby("unique_id")["y"].apply(lambda s: np.abs(s.to_numpy()[7:] - s.to_numpy()[:-7]).mean())
    err = (test["y"] - test[col]).abs().groupby(test["unique_id"]).mean()
    return float((err / scale.reindex(err.index).clip(lower=1e-9)).mean())


def _cover(test: pd.DataFrame, lo: str, hi: str) -> float:
    return float(((test["y"] >= test[lo]) & (test["y"] <= test[hi])).mean())


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=20, help="bluelamp on every N-th series")
    ap.add_argument("--sf-every", type=int, default=1, help="statsforecast on every N-th series (1: all)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    t0 = time.perf_counter()
    bottom = datasets.demo_force_daily("2024-07-01", "2026-03-31")
    national = datasets.national_daily(bottom)
    ids = sorted(national["unique_id"].unique())
    cut = national["ds"].max() - pd.Timedelta(days=H - 1)
    hist, test = national[national["ds"] < cut], national[national["ds"] >= cut]
    print(f"## National synthetic set: {len(ids)} daily series, {hist['ds'].nunique()} days of history, "
          f"{national.groupby('ds')['y'].sum().mean():,.0f} contacts a day in all ({time.perf_counter() - t0:.0f} s "
          f"to build); memory {_rss_mib():.0f} MiB")

    def models() -> list[object]:
        return [SeasonalNaive(7), AutoETS(season_length=7, alias="AutoETS"),
                MSTL(season_length=7, trend_forecaster=AutoETS(model="ZZN"), alias="MSTL")]

    if args.sf_every > 1:
        keep = ids[:: args.sf_every]
        hist, test, ids = hist[hist["unique_id"].isin(keep)], test[test["unique_id"].isin(keep)], keep
        print(f"statsforecast on every {args.sf_every}th series: {len(ids)}")
    sf = StatsForecast(models=models(), freq="D", n_jobs=1)
    t0 = time.perf_counter()
    local = sf.forecast(df=hist, h=H, level=[80, 95])
    dt_local = time.perf_counter() - t0
    mem_local = _rss_mib()
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        ddf = dd.from_pandas(hist, npartitions=args.workers * 4)
        t0 = time.perf_counter()
        remote = StatsForecast(models=models(), freq="D", n_jobs=1).forecast(df=ddf, h=H, level=[80, 95])
        remote = remote.compute() if hasattr(remote, "compute") else remote
        dt_dask = time.perf_counter() - t0
        workers_mem = client.run(lambda: __import__("psutil").Process().memory_info().rss / 2**20)
        remote = pd.DataFrame(remote).sort_values(["unique_id", "ds"]).reset_index(drop=True)
        local_sorted = local.sort_values(["unique_id", "ds"]).reset_index(drop=True)
        cols = [c for c in local_sorted.columns if c not in ("unique_id", "ds")]
        same = np.allclose(local_sorted[cols].to_numpy(float), remote[cols].to_numpy(float), rtol=1e-9, atol=1e-9)
        print(f"statsforecast (SeasonalNaive + AutoETS + MSTL), {len(ids)} series: in process {dt_local:.0f} s = "
              f"{len(ids) / dt_local:.1f} series/s (peak {mem_local:.0f} MiB); Dask {args.workers} workers "
              f"{dt_dask:.0f} s = {len(ids) / dt_dask:.1f} series/s (workers {', '.join(f'{m:.0f}' for m in workers_mem.values())} "
              f"MiB); same numbers: {same}")
        scored = test.merge(local, on=["unique_id", "ds"])
        for col in ("SeasonalNaive", "AutoETS", "MSTL"):
            cov = (f", cover 80/95 {_cover(scored, f'{col}-lo-80', f'{col}-hi-80'):.3f} / "
                   f"{_cover(scored, f'{col}-lo-95', f'{col}-hi-95'):.3f}") if f"{col}-lo-80" in scored else ""
            print(f"| {col} (all series) | MASE@28 {_mase(scored, hist, col):.3f}{cov} |")

        sample = ids[:: args.every]
        part = hist[hist["unique_id"].isin(sample)]
        t0 = time.perf_counter()
        ours = many.forecast_many(part, "D", H)
        dt_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours_dask = many.forecast_many(part, "D", H, engine="dask", client=client)
        dt_ours_dask = time.perf_counter() - t0
        same_ours = ours.equals(ours_dask)
        print(f"bluelamp, {len(sample)} series (every {args.every}th of those): in process {dt_ours:.0f} s = "
              f"{len(sample) / dt_ours:.2f} series/s; Dask {args.workers} workers {dt_ours_dask:.0f} s = "
              f"{len(sample) / dt_ours_dask:.2f} series/s; identical: {same_ours}")
    ours["ds"] = pd.to_datetime(ours["ds"])
    mine = test.merge(ours, on=["unique_id", "ds"])
    base = test[test["unique_id"].isin(sample)].merge(local, on=["unique_id", "ds"])
    hs = hist[hist["unique_id"].isin(sample)]
    print(f"| bluelamp (sample) | MASE@28 {_mase(mine, hs, 'yhat'):.3f}, cover 80/95 "
          f"{_cover(mine, 'yhat_lo_80', 'yhat_hi_80'):.3f} / {_cover(mine, 'yhat_lo_95', 'yhat_hi_95'):.3f} |")
    for col in ("SeasonalNaive", "AutoETS", "MSTL"):
        print(f"| {col} (same sample) | MASE@28 {_mase(base, hs, col):.3f} |")


if __name__ == "__main__":
    main()
