"""The force's own history from the database (SQLite and PostgreSQL): local days and hours, the series
route, and the Demand page drawn from it without any upload."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from bluelamp.contact.store import Contact
from bluelamp.demand import history, overview

AS_OF = datetime(2026, 3, 1, 21, 0, tzinfo=UTC)  # the `fixed_clock` fixture's time


def _row(at: datetime, channel: str, area: str | None) -> dict[str, object]:
    return {"channel": channel, "area": area, "received_at": at, "narrative": "test", "proposal": {},
            "grade": 3, "route": "scheduled", "policy_version": "t", "recorded_by": "test"}


def _insert(db, rows: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        for k in range(0, len(rows), 5000):
            conn.execute(Contact.__table__.insert(), rows[k:k + 5000])


def _seed(db, days: int, per_hour: float = 3.0, seed: int = 2) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Contacts for `days` days before AS_OF's day: Poisson per hour with a daily shape, two areas."""
    rng = np.random.default_rng(seed)
    start = datetime(2026, 3, 1, tzinfo=UTC) - timedelta(days=days)
    rows = []
    for hour in range(days * 24 + 21):
        at = start + timedelta(hours=hour)
        shape = 1.0 + 0.6 * np.sin((at.hour - 9) / 24 * 2 * np.pi)
        for channel, share in (("999", 0.4), ("101", 0.5), ("chat", 0.1)):
            for _ in range(rng.poisson(per_hour * share * shape)):
                rows.append(_row(at + timedelta(seconds=int(rng.integers(0, 3600))), channel,
                                 "North" if rng.random() < 0.6 else "South"))
    _insert(db, rows)
    return rows


def test_days_are_local_and_counted_by_area_and_channel(db) -> None:  # type: ignore[no-untyped-def]
    # 23:30 UTC is still the same day in winter (GMT) but the next day in summer (BST, from 29 March).
    _insert(db, [_row(datetime(2026, 3, 27, 23, 30, tzinfo=UTC), "999", "North"),
                 _row(datetime(2026, 3, 29, 23, 30, tzinfo=UTC), "999", "North"),
                 _row(datetime(2026, 3, 29, 12, 0, tzinfo=UTC), "101", None),
                 _row(datetime(2026, 3, 31, 12, 0, tzinfo=UTC), "101", "South")])  # after the range
    with db.engine.connect() as conn:
        daily = history.daily_counts(conn, date(2026, 3, 27), date(2026, 3, 30))
        hourly = history.hourly_counts(conn, date(2026, 3, 29), date(2026, 3, 30))
    assert daily.index.tolist() == list(pd.date_range("2026-03-27", "2026-03-30"))
    assert daily[("North", "999")].tolist() == [1, 0, 0, 1]
    assert daily[("unknown", "101")].tolist() == [0, 0, 1, 0]
    assert ("South", "101") not in daily.columns
    assert len(hourly) == 48 and hourly.loc["2026-03-29 13:00", "101"] == 1  # 12:00 UTC is 13:00 BST
    assert hourly.loc["2026-03-30 00:00", "999"] == 1
    assert history.select_series(daily, channel="999").sum() == 2


