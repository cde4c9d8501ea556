"""Attendance measures: per grade and urban/rural, nulls without data, breaches with reasons, both databases."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bluelamp.performance import measures as m
from bluelamp.response import service

LATE = "history written in after the event (test data)"  # times further back than 5 minutes need a reason


def _arrive(db, dispatcher, iid: int, uid: int, after_s: float) -> None:
    with db.unit_of_work() as session:
        inc = service.get_incident(session, iid)
        t0 = inc.received_at
        service.dispatch(session, iid, uid, dispatcher, at=t0 + timedelta(seconds=after_s / 2), late_reason=LATE)
        service.mark_arrived(session, iid, uid, dispatcher, at=t0 + timedelta(seconds=after_s), late_reason=LATE)
        service.clear_unit(session, iid, uid, dispatcher, at=t0 + timedelta(seconds=after_s))


@pytest.fixture
def history(db, make_incident, make_unit, dispatcher):  # type: ignore[no-untyped-def]
    """Five grade-1 urban incidents arriving after 5, 10, 14, 20 min and never; one grade-1 rural after 18 min."""
    from bluelamp import clock

    start = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    previous = clock.set_clock(clock.FixedClock(start))
    try:
        uid = make_unit("A1")
        for k, minutes in enumerate((5, 10, 14, 20, None)):
            iid = make_incident(grade=1, received_at=start + timedelta(minutes=k))
            if minutes is not None:
                clock.set_clock(clock.FixedClock(start + timedelta(minutes=k + minutes)))
                _arrive(db, dispatcher, iid, uid, minutes * 60)
        rural = make_incident(grade=1, urban=False, received_at=start)
        clock.set_clock(clock.FixedClock(start + timedelta(hours=3)))
        _arrive(db, dispatcher, rural, uid, 18 * 60)
    finally:
        clock.set_clock(previous)
    return start


def test_attendance_per_grade_and_location(db, history):
    with db.unit_of_work() as session:
        result = m.measures(session, date(2026, 3, 1), date(2026, 3, 1))
    g1 = result["attendance"]["1"]
    assert {k: g1[k] for k in m.FIELDS} == {"incidents": 6, "attended": 5, "within_target": 4,
                                            "share_within_target": 0.8, "median_s": 840.0, "p90_s": 1152.0}
    assert g1["urban"]["attended"] == 4 and g1["urban"]["median_s"] == 720.0
    assert g1["rural"] == {"incidents": 1, "attended": 1, "within_target": 1, "share_within_target": 1.0,
                           "median_s": 1080.0, "p90_s": 1080.0}
    assert result["attendance"]["2"] == {**m._empty(), "urban": m._empty(), "rural": m._empty()}
    assert result["attendance"]["2"]["median_s"] is None and result["attendance"]["2"]["p90_s"] is None
    assert (result["from"], result["to"], result["agency"]) == ("2026-03-01", "2026-03-01", "police")


def test_breaches_are_listed_with_their_reasons(db, history):
    with db.unit_of_work() as session:
        b = m.measures(session, date(2026, 3, 1), date(2026, 3, 1))["breaches"]
    assert (b["late"], b["not_attended"]) == (1, 1)
    late = next(x for x in b["listed"] if x["arrived_at"])
    assert late["late_s"] == 300 and late["reasons"][0] == "arrived 5 min 0 s after the target"
    assert any(r.startswith("waited 10 min 0 s for a unit") for r in late["reasons"])
    waiting = next(x for x in b["listed"] if not x["arrived_at"])
    assert waiting["reasons"][:2] == ["no unit has arrived yet", "no unit was dispatched"]


def test_the_period_is_in_local_days_and_other_agencies_are_apart(db, history):
    with db.unit_of_work() as session:
        assert m.measures(session, date(2026, 3, 2), date(2026, 3, 9))["attendance"]["1"]["incidents"] == 0
        assert m.measures(session, agency="fire", date_to=date(2026, 3, 1))["attendance"]["1"]["incidents"] == 0
        with pytest.raises(m.MeasuresError):
            m.measures(session, date(2026, 3, 5), date(2026, 3, 1))


def test_the_python_path_gives_the_figures_worked_out_independently(db, history):
    """On every database: the Python path against numpy over the fixture's known arrival times."""
    import numpy as np

    arrived = [5 * 60, 10 * 60, 14 * 60, 20 * 60, 18 * 60]  # four urban, one rural; one never arrived
    with db.unit_of_work() as session:
        g1 = m._attendance_python(session, m._filters("police", history, history + timedelta(days=1), None))["1"]
    assert g1["attended"] == len(arrived) and g1["incidents"] == 6
    assert g1["median_s"] == float(np.percentile(arrived, 50))
    assert g1["p90_s"] == pytest.approx(float(np.percentile(arrived, 90)), abs=0.05)  # figures kept to 0.1 s


def test_the_database_path_agrees_with_the_python_path(db, history):
    if db.dialect != "postgresql":
        pytest.skip("the database path (percentile_cont) exists on PostgreSQL only")
    start, end = history, history + timedelta(days=1)
    with db.unit_of_work() as session:
        conds = m._filters("police", start, end, None)
        python = m._attendance_python(session, conds)
        assert python["1"]["attended"] == 5  # not two empty answers agreeing
        assert m._attendance_postgresql(session, conds) == python


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_api_and_the_command_give_the_same_json(db, history, client, make_user):
    _, h = make_user("leader")
    res = client.get("/api/v1/measures?from=2026-03-01&to=2026-03-01", headers=h)
    assert res.status_code == 200
    bad = client.get("/api/v1/measures?from=2026-03-05&to=2026-03-01", headers=h)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("from:")
    from typer.testing import CliRunner

    from bluelamp.cli import app

    out = CliRunner().invoke(app, ["report", "measures", "--from", "2026-03-01", "--to", "2026-03-01"])
    assert out.exit_code == 0, out.stderr
    cli = json.loads(out.stdout)
    assert cli["attendance"] == res.json()["attendance"]
    rows = m.to_csv_rows(cli)
    assert len(rows) == 9 and rows[0]["grade"] == "1" and rows[0]["location"] == "all"
