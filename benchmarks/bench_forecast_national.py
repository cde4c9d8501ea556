"""Many series at once: the national synthetic set, in process against a local Dask cluster.

43 forces x 10 areas x 4 channels (1,720 daily series) built from the demo force's generator
(`datasets.national_daily`), 2024-07-01 .. 2026-03-31; the last 28 days are held out. `--freq h`: the
same 1,720 series per hour over their last `--hourly-days` + 7 days (`datasets.national_hourly`: each
day's count split over its hours with the demo force's hour-of-day shape), the last 168 hours held out;
statsforecast's models are then SeasonalNaive(168), AutoETS(season 24) and MSTL(24, 168).

The run forecasts a **stratified sample**: every force (so every force size, largest to smallest) with
`--areas-per-force` of its 10 areas (rotating, so the sample spans the areas) and all 4 channels; the
default, 1 area, is 172 series = 10% of the set. `--areas-per-force 10` runs all 1,720.

- statsforecast's own models (SeasonalNaive, AutoETS, MSTL): in process (`StatsForecast.forecast` on
  pandas) and on Dask through its Fugue backend (a Dask DataFrame), compared to float32 (its Fugue
  backend's output schema is float32: docs/demand.md "Many series at once").
- bluelamp's model (`many.forecast_many`, conformal intervals included), in process and on Dask,
  compared exactly.

Reports series per second (wall clock), CPU seconds a series (this process, plus the workers' on Dask:
the figure that carries over from a loaded machine), memory (this process's peak and resident size after each stage; each Dask
worker's resident size after the run), the Dask / in-process ratio, the whole-set time extrapolated from the sample rate,
accuracy on the held-out 28 days or 168 hours (MASE, in-sample seasonal naive 7 / 168 scale; 80/95 coverage) and whether both
engines gave the same numbers. Run it niced on a shared machine:

    nice -n 15 python benchmarks/bench_forecast_national.py [--areas-per-force 1] [--workers 2] [--skip-sf]
        [--freq D|h] [--hourly-days 84]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from typing import Any

import numpy as np
import pandas as pd

from bluelamp.demand import datasets, many

HORIZON = {"D": 28, "h": 168}
SEASON = {"D": 7, "h": 168}    # the MASE scale and seasonal naive's season: a week either way
ALL = 1720


def _mase(test: pd.DataFrame, hist: pd.DataFrame, col: str, m: int) -> float:
    scale = hist.groupby("unique_id")["y"].apply(lambda s: np.abs(s.to_numpy()[m:] - s.to_numpy()[:-m]).mean())
    err = (test["y"] - test[col]).abs().groupby(test["unique_id"]).mean()
    return float((err / scale.reindex(err.index).clip(lower=1e-9)).mean())


def _cover(test: pd.DataFrame, lo: str, hi: str) -> float:
    return float(((test["y"] >= test[lo]) & (test["y"] <= test[hi])).mean())


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss / 2**20)


def _worker_rss_mib() -> float:
    # Resident size after the run: a spawned worker's ru_maxrss starts from its parent's (Linux keeps
    # it across fork and exec), so it cannot give the worker's own peak.
    import psutil

    return float(psutil.Process().memory_info().rss / 2**20)


def _worker_cpu_s() -> float:
    import psutil

    t = psutil.Process().cpu_times()
    return float(t.user + t.system)


def _cpu_workers(client: Any) -> float:
    return float(sum(client.run(_worker_cpu_s).values()))


def stratified(ids: list[str], areas_per_force: int) -> list[str]:
    """Every force, `areas_per_force` of its areas (rotating with the force), every channel."""
    forces = sorted({i.split("/")[0] for i in ids})
    keep = set()
    for k, force in enumerate(forces):
        for j in range(areas_per_force):
            area = f"area{(k + j) % 10 + 1}"
            keep.update(i for i in ids if i.startswith(f"{force}/{area}/"))
    return sorted(i for i in ids if i in keep)


HEADER = ("| run | series | wall | series/s (wall) | CPU s a series | all 1,720: wall at this rate / "
          "CPU on one free core | memory |\n|---|---|---|---|---|---|---|")


def _line(name: str, n: int, dt: float, cpu: float, extra: str = "") -> str:
    return (f"| {name} | {n} | {dt:.0f} s | {n / dt:.2f} | {cpu / n:.2f} | {ALL / (n / dt) / 60:.0f} min / "
            f"{ALL * cpu / n / 60:.0f} min | {extra} |")


def _sf_models(freq: str) -> list[object]:
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    if freq == "h":
        return [SeasonalNaive(168, alias="SeasonalNaive"), AutoETS(season_length=24, alias="AutoETS"),
                MSTL(season_length=[24, 168], trend_forecaster=AutoETS(model="ZZN"), alias="MSTL")]
    return [SeasonalNaive(7), AutoETS(season_length=7, alias="AutoETS"),
            MSTL(season_length=7, trend_forecaster=AutoETS(model="ZZN"), alias="MSTL")]


def _sf_accuracy(local: pd.DataFrame, hist: pd.DataFrame, test: pd.DataFrame, freq: str) -> None:
    scored = test.merge(local, on=["unique_id", "ds"])
    h = HORIZON[freq]
    for col in ("SeasonalNaive", "AutoETS", "MSTL"):
        print(f"| {col} | MASE@{h} {_mase(scored, hist, col, SEASON[freq]):.3f}, cover 80/95 "
              f"{_cover(scored, f'{col}-lo-80', f'{col}-hi-80'):.3f} / "
              f"{_cover(scored, f'{col}-lo-95', f'{col}-hi-95'):.3f} |")


def _sf_local(hist: pd.DataFrame, test: pd.DataFrame, freq: str, chunk: int, save: str) -> pd.DataFrame:
    """statsforecast in process, `chunk` forces at a time (a progress line after each: a run stopped
    early still says how far it got, on which series)."""
    from statsforecast import StatsForecast

    H = HORIZON[freq]
    warm = hist[hist["unique_id"] == hist["unique_id"].iloc[0]]
    t0 = time.perf_counter()
    StatsForecast(models=_sf_models(freq), freq=freq, n_jobs=1).forecast(df=warm, h=H, level=[80, 95])
    print(f"statsforecast numba compilation (one series, in process): {time.perf_counter() - t0:.0f} s")
    force = hist["unique_id"].str.split("/").str[0]
    forces = sorted(force.unique())
    parts: list[pd.DataFrame] = []
    t0, c0 = time.perf_counter(), time.process_time()
    for k in range(0, len(forces), chunk):
        some = hist[force.isin(forces[k:k + chunk])]
        parts.append(StatsForecast(models=_sf_models(freq), freq=freq, n_jobs=1).forecast(
            df=some, h=H, level=[80, 95]))
        done = sum(p["unique_id"].nunique() for p in parts)
        if save and len(forces) > chunk:
            pd.concat(parts, ignore_index=True).to_parquet(os.path.join(save, f"sf_local_{freq}.parquet"))
            print(f"  statsforecast in process: {done} series ({forces[min(k + chunk, len(forces)) - 1]} done), "
                  f"{time.perf_counter() - t0:.0f} s, CPU {time.process_time() - c0:.0f} s; load "
                  f"{os.getloadavg()[0]:.2f}")
    dt_local, cpu_local = time.perf_counter() - t0, time.process_time() - c0
    local = pd.concat(parts, ignore_index=True).sort_values(["unique_id", "ds"]).reset_index(drop=True)
    if save:
        local.to_parquet(os.path.join(save, f"sf_local_{freq}.parquet"))
    print(HEADER)
    print(_line("statsforecast in process (numba warm)", local["unique_id"].nunique(), dt_local, cpu_local,
                f"peak {_peak_mib():.0f} MiB, resident {_rss_mib():.0f} MiB"))
    _sf_accuracy(local, hist, test, freq)
    return local


def _sf_dask(hist: pd.DataFrame, client: Any, workers: int, freq: str, local: pd.DataFrame, save: str) -> None:
    import dask.dataframe as dd
    from statsforecast import StatsForecast

    H = HORIZON[freq]
    n = hist["unique_id"].nunique()
    warm = hist[hist["unique_id"] == hist["unique_id"].iloc[0]]
    client.run(lambda: StatsForecast(models=_sf_models(freq), freq=freq, n_jobs=1).forecast(
        df=warm, h=H, level=[80]))
    t0, w0, c0 = time.perf_counter(), _cpu_workers(client), time.process_time()
    remote = StatsForecast(models=_sf_models(freq), freq=freq, n_jobs=1).forecast(
        df=dd.from_pandas(hist, npartitions=workers * 4), h=H, level=[80, 95])
    remote = pd.DataFrame(remote.compute() if hasattr(remote, "compute") else remote)
    dt_dask = time.perf_counter() - t0
    cpu_dask = _cpu_workers(client) - w0 + time.process_time() - c0
    wmem = ", ".join(f"{m:.0f}" for m in client.run(_worker_rss_mib).values())
    remote = remote.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    if save:
        remote.to_parquet(os.path.join(save, f"sf_dask_{freq}.parquet"))
    cols = [c for c in local.columns if c not in ("unique_id", "ds")]
    a, b = local[cols].to_numpy(np.float64), remote[cols].to_numpy(np.float64)
    rel = float((np.abs(a - b) / np.maximum(np.abs(a), 1e-12)).max())
    same32 = np.array_equal(a.astype(np.float32), b.astype(np.float32))
    print(HEADER)
    print(_line(f"statsforecast on Dask, {workers} workers", n, dt_dask, cpu_dask, f"workers resident {wmem} MiB"))
    print(f"identical to float32 in process: {same32} (largest relative difference {rel:.1e}; float32 spacing "
          "is 6e-8)")


def _bluelamp(hist: pd.DataFrame, test: pd.DataFrame, client: Any, workers: int, freq: str, save: str,
              local_too: bool = True, by_slot: bool = False) -> None:
    n = hist["unique_id"].nunique()
    H = HORIZON[freq]
    if not local_too:
        if by_slot:
            _bluelamp_dask_by_slot(hist, client, workers, freq, save)
        else:
            _bluelamp_dask(hist, client, workers, freq, save, None)
        return
    t0, c0 = time.perf_counter(), time.process_time()
    ours = many.forecast_many(hist, freq, H)
    dt_ours, cpu_ours = time.perf_counter() - t0, time.process_time() - c0
    if save:
        ours.to_parquet(os.path.join(save, f"bluelamp_local_{freq}.parquet"))
    print(HEADER)
    print(_line("bluelamp in process", n, dt_ours, cpu_ours,
                f"peak {_peak_mib():.0f} MiB, resident {_rss_mib():.0f} MiB"))
    scored = ours.assign(ds=pd.to_datetime(ours["ds"]))
    mine = test.merge(scored, on=["unique_id", "ds"])
    print(f"| bluelamp | MASE@{H} {_mase(mine, hist, 'yhat', SEASON[freq]):.3f}, cover 80/95 "
          f"{_cover(mine, 'yhat_lo_80', 'yhat_hi_80'):.3f} / {_cover(mine, 'yhat_lo_95', 'yhat_hi_95'):.3f} |")
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    if client is not None:
        _bluelamp_dask(hist, client, workers, freq, save, (ours, dt_ours))


def slot(uid: str, forces: list[str]) -> int:
    """Which of `stratified`'s rotating area picks a series is: slots 0..j-1 are `stratified(ids, j)`."""
    force, area, _ = uid.split("/")
    return (int(area.removeprefix("area")) - 1 - forces.index(force)) % 10