def test_an_empty_database_has_no_history(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        assert overview.read_history(conn, AS_OF) is None
        assert overview.series(conn, "D", as_of=AS_OF).empty
        assert history.daily_counts(conn, date(2026, 1, 1), date(2026, 1, 3)).shape == (3, 0)


def test_the_series_route_returns_the_aggregated_history(db, client, make_user, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    rows = _seed(db, 10)
    before_today = sum(1 for r in rows if r["received_at"] < datetime(2026, 3, 1, tzinfo=UTC))  # type: ignore[operator]
    _, analyst = make_user("analyst")
    res = client.get("/api/v1/demand/series", headers=analyst)
    assert res.status_code == 200
    body = res.json()
    assert body["freq"] == "D" and len(body["series"]) == 10 and body["series"][-1]["ds"] == "2026-02-28"
    assert body["total"] == before_today < len(rows)  # today's contacts are not history yet
    nine = client.get("/api/v1/demand/series?channel=999&area=North&freq=h", headers=analyst).json()
    assert len(nine["series"]) == 10 * 24 and 0 < nine["total"] < body["total"]
    week = client.get("/api/v1/demand/series?freq=W", headers=analyst).json()
    assert all(p["ds"] for p in week["series"])
    assert client.get("/api/v1/demand/series?freq=Q", headers=analyst).status_code == 422
    _, handler = make_user("call_handler")
    assert client.get("/api/v1/demand/series", headers=handler).status_code == 403
    _, leader = make_user("leader")
    assert client.get("/api/v1/demand/series", headers=leader).status_code == 200


@pytest.mark.slow  # over 2 s on a loaded machine: full suite only
def test_too_little_history_shows_the_example_with_a_note(db, client, make_user, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    _seed(db, 5)
    _, analyst = make_user("analyst")
    page = client.get("/demand", headers=analyst)
    assert page.status_code == 200 and "only 5 complete day(s)" in page.text and "chart-data" in page.text


# Five forecasts, a CP-SAT rota and four simulations: about 2 s.
@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_page_forecasts_staffs_rosters_and_simulates_the_force_from_the_database(
        db, client, make_user, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    _seed(db, 42)
    _, analyst = make_user("analyst")
    page = client.get("/demand", headers=analyst)
    assert page.status_code == 200, page.text[:300]
    assert 'id="force-data"' in page.text and "https://cdn" not in page.text
    assert "Simulated attendance" in page.text and "rota cover" in page.text
    with db.engine.connect() as conn:
        data = overview.overview(conn, AS_OF)
    assert data["channels"] == ["force", "999", "101", "chat"] and data["to"] == "2026-02-28"
    force = np.array(data["series"]["force"]["forecast"]["yhat"])
    parts = sum(np.array(data["series"][c]["forecast"]["yhat"]) for c in ("999", "101", "chat"))
    np.testing.assert_allclose(force, parts, atol=0.05)  # reconciled: the channels add up to the force
    f = data["series"]["999"]["forecast"]
    assert len(f["yhat"]) == 72 and f["x"][0] == "2026-03-01 00:00:00"
    assert all(lo <= m <= hi for lo, m, hi in zip(f["yhat_lo_95"], f["yhat"], f["yhat_hi_95"], strict=True))
    assert len(data["series"]["force"]["actual"]["y"]) == 7 * 24
    st = data["staffing"]
    assert len(st["required"]) == len(st["cover"]) == 96 and st["shortfall_slots"] == 0
    assert 0 <= data["answering"]["rota"]["answered_in_target"] <= 1
    att = data["attendance"]
    assert att["current"]["units"] == overview.DEFAULT_UNITS and att["plus_25pct"]["units"] == 30
    # No incidents and no cars in these records: the simulation's inputs are assumptions, and say so.
    assert att["assumed"] == ["incident_share", "grade_mix", "urban_share", "units"]
    assert 'id="attendance-assumed"' in page.text and "own data" in page.text


def test_the_attendance_facts_come_from_the_records_when_they_hold_them(db) -> None:  # type: ignore[no-untyped-def]
    from bluelamp.response.store import Incident, Unit

    with db.unit_of_work() as s:
        for k, (grade, urban) in enumerate([(1, True), (2, True), (2, False), (3, True)]):
            s.add(Incident(agency="police", source="test", grade=grade, status="closed", flags=[], urban=urban,
                           received_at=AS_OF - timedelta(days=1, hours=k), extra={}))
        s.add(Incident(agency="police", source="test", grade=1, status="closed", flags=[], urban=True,
                       received_at=AS_OF - timedelta(days=40), extra={}))  # older than 28 days: not counted
        for k in range(3):
            s.add(Unit(call_sign=f"R{k}", unit_type="response_car", updated_at=AS_OF))
        s.add(Unit(call_sign="D1", unit_type="dog", updated_at=AS_OF))
    with db.engine.connect() as conn:
        facts = overview._response_facts(conn, AS_OF, contacts=40.0)
    assert facts == overview.ResponseFacts(0.1, (0.25, 0.5, 0.25), 0.75, 3, assumed=())
    with db.engine.connect() as conn:
        none_yet = overview._response_facts(conn, AS_OF - timedelta(days=60), contacts=40.0)
    assert none_yet.assumed == ("incident_share", "grade_mix", "urban_share") and none_yet.units == 3
