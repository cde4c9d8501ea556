"""The 101 call-back queue: items from abandoned calls, priority and deadline from the number's history,
handlers take the next item and record outcomes; an abandoned 999 call is an alert, never an item."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bluelamp.alerts.store import CrimeAlert
from bluelamp.audit.store import AuditEntry
from bluelamp.contact.store import Person
from bluelamp.telephony.store import Callback

from .conftest import ev


def _queue(client, headers):  # type: ignore[no-untyped-def]
    res = client.get("/api/v1/callbacks?status=open", headers=headers)
    assert res.status_code == 200
    return res.json()


def test_an_abandoned_101_call_with_a_number_becomes_an_item_with_its_reasons(client, make_user, abandoned,
                                                                               fixed_clock):
    abandoned("a1", "07700 900123")
    abandoned("a2", None)  # no number presented: nobody to call back
    _, handler = make_user("call_handler")
    items = _queue(client, handler)
    assert len(items) == 1
    item = items[0]
    assert {"id", "number", "deadline", "priority", "reasons"} <= set(item)
    assert item["number"] == "07700 900123" and item["priority"] == 3
    hung_up = fixed_clock.now - timedelta(minutes=5) + timedelta(seconds=90)
    assert datetime.fromisoformat(item["deadline"]) == hung_up + timedelta(hours=4)
    assert any("hung up" in r for r in item["reasons"]) and any("no history" in r for r in item["reasons"])


def test_an_abandoned_999_call_raises_an_alert_and_is_never_a_queue_item(client, make_user, abandoned, count, db):
    abandoned("e1", "07700 900999", line="999")
    abandoned("e1", "07700 900999", line="999")  # the same events again raise nothing new
    assert count(Callback) == 0 and count(CrimeAlert) == 1
    _, handler = make_user("call_handler")
    alerts = client.get("/api/v1/callbacks/alerts", headers=handler).json()
    assert len(alerts) == 1 and alerts[0]["number"] == "07700 900999" and "call back now" in alerts[0]["detail"]
    res = client.post(f"/api/v1/callbacks/alerts/{alerts[0]['id']}/done", headers=handler,
                      json={"outcome": "reached", "note": "caller safe, dialled by mistake"})
    assert res.status_code == 200
    assert client.get("/api/v1/callbacks/alerts", headers=handler).json() == []
    again = client.post(f"/api/v1/callbacks/alerts/{alerts[0]['id']}/done", headers=handler, json={"outcome": "reached"})
    assert again.status_code == 404
    _, inv = make_user("investigator")
    assert client.get("/api/v1/crime-alerts", headers=inv).json() == []  # not a crime's alert


def test_a_vulnerable_caller_and_a_recent_999_call_get_thirty_minutes(client, make_user, abandoned, feed, db,
                                                                       fixed_clock):
    with db.unit_of_work() as session:
        session.add(Person(name="A Person", phone="+44 7700 900111", phone_key="07700900111", markers=["elderly"]))
    abandoned("v1", "07700 900111")
    t = fixed_clock.now - timedelta(hours=3)
    feed([ev("n999", "offered", t, "999", number="07700900222"), ev("n999", "answered", t + timedelta(seconds=4),
                                                                    "999", handler="h")])
    abandoned("v2", "07700 900222", minutes_ago=2)
    abandoned("v3", "07700 900333", minutes_ago=20)
    _, handler = make_user("call_handler")
    items = _queue(client, handler)
    assert [i["call_id"] for i in items] == ["v1", "v2", "v3"]  # earliest deadline first
    by_id = {i["call_id"]: i for i in items}
    assert by_id["v1"]["priority"] == 1 and "vulnerability" in by_id["v1"]["findings"]
    assert by_id["v2"]["priority"] == 1 and by_id["v2"]["findings"] == ["recent_999"]
    assert any("999 call from this number" in r for r in by_id["v2"]["reasons"])
    assert by_id["v3"]["priority"] == 3
    v1 = by_id["v1"]
    assert datetime.fromisoformat(v1["deadline"]) - datetime.fromisoformat(v1["started_at"]) == timedelta(minutes=30)


def test_a_callback_offer_taken_in_the_queue_becomes_an_item(client, make_user, feed, fixed_clock):
    t = fixed_clock.now - timedelta(minutes=8)
    feed([ev("cb1", "offered", t, number="01632 960001"), ev("cb1", "callback_requested", t + timedelta(minutes=4)),
          ev("cb1", "ended", t + timedelta(minutes=4, seconds=20))])
    _, handler = make_user("call_handler")
    (item,) = _queue(client, handler)
    assert item["kind"] == "callback_requested" and any("asked for a call-back" in r for r in item["reasons"])


def test_an_answer_that_arrives_late_closes_an_item_nobody_has_tried(client, make_user, abandoned, feed,
                                                                      fixed_clock, db):
    abandoned("late1", "07700 900444", minutes_ago=5)
    _, handler = make_user("call_handler")
    assert len(_queue(client, handler)) == 1
    feed([ev("late1", "answered", fixed_clock.now - timedelta(minutes=5) + timedelta(seconds=30), handler="h9")])
    assert _queue(client, handler) == []
    closed = client.get("/api/v1/callbacks?status=closed", headers=handler).json()
    assert closed[0]["outcome"] == "not_needed"


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_a_handler_takes_the_next_item_and_records_outcomes(client, make_user, abandoned, fixed_clock, make_contact,
                                                             db):
    abandoned("t1", "07700 900501", minutes_ago=30)
    abandoned("t2", "07700 900502", minutes_ago=10)
    name, h1 = make_user("call_handler")
    _, h2 = make_user("call_handler")
    first = client.post("/api/v1/callbacks/next", headers=h1).json()
    assert first["call_id"] == "t1" and first["status"] == "taken"
    second = client.post("/api/v1/callbacks/next", headers=h2).json()
    assert second["call_id"] == "t2"  # two handlers never get the same item
    assert client.post("/api/v1/callbacks/next", headers=h2).status_code == 404
    # another handler cannot record on an item someone is calling
    other = client.post(f"/api/v1/callbacks/{first['id']}/outcome", headers=h2, json={"outcome": "not_needed"})
    assert other.status_code == 409
    # reached needs the contact recorded for the call
    res = client.post(f"/api/v1/callbacks/{first['id']}/outcome", headers=h1, json={"outcome": "reached"})
    assert res.status_code == 422 and res.json()["detail"].startswith("contact_id:")
    res = client.post(f"/api/v1/callbacks/{first['id']}/outcome", headers=h1,
                      json={"outcome": "reached", "contact_id": 999999})
    assert res.status_code == 422
    cid = make_contact(fixed_clock.now)
    res = client.post(f"/api/v1/callbacks/{first['id']}/outcome", headers=h1,
                      json={"outcome": "reached", "contact_id": cid})
    assert res.status_code == 200 and res.json()["outcome"] == "reached" and res.json()["status"] == "closed"
    assert client.post(f"/api/v1/callbacks/{first['id']}/outcome", headers=h1,
                       json={"outcome": "reached", "contact_id": cid}).status_code == 409
    # no answer: back in the queue later, closed as not reached after the third attempt
    for attempt in (1, 2, 3):
        res = client.post(f"/api/v1/callbacks/{second['id']}/outcome", headers=h2, json={"outcome": "no_answer"})
        assert res.status_code == 200
        body = res.json()
        if attempt < 3:
            assert body["status"] == "open" and len(body["attempts"]) == attempt
            assert client.post("/api/v1/callbacks/next", headers=h2).status_code == 404  # not due yet
            fixed_clock.advance(minutes=15)
            assert client.post("/api/v1/callbacks/next", headers=h2).json()["id"] == second["id"]
    assert body["status"] == "closed" and body["outcome"] == "not_reached" and len(body["attempts"]) == 3
    bad = client.post(f"/api/v1/callbacks/{second['id']}/outcome", headers=h2, json={"outcome": "maybe"})
    assert bad.status_code == 422
    assert client.post("/api/v1/callbacks/424242/outcome", headers=h2, json={"outcome": "not_needed"}).status_code == 404
    with db.unit_of_work(write=False) as session:
        actions = [a for (a,) in session.execute(select(AuditEntry.action).where(AuditEntry.entity == "callback"))]
    assert actions.count("callback.created") == 2 and actions.count("callback.taken") == 4
    assert actions.count("callback.attempted") == 4


def test_an_item_taken_and_left_without_an_outcome_comes_back(client, make_user, abandoned, fixed_clock):
    abandoned("left", "07700 900601")
    _, h1 = make_user("call_handler")
    _, h2 = make_user("call_handler")
    assert client.post("/api/v1/callbacks/next", headers=h1).status_code == 200
    assert _queue(client, h2) == []
    fixed_clock.advance(minutes=16)
    assert [i["call_id"] for i in _queue(client, h2)] == ["left"]
    assert client.post("/api/v1/callbacks/next", headers=h2).json()["call_id"] == "left"


def test_the_queue_is_for_handlers_and_supervisors(client, make_user):
    _, analyst = make_user("analyst")
    assert client.get("/api/v1/callbacks", headers=analyst).status_code == 403
    _, sup = make_user("supervisor")
    assert client.get("/api/v1/callbacks?status=open", headers=sup).status_code == 200
    assert client.get("/api/v1/callbacks?status=bogus", headers=sup).status_code == 422


def test_callback_measures_count_what_fell_due(client, make_user, abandoned, fixed_clock, make_contact):
    abandoned("m1", "07700 900701", minutes_ago=300)  # deadline passed, never tried: missed
    abandoned("m2", "07700 900702", minutes_ago=10)   # not yet due: not a figure
    abandoned("m3", "07700 900703", minutes_ago=60)
    _, h = make_user("call_handler")
    item = client.post("/api/v1/callbacks/next", headers=h).json()
    assert item["call_id"] == "m1"  # overdue first
    item3 = client.post("/api/v1/callbacks/next", headers=h).json()
    assert item3["call_id"] == "m3"
    tried = client.post(f"/api/v1/callbacks/{item3['id']}/outcome", headers=h, json={"outcome": "no_answer"})
    assert tried.status_code == 200, tried.text
    _, leader = make_user("leader")
    out = client.get("/api/v1/telephony/measures?from=2026-03-01&to=2026-03-01", headers=leader).json()
    cb = out["callbacks"]
    assert cb["items"] == 3 and cb["due"] == 2 and cb["within_deadline"] == 1 and cb["share_within_deadline"] == 0.5
    assert cb["attempts"] == 1 and cb["mean_attempts"] == 1.0


def test_each_read_of_the_queue_is_in_the_access_log(client, make_user, abandoned):
    abandoned("log1", "07700 900901")
    name, handler = make_user("call_handler")
    assert client.get("/api/v1/callbacks?status=open", headers=handler).status_code == 200
    assert client.get("/api/v1/callbacks/alerts", headers=handler).status_code == 200
    _, auditor = make_user("auditor")
    reads = client.get("/api/v1/audit/access?record=callback:queue", headers=auditor).json()
    assert [r["actor"] for r in reads] == [f"user:{name}"] * 2
    assert {r["route"] for r in reads} == {"/api/v1/callbacks", "/api/v1/callbacks/alerts"}
