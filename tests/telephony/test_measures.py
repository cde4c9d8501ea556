"""The `calls` block of the measures, from events and imported hours, each hour counted once; contacts
recorded on an answered call take their times from the phone system."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from bluelamp.contact.store import Contact
from bluelamp.telephony import measures
from bluelamp.telephony.imports import import_hourly

from .conftest import ev
from .test_import import row, write

DAY = "from=2026-03-01&to=2026-03-01"


def _answered(call_id: str, at: datetime, secs: float, line: str = "999", handler: str = "h") -> list[dict]:
    return [ev(call_id, "offered", at, line), ev(call_id, "answered", at + timedelta(seconds=secs), line,
                                                  handler=handler)]


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_calls_block_counts_answer_times_and_abandonment_from_events(client, make_user, feed, fixed_clock):
    t = datetime(2026, 3, 1, 18, 5, tzinfo=UTC)
    events = []
    for i, secs in enumerate((3, 8, 10, 12, 30)):
        events += _answered(f"e{i}", t + timedelta(minutes=i), secs)
    events += [ev("e-ab", "offered", t, "999"), ev("e-ab", "abandoned", t + timedelta(seconds=20), "999")]
    events += _answered("n1", t, 200, "101") + [ev("n2", "offered", t, "101"), ev("n2", "ended", t + timedelta(minutes=3),
                                                                                  "101")]
    feed(events)
    _, leader = make_user("leader")
    calls = client.get(f"/api/v1/measures?{DAY}", headers=leader).json()["calls"]
    c999 = calls["999"]
    assert {k: c999[k] for k in ("offered", "answered", "abandoned", "answered_within_10s", "share_within_10s",
                                 "abandon_rate")} == {"offered": 6, "answered": 5, "abandoned": 1,
                                                      "answered_within_10s": 3, "share_within_10s": 0.6,
                                                      "abandon_rate": round(1 / 6, 4)}
    assert c999["answered_within_15s"] == 4 and c999["mean_answer_s"] == 12.6 and c999["p90_answer_s"] == 22.8
    c101 = calls["101"]
    assert c101["offered"] == 2 and c101["abandoned"] == 1 and c101["abandon_rate"] == 0.5
    assert c101["share_within_10s"] == 0.0
    assert calls["sms"]["share_within_10s"] is None and calls["sms"]["abandon_rate"] is None


def test_an_hour_in_both_a_report_and_the_events_is_counted_once_from_the_report(db, feed, fixed_clock, tmp_path):
    t = datetime(2026, 3, 1, 9, 10, tzinfo=UTC)
    feed(_answered("x1", t, 5) + _answered("x2", t + timedelta(hours=1), 25))  # 09:00 and 10:00
    f = write(tmp_path / "r.csv", [row("2026-03-01T09:00:00"), row("2026-03-01T11:00:00")])
    import_hourly(db, f, tz="Europe/London", err=io.StringIO())
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
    with db.unit_of_work(write=False) as session:
        c = measures.calls(session, start, end)["999"]
        series = dict(measures.offered_series(session, "999", start, end))
        days = measures.breakdown(session, start, end, UTC, "hour_of_day")
    # two report hours of 46 offered each (45 answered, 40 within 10 s), plus the 10:00 event call
    assert c["offered"] == 93 and c["answered"] == 91 and c["answered_within_10s"] == 80
    assert c["hours_from_reports"] == 2 and c["hours_from_events"] == 1
    assert c["timed_answered"] == 1 and c["mean_answer_s"] == 25.0  # the 09:00 event call is not counted twice
    assert series[datetime(2026, 3, 1, 9, tzinfo=UTC)] == 46 and series[datetime(2026, 3, 1, 10, tzinfo=UTC)] == 1
    assert series[datetime(2026, 3, 1, 12, tzinfo=UTC)] == 0 and len(series) == 24
    assert [(r["line"], r["hour_of_day"], r["offered"]) for r in days if r["line"] == "999"] == [
        ("999", 9, 46), ("999", 10, 1), ("999", 11, 46)]


def test_the_cli_report_carries_the_calls_block(db, feed, fixed_clock):
    from bluelamp.performance.measures import measures as contract

    feed(_answered("cli1", datetime(2026, 3, 1, 12, tzinfo=UTC), 4))
    with db.unit_of_work(write=False) as session:
        out = contract(session, datetime(2026, 3, 1).date(), datetime(2026, 3, 1).date())
    assert out["calls"]["999"]["answered_within_10s"] == 1 and out["calls"]["999"]["share_within_10s"] == 1.0
    assert out["calls"]["101"]["offered"] == 0 and out["calls"]["101"]["abandon_rate"] is None


def test_a_contact_recorded_on_an_answered_call_takes_the_phone_systems_times(client, make_user, feed, fixed_clock,
                                                                               db):
    name, handler = make_user("call_handler")
    offered = fixed_clock.now - timedelta(minutes=4)
    feed(_answered("live1", offered, 7, "999", handler=name))
    feed(_answered("other", offered, 3, "999", handler="someone-else"))
    res = client.post("/api/v1/contacts", headers=handler, json={
        "channel": "999", "narrative": "My neighbour's shed is on fire and spreading to the fence",
        "received_at": "2026-03-01T20:59:00Z"})
    assert res.status_code == 201
    with db.unit_of_work(write=False) as session:
        contact = session.get(Contact, res.json()["id"])
        assert contact.received_at == offered and contact.answered_at == offered + timedelta(seconds=7)
    _, sup = make_user("supervisor")
    call = client.get("/api/v1/telephony/calls/live1", headers=sup).json()
    assert call["contact_id"] == res.json()["id"]
    assert client.get("/api/v1/telephony/calls/other", headers=sup).json()["contact_id"] is None
    # the call is linked once: the next contact is typed times again
    res2 = client.post("/api/v1/contacts", headers=handler, json={"channel": "999", "narrative": "A second report"})
    with db.unit_of_work(write=False) as session:
        second = session.get(Contact, res2.json()["id"])
        assert second.answered_at == fixed_clock.now
    # a 101 contact never links to a 999 call
    feed(_answered("live2", fixed_clock.now - timedelta(minutes=1), 5, "999", handler=name))
    res3 = client.post("/api/v1/contacts", headers=handler, json={"channel": "101", "narrative": "Bike stolen"})
    assert client.get("/api/v1/telephony/calls/live2", headers=sup).json()["contact_id"] is None
    assert res3.status_code == 201
    assert client.get("/api/v1/telephony/calls/nope", headers=sup).status_code == 404
