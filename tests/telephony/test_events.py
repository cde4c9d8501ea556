"""POST /api/v1/telephony/events: idempotent, order-independent, every bad item rejected by index."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bluelamp.audit.store import AuditEntry
from bluelamp.telephony.store import Call, CallEvent

from .conftest import ev


def _call(db, call_id):  # type: ignore[no-untyped-def]
    with db.unit_of_work(write=False) as session:
        c = session.execute(select(Call).where(Call.call_id == call_id)).scalar_one()
        session.expunge(c)
        return c


def test_events_are_accepted_and_a_repeat_is_a_duplicate(feed, fixed_clock, db, count):
    t = fixed_clock.now - timedelta(minutes=3)
    batch = [ev("c1", "offered", t, "999"), ev("c1", "answered", t + timedelta(seconds=6), "999", handler="h1")]
    assert feed(batch) == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert feed(batch) == {"accepted": 0, "duplicates": 2, "rejected": []}
    # a repeat inside one batch is a duplicate too
    assert feed([ev("c1", "ended", t + timedelta(seconds=99), "999")] * 2) == {
        "accepted": 1, "duplicates": 1, "rejected": []}
    assert count(CallEvent) == 3
    call = _call(db, "c1")
    assert call.outcome == "answered" and call.answer_s == 6.0 and call.answered_by == "h1" and call.events == 3


def test_the_same_events_in_any_order_give_the_same_call(feed, fixed_clock, db):
    t = fixed_clock.now - timedelta(minutes=10)
    events = [ev("{}", "offered", t, number="01234 567890"), ev("{}", "answered", t + timedelta(seconds=42), handler="h2"),
              ev("{}", "transferred", t + timedelta(seconds=80)), ev("{}", "ended", t + timedelta(seconds=300))]
    for e in events:
        feed([{**e, "call_id": "in-order"}])
    for e in reversed(events):  # last event first, one request each
        feed([{**e, "call_id": "reversed"}])
    a, b = _call(db, "in-order"), _call(db, "reversed")
    fields = ("line", "offered_at", "answered_at", "answered_by", "ended_at", "transferred_at", "answer_s",
              "outcome", "unoffered", "number")
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    assert b.outcome == "answered" and b.answer_s == 42.0 and not b.unoffered and b.number == "01234 567890"


def test_an_abandon_that_arrives_before_its_offer_is_still_an_abandoned_call(feed, fixed_clock, db):
    t = fixed_clock.now - timedelta(minutes=10)
    feed([ev("late", "abandoned", t + timedelta(seconds=75))])
    assert _call(db, "late").unoffered is True
    feed([ev("late", "offered", t)])
    call = _call(db, "late")
    assert call.unoffered is False and call.outcome == "abandoned" and call.wait_s == 75.0


def test_each_bad_event_is_rejected_by_index_and_the_good_ones_kept(feed, fixed_clock, count):
    t = fixed_clock.now - timedelta(minutes=1)
    good = ev("ok", "offered", t)
    bad = [
        ev("x1", "offered", t, line="112"),  # unknown line
        ev("x2", "offered", fixed_clock.now + timedelta(hours=1)),  # future
        {**ev("x3", "offered", t), "at": "2026-03-01T20:00:00"},  # no time zone
        {**ev("x4", "offered", t), "at": "yesterday"},
        ev("x5", "rang", t),  # unknown event
        {**ev("x6", "offered", t), "colour": "red"},  # unknown field
        ev("x7", "offered", t, number="call me maybe"),
        {**ev("x8", "offered", t), "call_id": ""},
        {**ev("x9", "offered", t), "call_id": "c" * 65},
        "not an object",
        ev("x10", "answered", t, handler=""),
    ]
    out = feed([good, *bad])
    assert out["accepted"] == 1 and out["duplicates"] == 0
    got = {r["index"]: r["detail"] for r in out["rejected"]}
    assert sorted(got) == list(range(1, len(bad) + 1))
    assert got[1].startswith("line:") and got[2].startswith("at:") and "future" in got[2]
    assert got[3].startswith("at:") and "time zone" in got[3] and got[4].startswith("at:")
    assert got[5].startswith("event:") and got[6].startswith("colour:") and got[7].startswith("number:")
    assert got[8].startswith("call_id:") and got[9].startswith("call_id:") and got[10].startswith("body:")
    assert got[11].startswith("handler:")
    assert count(CallEvent) == 1


def test_a_call_never_offered_is_kept_flagged_and_left_out_of_the_measures(feed, fixed_clock, client, make_user, db):
    t = fixed_clock.now - timedelta(minutes=5)
    assert feed([ev("ghost", "answered", t, "999", handler="h1"), ev("ghost", "ended", t + timedelta(minutes=2),
                                                                    "999")])["accepted"] == 2
    call = _call(db, "ghost")
    assert call.unoffered and any("no offered event" in c for c in call.conflicts)
    _, sup = make_user("supervisor")
    listed = client.get("/api/v1/telephony/calls?unoffered=true", headers=sup).json()
    assert [c["call_id"] for c in listed] == ["ghost"] and "number" not in listed[0]
    _, leader = make_user("leader")
    calls = client.get("/api/v1/measures?from=2026-03-01&to=2026-03-01", headers=leader).json()["calls"]
    assert calls["999"]["answered"] == 0 and calls["999"]["share_within_10s"] is None


def test_the_feed_needs_the_telephony_role_and_a_list(client, make_user, fixed_clock):
    body = [ev("r1", "offered", fixed_clock.now - timedelta(seconds=5))]
    assert client.post("/api/v1/telephony/events", json=body).status_code == 401
    _, handler = make_user("call_handler")
    assert client.post("/api/v1/telephony/events", json=body, headers=handler).status_code == 403
    _, admin = make_user("admin")
    assert client.post("/api/v1/telephony/events", json=body, headers=admin).status_code == 202
    _, feed_user = make_user("telephony")
    res = client.post("/api/v1/telephony/events", json={"call_id": "r1"}, headers=feed_user)
    assert res.status_code == 422 and "body" in str(res.json()["detail"])
    assert client.get("/api/v1/callbacks", headers=feed_user).status_code == 403


def test_a_batch_is_audited_by_call_id_without_numbers(feed, fixed_clock, db):
    feed([ev("aud1", "offered", fixed_clock.now - timedelta(minutes=1), number="07700 900555")])
    with db.unit_of_work(write=False) as session:
        entries = session.execute(select(AuditEntry).where(AuditEntry.action == "telephony.events_received")).scalars().all()
        assert len(entries) == 1
        text = str(entries[0].content)
        assert "aud1" in text and "900555" not in text
