"""Compare and score forecasts that `bench_forecast_national.py --save DIR` wrote, after the runs.

The forecasts of two runs (bluelamp in process in one, on Dask in another; statsforecast in a third) are
compared series by series and scored on the same held-out days or hours, rebuilt exactly as the
benchmark builds them (`build`, same options):

    python benchmarks/score_national_saved.py --areas-per-force 10 /work/tmp/s7/full /work/tmp/s7/sf

Each folder may hold `bluelamp_local_{freq}.parquet`, `bluelamp_dask_{freq}.parquet`,
`sf_local_{freq}.parquet` and `sf_dask_{freq}.parquet`; the first of each name found is used. Reports
for bluelamp whether the two engines' frames are equal (`DataFrame.equals`), whether their CSV bytes
are equal and the largest absolute difference; statsforecast's engines are compared to float32 (its
Fugue backend's output type); then MASE and 80/95 coverage of every model on the series all the frames
share.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from bench_forecast_national import HORIZON, SEASON, _cover, _mase, build  # noqa: E402


def _find(dirs: list[str], name: str) -> pd.DataFrame | None:
    for d in dirs:
        path = os.path.join(d, name)
        if os.path.exists(path):
            print(f"{name}: {path}")
            return pd.read_parquet(path)
    return None


def _same(a: pd.DataFrame, b: pd.DataFrame) -> str:
    a = a.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    b = b.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    num = [c for c in a.columns if c.startswith("yhat")]
    diff = float(np.abs(a[num].to_numpy() - b[num].to_numpy()).max()) if len(a) == len(b) else float("nan")
    return (f"{a['unique_id'].nunique()} / {b['unique_id'].nunique()} series, {len(a):,} / {len(b):,} rows; "
            f"frames equal: {a.equals(b)}; CSV bytes equal: {a.to_csv(index=False) == b.to_csv(index=False)}; "
            f"largest absolute difference {diff:.1e}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--areas-per-force", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--freq", choices=("D", "h"), default="D")
    ap.add_argument("--hourly-days", type=int, default=84)
    args = ap.parse_args()
    freq, H = args.freq, HORIZON[args.freq]
    ids, hist, test = build(args.areas_per_force, args.limit, freq, args.hourly_days)
    print(f"sample: {len(ids)} series, {hist['ds'].nunique()} steps of history, {H} held out")
    local, dask = _find(args.dirs, f"bluelamp_local_{freq}.parquet"), _find(args.dirs, f"bluelamp_dask_{freq}.parquet")
    sf, sf_dask = _find(args.dirs, f"sf_local_{freq}.parquet"), _find(args.dirs, f"sf_dask_{freq}.parquet")
    if local is not None and dask is not None:
        print("bluelamp in process against Dask:", _same(local, dask))
    if sf is not None and sf_dask is not None:
        cols = [c for c in sf.columns if c not in ("unique_id", "ds")]
        a = sf.sort_values(["unique_id", "ds"])[cols].to_numpy(np.float64)
        b = sf_dask.sort_values(["unique_id", "ds"])[cols].to_numpy(np.float64)
        print(f"statsforecast in process against Dask, to float32: "
              f"{np.array_equal(a.astype(np.float32), b.astype(np.float32))}")
    shared = set(ids)
    for frame in (local, dask, sf):
        if frame is not None:
            shared &= set(frame["unique_id"])
    print(f"scored on {len(shared)} series shared by every frame, {H} held-out steps each")
    test = test[test["unique_id"].isin(shared)]
    hist = hist[hist["unique_id"].isin(shared)]
    m = SEASON[freq]
    rows = []
    ours = local if local is not None else dask
    if ours is not None:
        mine = test.merge(ours.assign(ds=pd.to_datetime(ours["ds"])), on=["unique_id", "ds"])
        rows.append(("bluelamp", _mase(mine, hist, "yhat", m), _cover(mine, "yhat_lo_80", "yhat_hi_80"),
                     _cover(mine, "yhat_lo_95", "yhat_hi_95"), len(mine)))
    if sf is not None:
        scored = test.merge(sf.assign(ds=pd.to_datetime(sf["ds"])), on=["unique_id", "ds"])
        for col in ("SeasonalNaive", "AutoETS", "MSTL"):
            rows.append((col, _mase(scored, hist, col, m), _cover(scored, f"{col}-lo-80", f"{col}-hi-80"),
                         _cover(scored, f"{col}-lo-95", f"{col}-hi-95"), len(scored)))
    print(f"| model | MASE@{H} | cover 80 | cover 95 | scored points |\n|---|---|---|---|---|")
    for name, mase, c80, c95, n in rows:
        print(f"| {name} | {mase:.3f} | {c80:.3f} | {c95:.3f} | {n:,} |")


if __name__ == "__main__":
    main()
