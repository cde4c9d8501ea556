"""`bluelamp staffing`/`forecast` exactly as CONTRACT.md says, and the demand routes."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from bluelamp.cli import app
from bluelamp.demand import datasets

runner = CliRunner()
BASE = ["staffing", "--interval-s", "1800", "--aht-s", "180", "--target-answer-s", "20", "--target-level", "0.8"]


def test_staffing_prints_the_published_worked_example() -> None:
    res = runner.invoke(app, [*BASE, "--calls", "100", "--shrinkage", "0.3"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["agents"] == 14 and out["scheduled_agents"] == 20
    # The published worked example (Call Centre Helper; the ErlangC R package's README): 88.835%, to the
    # five decimals it is published with.
    assert out["service_level"] == pytest.approx(0.88835, abs=0.5e-5)
    assert {"p_wait", "asa_s", "occupancy"} <= out.keys() and "abandon_rate" not in out


def test_staffing_with_patience_is_erlang_a_and_reports_abandonment() -> None:
    out = json.loads(runner.invoke(app, [*BASE, "--calls", "100", "--patience-s", "120"]).stdout)
    assert 0 < out["abandon_rate"] < 1


def test_staffing_many_intervals_from_csv(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"interval_start": ["2026-01-01 00:00", "2026-01-01 00:30"], "calls": [100, 0],
                  "aht_s": [180, 240]}).to_csv(src, index=False)
    res = runner.invoke(app, ["staffing", "--input", str(src), "--output", str(dst), "--interval-s", "1800",
                              "--target-answer-s", "20", "--target-level", "0.8", "--max-occupancy", "0.7"])
    assert res.exit_code == 0, res.output
    out = pd.read_csv(dst)
    assert list(out.columns)[:8] == ["interval_start", "calls", "aht_s", "agents", "scheduled_agents",
                                     "service_level", "p_wait", "asa_s"]
    assert out.agents.tolist() == [15, 0]


def test_staffing_refuses_a_zero_handling_time_in_one_line() -> None:
    res = runner.invoke(app, ["staffing", "--calls", "5", "--interval-s", "1800", "--aht-s", "0",
                              "--target-answer-s", "10", "--target-level", "0.9"])
    assert res.exit_code == 1 and "handling time" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_forecast_writes_the_contract_columns_and_reports_gaps(tmp_path) -> None:  # type: ignore[no-untyped-def]
    y = datasets.synthetic_hourly(21).drop(pd.Timestamp("2026-01-10 03:00"))
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"t": y.index, "n": y.values}).to_csv(src, index=False)
    res = runner.invoke(app, ["forecast", "--input", str(src), "--time-col", "t", "--value-col", "n",
                              "--freq", "H", "--horizon", "24", "--output", str(dst), "--level", "80", "95"])
    assert res.exit_code == 0, res.output
    assert "1 missing" in res.stderr
    out = pd.read_csv(dst)
    assert list(out.columns) == ["ds", "yhat", "yhat_lo_80", "yhat_hi_80", "yhat_lo_95", "yhat_hi_95"]
    assert len(out) == 24 and out.ds.iloc[0] == "2026-01-26 00:00:00"


def test_forecast_with_duplicates_fails_and_writes_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"t": ["2026-01-01", "2026-01-01"], "n": [1, 2]}).to_csv(src, index=False)
    res = runner.invoke(app, ["forecast", "--input", str(src), "--time-col", "t", "--value-col", "n",
                              "--freq", "D", "--horizon", "3", "--output", str(dst)])
    assert res.exit_code == 1 and "duplicate" in res.stderr and not dst.exists()


@pytest.fixture
def analyst(make_user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Bearer headers of an analyst on the real app (create_app, its role guards and error handlers)."""
    return make_user("analyst")[1]


def test_the_staffing_route_answers_like_the_command(client, analyst) -> None:  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/demand/staffing", headers=analyst,
                      json={"calls": 100, "interval_s": 1800, "aht_s": 180, "target_answer_s": 20,
                            "target_level": 0.8, "shrinkage": "0.3"})
    assert res.status_code == 200, res.text
    assert (res.json()["agents"], res.json()["scheduled_agents"]) == (14, 20)


def test_bad_input_is_a_422_naming_the_field(client, analyst) -> None:  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/demand/staffing", headers=analyst,
                      json={"calls": 1, "interval_s": 1800, "aht_s": 0, "target_answer_s": 20, "target_level": 0.8})
    assert res.status_code == 422 and res.json()["detail"].startswith("aht_s"), res.text


def test_the_demand_routes_need_an_analyst_or_a_leader(client, make_user) -> None:  # type: ignore[no-untyped-def]
    body = {"calls": 100, "interval_s": 1800, "aht_s": 180, "target_answer_s": 20, "target_level": 0.8}
    assert client.post("/api/v1/demand/staffing", json=body).status_code == 401
    _, handler = make_user("call_handler")
    assert client.post("/api/v1/demand/staffing", json=body, headers=handler).status_code == 403
    assert client.get("/demand", headers=handler).status_code == 403


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_forecast_route_and_the_page_with_offline_plotly(client, analyst) -> None:  # type: ignore[no-untyped-def]
    y = datasets.synthetic_hourly(21)
    res = client.post("/api/v1/demand/forecast", headers=analyst,
                      json={"series": [{"ds": str(t), "y": v} for t, v in y.items()], "freq": "h", "horizon": 12})
    assert res.status_code == 200 and len(res.json()["forecast"]) == 12
    page = client.get("/demand", headers=analyst)
    assert page.status_code == 200 and "/demand/plotly.js" in page.text and "https://cdn" not in page.text
    assert client.get("/demand/plotly.js", headers=analyst).text.startswith("/**")
