"""The job runner: due work runs once, failures retry, daily work is queued once per day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bluelamp.jobs.runner import HANDLERS, enqueue, handler, run_due
from bluelamp.jobs.schedule import DAILY, ensure_daily
from bluelamp.jobs.store import Job

RAN: list[dict] = []


@handler("test.echo")
def _echo(session, payload):  # type: ignore[no-untyped-def]
    RAN.append(payload)


@handler("test.fail")
def _fail(session, payload):  # type: ignore[no-untyped-def]
    raise RuntimeError("always")


def test_due_jobs_run_once_and_future_ones_wait(db, fixed_clock):
    RAN.clear()
    with db.unit_of_work() as session:
        enqueue(session, "test.echo", {"n": 1}, fixed_clock.now)
        enqueue(session, "test.echo", {"n": 2}, datetime(2030, 1, 1, tzinfo=UTC))
    assert run_due(db) == 1
    assert run_due(db) == 0
    assert RAN == [{"n": 1}]


def test_a_failing_job_is_retried_with_back_off_then_marked_failed(db, fixed_clock):
    with db.unit_of_work() as session:
        enqueue(session, "test.fail", {}, fixed_clock.now)
    for _ in range(5):
        run_due(db)
        fixed_clock.advance(hours=1)
    with db.unit_of_work() as session:
        job = session.execute(select(Job)).scalar_one()
        assert job.status == "failed" and job.attempts == 5
        assert job.last_error == "RuntimeError"  # the type only: a message may hold personal data


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_daily_work_is_queued_once_per_day_however_often_asked(db, fixed_clock):
    assert ensure_daily(db) == 2 * len(DAILY)
    assert ensure_daily(db) == 0
    with db.unit_of_work() as session:
        assert session.execute(select(func.count()).select_from(Job)).scalar_one() == 2 * len(DAILY)
    run_due(db)  # loads every context's handlers
    assert all(kind in HANDLERS for kind, _, _ in DAILY)


@pytest.mark.parametrize(("setting", "runs_jobs"), [("true", True), ("false", False)])
def test_serve_runs_jobs_in_the_server_only_when_the_setting_says_so(db, monkeypatch, setting, runs_jobs):
    import uvicorn
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from bluelamp.cli import app as cli
    from bluelamp.config import get_settings

    runners = []

    def start_and_stop(web_app, **_options):  # type: ignore[no-untyped-def]
        with TestClient(web_app):  # the app's start-up and shut-down, as uvicorn would run them
            runners.append(web_app.state.job_runner)

    monkeypatch.setattr(uvicorn, "run", start_and_stop)
    monkeypatch.setenv("BLUELAMP_RUN_JOBS_IN_SERVER", setting)
    get_settings.cache_clear()
    try:
        res = CliRunner().invoke(cli, ["serve", "--port", "1"])
    finally:
        monkeypatch.delenv("BLUELAMP_RUN_JOBS_IN_SERVER")
        get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    assert len(runners) == 1 and (runners[0] is not None) == runs_jobs