def _bluelamp_dask_by_slot(hist: pd.DataFrame, client: Any, workers: int, freq: str, save: str) -> None:
    """bluelamp on Dask one area slot at a time (172 series, every force, each call), saving after each:
    a run stopped early has covered exactly the stratified sample of the slots done."""
    H = HORIZON[freq]
    forces = sorted({i.split("/")[0] for i in hist["unique_id"].unique()})
    slots = hist["unique_id"].map(lambda u: slot(u, forces))
    parts: list[pd.DataFrame] = []
    t0, w0, c0 = time.perf_counter(), _cpu_workers(client), time.process_time()
    for j in sorted(slots.unique()):
        parts.append(many.forecast_many(hist[slots == j], freq, H, engine="dask", client=client))
        done = pd.concat(parts, ignore_index=True).sort_values(["unique_id", "ds"], kind="stable")
        if save:
            done.reset_index(drop=True).to_parquet(os.path.join(save, f"bluelamp_dask_{freq}.parquet"))
        cpu = _cpu_workers(client) - w0 + time.process_time() - c0
        print(f"  bluelamp on Dask: slots 0-{j} = {done['unique_id'].nunique()} series, "
              f"{time.perf_counter() - t0:.0f} s, CPU {cpu:.0f} s (client + workers); load "
              f"{os.getloadavg()[0]:.2f}", flush=True)
    n = hist["unique_id"].nunique()
    dt_dask = time.perf_counter() - t0
    cpu_dask = _cpu_workers(client) - w0 + time.process_time() - c0
    wmem = ", ".join(f"{m:.0f}" for m in client.run(_worker_rss_mib).values())
    print(HEADER)
    print(_line(f"bluelamp on Dask, {workers} workers, one area slot a call", n, dt_dask, cpu_dask,
                f"workers resident {wmem} MiB"))


