"""Long runs show progress on stderr (never on stdout), and `bluelamp simulate --response`."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from bluelamp.cli import app
from bluelamp.demand import cli as demand_cli
from bluelamp.demand import datasets

runner = CliRunner()


@pytest.fixture
def bars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demand_cli, "progress_enabled", lambda: True)


def test_roster_shows_its_stages_on_stderr_and_prints_only_json(tmp_path, bars) -> None:  # type: ignore[no-untyped-def]
    src, dst = tmp_path / "staff.csv", tmp_path / "rota.csv"
    times = pd.date_range("2026-01-05", periods=48, freq="30min")
    pd.DataFrame({"interval_start": times, "scheduled_agents": [2] * 16 + [4] * 32}).to_csv(src, index=False)
    res = runner.invoke(app, ["roster", "--input", str(src), "--people", "12", "--output", str(dst),
                              "--time-limit-s", "5"])
    assert res.exit_code == 0, res.output
    assert "status" in json.loads(res.stdout)  # stdout is the JSON summary alone
    assert "roster" in res.stderr and "stages" in res.stderr and "2/2" in res.stderr


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_forecast_shows_progress_on_stderr_and_writes_the_file(tmp_path, bars) -> None:  # type: ignore[no-untyped-def]
    y = datasets.synthetic_hourly(28)
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"t": y.index, "n": y.values}).to_csv(src, index=False)
    res = runner.invoke(app, ["forecast", "--input", str(src), "--time-col", "t", "--value-col", "n",
                              "--freq", "H", "--horizon", "24", "--output", str(dst)])
    assert res.exit_code == 0, res.output
    assert res.stdout == "" and "3/3" in res.stderr and len(pd.read_csv(dst)) == 24


@pytest.mark.slow  # over 2 s on a loaded machine: full suite only
def test_no_bar_when_stderr_is_not_a_terminal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    y = datasets.synthetic_hourly(28)
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"t": y.index, "n": y.values}).to_csv(src, index=False)
    res = runner.invoke(app, ["forecast", "--input", str(src), "--time-col", "t", "--value-col", "n",
                              "--freq", "H", "--horizon", "24", "--output", str(dst)])
    assert res.exit_code == 0 and res.stderr == ""


@pytest.mark.slow  # over 2 s on a loaded machine: full suite only
def test_simulate_response_compares_two_unit_plans(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "plan.csv"
    pd.DataFrame({"incidents": [6.0] * 24, "units": [4] * 24, "more": [9] * 24}).to_csv(src, index=False)
    res = runner.invoke(app, ["simulate", "--response", "--input", str(src), "--compare-col", "more"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    a, b = out["plan_a"], out["plan_b"]
    assert 0 <= a["grade1_in_target"] <= b["grade1_in_target"] <= 1
    assert a["grade2_in_60"] <= b["grade2_in_60"] and b["unit_hours"] == 9 * 24


def test_simulate_response_names_a_missing_column(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "plan.csv"
    pd.DataFrame({"incidents": [1, 2]}).to_csv(src, index=False)
    res = runner.invoke(app, ["simulate", "--response", "--input", str(src)])
    assert res.exit_code == 1 and "'units' not found" in res.stderr
    bad = runner.invoke(app, ["simulate", "--response", "--input", str(src), "--grade-mix", "1,2"])
    assert bad.exit_code == 1 and "three shares" in bad.stderr
