"""The handler's answers re-run triage and the result is the engine's proposal (issue #10 item 2)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

RECEIVED = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
NO_DANGER = {"threat_to_life": False, "in_progress": False, "weapon": False, "suspect_present": False}


@pytest.fixture
def handler(make_user):
    return make_user("call_handler")[1]


def _record(client, handler, narrative: str, channel: str = "999") -> dict:
    res = client.post("/api/v1/contacts", headers=handler,
                      json={"channel": channel, "narrative": narrative, "received_at": RECEIVED})
    assert res.status_code == 201, res.text
    return res.json()


def test_a_silent_999_call_is_a_provisional_emergency_with_questions(client, handler):
    body = _record(client, handler, "")
    a = body["assessment"]
    assert (a["grade"], a["route"], a["provisional"]) == (1, "deploy", True)
    assert "Is anyone in danger right now?" in a["questions"]
    assert body["incident_id"] is not None


def test_answers_that_rule_out_an_emergency_lower_it_without_a_supervisor(client, handler, make_user):
    body = _record(client, handler, "please can someone come")
    res = client.post(f"/api/v1/contacts/{body['id']}/answers", headers=handler, json=NO_DANGER)
    assert res.status_code == 200, res.text
    got = res.json()
    assert got["assessment"]["grade"] == 3 and got["assessment"]["route"] == "appointment"
    assert got["status"] == "awaiting_decision"  # no supervisor approval needed: the engine's proposal
    assert "Is anyone in danger right now?" not in got["assessment"]["questions"]
    incidents = client.get("/api/v1/incidents?status=open", headers=make_user("dispatcher")[1])
    assert incidents.status_code == 200, incidents.text
    mine = [i for i in incidents.json() if i["contact_id"] == body["id"]]
    assert [i["grade"] for i in mine] == [3]  # the incident followed the proposal: no second incident
    trail = client.get(f"/api/v1/contacts/{body['id']}", headers=handler).json()
    assert trail["assessment"]["grade"] == 3


def test_answers_that_raise_the_risk_raise_the_grade_at_once(client, handler):
    body = _record(client, handler, "my neighbour keeps shouting at me over the fence", channel="101")
    before = body["assessment"]["grade"]
    res = client.post(f"/api/v1/contacts/{body['id']}/answers", headers=handler,
                      json={"weapon": True, "in_progress": True, "suspect_present": True})
    assert res.status_code == 200, res.text
    after = res.json()["assessment"]
    assert before > 1 and after["grade"] == 1 and after["route"] == "deploy"
    assert "weapon" in after["flags"]


def test_answers_for_an_unknown_contact_or_key_are_refused(client, handler):
    assert client.post("/api/v1/contacts/999999/answers", headers=handler, json=NO_DANGER).status_code == 404
    body = _record(client, handler, "help")
    res = client.post(f"/api/v1/contacts/{body['id']}/answers", headers=handler, json={"colour": True})
    assert res.status_code == 422
