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


@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_same_numbers(tmp_path: Path) -> None:
    import dask.distributed as distributed  # a hard dependency (pyproject): missing is a failure, not a skip

    src, local_out, dask_out = _file(tmp_path, ("a", "b", "c", "d")), tmp_path / "l.csv", tmp_path / "d.csv"
    assert _forecast("--input", str(src), "--output", str(local_out), "--id-col", "area")[0] == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        code, _, err = _forecast("--input", str(src), "--output", str(dask_out), "--id-col", "area",
                                 "--engine", "dask", "--scheduler", cluster.scheduler_address)
        assert code == 0, err
        with distributed.Client(cluster) as client:
            ran_on = client.run(lambda: 1)
    assert len(ran_on) == 2
    a, b = pd.read_csv(local_out), pd.read_csv(dask_out)
    pd.testing.assert_frame_equal(a, b)
    assert np.isfinite(a["yhat"]).all() and len(a) == 28
