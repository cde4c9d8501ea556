"""Calls offered as demand history (issue 16 item 2): `GET /api/v1/demand/series?source=calls`, from call
events and imported hourly reports alike, in local time, starting where the line's data starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bluelamp.telephony.store import CallHour

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # Tuesday; GMT, so local = UTC


def _report_hour(db, at, offered, line="999"):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        session.add(CallHour(line=line, hour=at, offered=offered, abandoned=0, bands={"10": offered},
                             source="test.csv", imported_at=at))


def _events(client, make_user, at, n, line="999"):  # type: ignore[no-untyped-def]
    _, headers = make_user("telephony")
    events = [{"call_id": f"c{at:%d%H}-{i}", "event": "offered", "line": line,
               "at": (at + timedelta(minutes=i)).isoformat()} for i in range(n)]
    assert client.post("/api/v1/telephony/events", headers=headers, json=events).status_code == 202


def test_calls_offered_by_day_from_reports_and_events(client, db, make_user, fixed_clock):
    fixed_clock.now = NOW
    for hour in range(24):  # Saturday 7 March, a whole day from an imported report
        _report_hour(db, datetime(2026, 3, 7, hour, tzinfo=UTC), 2)
    _events(client, make_user, datetime(2026, 3, 8, 9, tzinfo=UTC), 3)  # Sunday, from the feed
    _, analyst = make_user("analyst")
    body = client.get("/api/v1/demand/series?source=calls&channel=999&freq=D", headers=analyst).json()
    assert body["source"] == "calls"
    assert body["series"] == [{"ds": "2026-03-07", "y": 48.0}, {"ds": "2026-03-08", "y": 3.0},
                              {"ds": "2026-03-09", "y": 0.0}]


def test_hourly_history_starts_at_the_first_hour_with_calls(client, db, make_user, fixed_clock):
    fixed_clock.now = NOW
    _report_hour(db, datetime(2026, 3, 9, 22, tzinfo=UTC), 5)
    _, analyst = make_user("analyst")
    body = client.get("/api/v1/demand/series?source=calls&channel=999&freq=H", headers=analyst).json()
    # ... up to the end of yesterday: the quiet last hour is a zero, the hours before the data are not there
    assert body["series"] == [{"ds": "2026-03-09 22:00:00", "y": 5.0}, {"ds": "2026-03-09 23:00:00", "y": 0.0}]


def test_a_partial_first_day_is_left_out_of_daily_history(client, db, make_user, fixed_clock):
    fixed_clock.now = NOW
    _report_hour(db, datetime(2026, 3, 8, 15, tzinfo=UTC), 4)
    _report_hour(db, datetime(2026, 3, 9, 1, tzinfo=UTC), 6)
    _, analyst = make_user("analyst")
    body = client.get("/api/v1/demand/series?source=calls&channel=999&freq=D", headers=analyst).json()
    assert body["series"] == [{"ds": "2026-03-09", "y": 6.0}]


def test_calls_need_a_phone_line_and_no_area(client, make_user, fixed_clock):
    _, analyst = make_user("analyst")
    res = client.get("/api/v1/demand/series?source=calls&channel=chat", headers=analyst)
    assert res.status_code == 422 and res.json()["detail"].startswith("channel:")
    res = client.get("/api/v1/demand/series?source=calls&channel=999&area=North", headers=analyst)
    assert res.status_code == 422 and res.json()["detail"].startswith("area:")
    assert client.get("/api/v1/demand/series?source=phones", headers=analyst).status_code == 422


def test_contacts_stay_the_default_source(client, make_user, fixed_clock):
    _, analyst = make_user("analyst")
    assert client.get("/api/v1/demand/series", headers=analyst).json()["source"] == "contacts"