def _bluelamp_dask(hist: pd.DataFrame, client: Any, workers: int, freq: str, save: str,
                   local: tuple[pd.DataFrame, float] | None) -> None:
    n = hist["unique_id"].nunique()
    H = HORIZON[freq]
    t0, w0, c0 = time.perf_counter(), _cpu_workers(client), time.process_time()
    ours_dask = many.forecast_many(hist, freq, H, engine="dask", client=client)
    dt_dask = time.perf_counter() - t0
    cpu_dask = _cpu_workers(client) - w0 + time.process_time() - c0
    wmem = ", ".join(f"{m:.0f}" for m in client.run(_worker_rss_mib).values())
    if save:
        ours_dask.to_parquet(os.path.join(save, f"bluelamp_dask_{freq}.parquet"))
    if local is None:
        print(HEADER)
    print(_line(f"bluelamp on Dask, {workers} workers", n, dt_dask, cpu_dask, f"workers resident {wmem} MiB"))
    if local is not None:
        ours, dt_ours = local
        print(f"Dask / in process time ratio {dt_dask / dt_ours:.2f}; identical (every digit): "
              f"{ours.equals(ours_dask)}")


def build(areas_per_force: int, limit: int, freq: str, hourly_days: int) -> tuple[list[str], pd.DataFrame,
                                                                           pd.DataFrame]:
    """The sample's series ids, history and held-out frames (the same for every run with these options)."""
    H = HORIZON[freq]
    bottom = datasets.demo_force_daily("2024-07-01", "2026-03-31")
    national = datasets.national_daily(bottom)
    ids = stratified(sorted(national["unique_id"].unique()), areas_per_force)
    ids = ids[:limit] if limit else ids
    national = national[national["unique_id"].isin(ids)]
    if freq == "h":
        national = datasets.national_hourly(national, hourly_days + 7)
    cut = national["ds"].max() - pd.Timedelta(days=H - 1) if freq == "D" else \
        national["ds"].max() - pd.Timedelta(hours=H - 1)
    return ids, national[national["ds"] < cut], national[national["ds"] >= cut]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--areas-per-force", type=int, default=1, help="areas of each force's 10 (10: all series)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-sf", action="store_true", help="bluelamp's model only")
    ap.add_argument("--skip-ours", action="store_true", help="statsforecast's models only")
    ap.add_argument("--limit", type=int, default=0, help="only the first N series of the sample (a smoke run)")
    ap.add_argument("--freq", choices=("D", "h"), default="D", help="daily (the default) or hourly series")
    ap.add_argument("--hourly-days", type=int, default=84, help="days of hourly history a series (--freq h)")
    ap.add_argument("--ours-first", action="store_true", help="bluelamp's model before statsforecast's")
    ap.add_argument("--ours-dask-only", action="store_true",
                    help="bluelamp's model on Dask only (compare with a saved in-process run)")
    ap.add_argument("--dask-by-slot", action="store_true",
                    help="with --ours-dask-only: one area slot (172 series) a Dask call, saved after each")
    ap.add_argument("--sf-local-only", action="store_true", help="statsforecast in process only (not on Dask)")
    ap.add_argument("--sf-chunk", type=int, default=43, help="forces a statsforecast call (a progress line each)")
    ap.add_argument("--save", default="", help="a folder to write each engine's forecasts to (parquet)")
    args = ap.parse_args()
    from dask.distributed import Client, LocalCluster

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; nice {os.nice(0)}")
    t0 = time.perf_counter()
    freq = args.freq
    ids, hist, test = build(args.areas_per_force, args.limit, freq, args.hourly_days)
    forces = {i.split("/")[0] for i in ids}
    channels = {i.split("/")[2] for i in ids}
    what = "the whole set" if len(ids) == ALL else "stratified sample"
    kind, steps = ("daily", "days") if freq == "D" else ("hourly", "hours")
    print(f"## National synthetic set, {what}: {len(ids)} of {ALL} {kind} series ({len(forces)} forces, "
          f"{len(channels)} channels, {args.areas_per_force} area(s) each), {hist['ds'].nunique()} {steps} of history, "
          f"{len(hist):,} rows ({time.perf_counter() - t0:.0f} s to build); memory {_peak_mib():.0f} MiB")
    if args.save:
        os.makedirs(args.save, exist_ok=True)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        stages = ["ours", "sf"] if args.ours_first else ["sf", "ours"]
        for stage in stages:
            if stage == "sf" and not args.skip_sf:
                local = _sf_local(hist, test, freq, args.sf_chunk, args.save)
                if not args.sf_local_only:
                    _sf_dask(hist, client, args.workers, freq, local, args.save)
                print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
            if stage == "ours" and not args.skip_ours:
                _bluelamp(hist, test, client, args.workers, freq, args.save, not args.ours_dask_only,
                          args.dask_by_slot)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
