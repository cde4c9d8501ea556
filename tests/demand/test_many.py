"""`bluelamp forecast --id-col`: every series of a file at once, the same numbers in process or on Dask."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bluelamp.cli import app
from bluelamp.demand import datasets

pytestmark = pytest.mark.nodb
runner = CliRunner()


def _file(tmp_path: Path, names: tuple[str, ...] = ("north", "south", "east"), days: int = 40) -> Path:
    rows = []
    for k, name in enumerate(names):
        y = datasets.synthetic_hourly(days, seed=k, base=6.0 + 4 * k).resample("D").sum()
        rows.append(pd.DataFrame({"area": name, "day": y.index.strftime("%Y-%m-%d"), "calls": y.to_numpy()}))
    path = tmp_path / "many.csv"
    pd.concat(rows).sample(frac=1.0, random_state=1).to_csv(path, index=False)   # rows in any order
    return path


def _forecast(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, ["forecast", "--time-col", "day", "--value-col", "calls", "--freq", "D",
                              "--horizon", "7", *args])
    return res.exit_code, res.stdout, res.stderr


def test_every_series_is_forecast_as_it_would_be_alone(tmp_path: Path) -> None:
    src, out = _file(tmp_path, ("north", "east")), tmp_path / "out.csv"
    code, _, err = _forecast("--input", str(src), "--output", str(out), "--id-col", "area")
    assert code == 0, err
    got = pd.read_csv(out)
    assert list(got.columns) == ["area", "ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
    assert sorted(got["area"].unique()) == ["east", "north"] and len(got) == 14
    frame = pd.read_csv(src)
    for name in ("north",):
        one_in, one_out = tmp_path / f"{name}.csv", tmp_path / f"{name}_out.csv"
        frame[frame["area"] == name].to_csv(one_in, index=False)
        assert _forecast("--input", str(one_in), "--output", str(one_out))[0] == 0
        alone = pd.read_csv(one_out)
        mine = got[got["area"] == name].drop(columns="area").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)
    assert got.groupby("area")["yhat"].mean()["east"] > got.groupby("area")["yhat"].mean()["north"]


def test_bad_many_series_input_names_the_problem(tmp_path: Path) -> None:
    src, out = _file(tmp_path), tmp_path / "out.csv"
    code, _, err = _forecast("--input", str(src), "--output", str(out), "--id-col", "force")
    assert code == 1 and "'force' not found" in err
    code, _, err = _forecast("--input", str(src), "--output", str(out), "--id-col", "area", "--engine", "spark")
    assert code == 1 and "--engine must be local or dask" in err
    code, _, err = _forecast("--input", str(src), "--output", str(out), "--id-col", "area",
                             "--scheduler", "tcp://127.0.0.1:1")
    assert code == 1 and "--scheduler needs --engine dask" in err
    short = pd.read_csv(src)
    short = short[(short["area"] != "south") | (short["day"] < "2026-01-20")]
    short.to_csv(src, index=False)
    code, _, err = _forecast("--input", str(src), "--output", str(out), "--id-col", "area")
    assert code == 1 and "series 'south'" in err and "at least 28" in err and not out.exists()


def _series_file(tmp_path: Path, freq: str, names: tuple[str, ...] = ("a", "b", "c")) -> Path:
    """Counts at `freq` (D: 40 days; h: 35 days; W: 120 weeks, so the 52-week MSTL runs)."""
    rows = []
    for k, name in enumerate(names):
        if freq == "W":
            y = datasets.synthetic_hourly(120 * 7, seed=k, base=3.0 + k).resample("W-MON", label="left",
                                                                                 closed="left").sum()
            y = y.iloc[1:-1]
        else:
            y = datasets.synthetic_hourly(40 if freq == "D" else 35, seed=k, base=6.0 + 4 * k)
            y = y.resample("D").sum() if freq == "D" else y
        rows.append(pd.DataFrame({"area": name, "day": y.index.strftime("%Y-%m-%d %H:%M"),
                                  "calls": y.to_numpy()}))
    path = tmp_path / f"many_{freq}.csv"
    pd.concat(rows).sample(frac=1.0, random_state=1).to_csv(path, index=False)
    return path


def test_a_threaded_local_dask_cluster_gives_exactly_the_same_numbers(tmp_path: Path) -> None:
    import dask.distributed as distributed

    src = _file(tmp_path, ("a", "b", "c"))
    local_out, dask_out = tmp_path / "l.csv", tmp_path / "d.csv"
    assert _forecast("--input", str(src), "--output", str(local_out), "--id-col", "area")[0] == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        code, _, err = _forecast("--input", str(src), "--output", str(dask_out), "--id-col", "area",
                                 "--engine", "dask", "--scheduler", cluster.scheduler_address)
    assert code == 0, err
    assert dask_out.read_bytes() == local_out.read_bytes()   # every digit, not a tolerance
    assert len(pd.read_csv(dask_out)) == 21


@pytest.mark.slow
@pytest.mark.parametrize(("freq", "horizon"), [("D", "7"), ("H", "48"), ("W", "8")])
def test_a_local_dask_cluster_gives_the_same_numbers(tmp_path: Path, freq: str, horizon: str) -> None:
    import dask.distributed as distributed  # a hard dependency (pyproject): missing is a failure, not a skip

    src, local_out, dask_out = _series_file(tmp_path, freq), tmp_path / "l.csv", tmp_path / "d.csv"
    args = ("--time-col", "day", "--value-col", "calls", "--freq", freq, "--horizon", horizon, "--id-col", "area")
    res = runner.invoke(app, ["forecast", "--input", str(src), "--output", str(local_out), *args])
    assert res.exit_code == 0, res.stderr
    # Two worker processes: each series is forecast in another interpreter, with BLAS limited to one
    # thread there (Dask's default), and the result still matches to the last digit.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        res = runner.invoke(app, ["forecast", "--input", str(src), "--output", str(dask_out), *args,
                                  "--engine", "dask", "--scheduler", cluster.scheduler_address])
        assert res.exit_code == 0, res.stderr
        with distributed.Client(cluster) as client:
            ran_on = client.run(lambda: 1)
    assert len(ran_on) == 2
    assert dask_out.read_bytes() == local_out.read_bytes()
    a = pd.read_csv(local_out)
    assert np.isfinite(a["yhat"]).all() and len(a) == 3 * int(horizon)
    assert a.groupby("area")["yhat"].mean().is_monotonic_increasing   # each series kept its own numbers


@pytest.mark.slow
def test_statsforecast_on_dask_differs_from_in_process_only_by_its_float32_output() -> None:
    """Why statsforecast's own Dask output did not match in process (docs/demand.md): its Fugue backend
    declares every forecast column float32; cast to float32, the in-process output is the same, and the
    same models sent through Fugue with a float64 schema match to every digit."""
    import dask.dataframe as dd
    import dask.distributed as distributed
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    frames = []
    for k in range(4):
        y = datasets.synthetic_hourly(70, seed=k, base=5.0 + 3 * k).resample("D").sum()
        frames.append(pd.DataFrame({"unique_id": f"s{k}", "ds": y.index.tz_localize(None), "y": y.to_numpy()}))
    hist = pd.concat(frames, ignore_index=True)

    def run(df: object) -> pd.DataFrame:
        models = [SeasonalNaive(7), AutoETS(season_length=7), MSTL(season_length=7)]
        out = StatsForecast(models=models, freq="D", n_jobs=1).forecast(df=df, h=14, level=[80])
        out = out.compute() if hasattr(out, "compute") else out
        return pd.DataFrame(out).sort_values(["unique_id", "ds"]).reset_index(drop=True)

    from fugue import transform

    local = run(hist)
    cols = [c for c in local.columns if c not in ("unique_id", "ds")]
    safe = {c: c.replace("-", "_") for c in cols}      # a Fugue schema takes no hyphens

    def per_series(df: pd.DataFrame) -> pd.DataFrame:
        out = run(df.assign(ds=pd.to_datetime(df["ds"]))).rename(columns=safe)
        return out.assign(ds=out["ds"].astype(str))

    schema = "unique_id:str,ds:str," + ",".join(f"{safe[c]}:double" for c in cols)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = run(dd.from_pandas(hist, npartitions=2))
        # The same models through Fugue on the same cluster, with a float64 schema.
        wide = transform(hist.assign(ds=hist["ds"].astype(str)), per_series, schema=schema,
                         partition={"by": "unique_id"}, engine=client, as_local=True)
    assert all(str(remote[c].dtype).lower() == "float32" for c in cols)
    a, b = local[cols].to_numpy(np.float64), remote[cols].to_numpy(np.float64)
    assert not np.array_equal(a, b)                                   # the mismatch, as seen before
    assert np.array_equal(a.astype(np.float32), b.astype(np.float32))  # and all of it is float32 rounding
    assert list(remote["unique_id"]) == list(local["unique_id"])
    wide = pd.DataFrame(wide).sort_values(["unique_id", "ds"]).reset_index(drop=True)
    assert np.array_equal(wide[[safe[c] for c in cols]].to_numpy(np.float64), a)   # float64: every digit
