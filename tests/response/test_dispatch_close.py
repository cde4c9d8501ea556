"""Closing an incident with a disposition code from policy and a reason, through the API."""

from __future__ import annotations


def _arrive(client, headers, iid: int, uid: int) -> None:  # type: ignore[no-untyped-def]
    assert client.post(f"/api/v1/incidents/{iid}/dispatch", headers=headers, json={"unit_id": uid}).status_code == 200
    assert client.post(f"/api/v1/incidents/{iid}/units/{uid}/arrived", headers=headers, json={}).status_code == 200


def test_an_unknown_disposition_code_is_a_422_naming_the_field(client, make_user, make_incident, make_unit):
    iid, uid = make_incident(grade=3), make_unit("DC1")
    _, headers = make_user("dispatcher")
    _arrive(client, headers, iid, uid)
    res = client.post(f"/api/v1/incidents/{iid}/close", headers=headers,
                      json={"disposition_code": "NOPE", "reason": "x"})
    assert res.status_code == 422 and "disposition_code" in res.json()["detail"] and "ADVICE" in res.json()["detail"]
    res = client.post(f"/api/v1/incidents/{iid}/close", headers=headers, json={"disposition_code": "ADVICE"})
    assert res.status_code == 422 and "reason" in res.json()["detail"]
    assert client.get(f"/api/v1/incidents/{iid}", headers=headers).json()["status"] == "at_scene"


def test_a_close_with_a_code_and_a_reason_keeps_both_and_audits_them(client, make_user, make_incident, make_unit,
                                                                   db):
    from bluelamp.audit import service as audit

    iid, uid = make_incident(grade=3), make_unit("DC2")
    _, headers = make_user("dispatcher")
    _arrive(client, headers, iid, uid)
    res = client.post(f"/api/v1/incidents/{iid}/close", headers=headers,
                      json={"disposition_code": "CRIME", "reason": "Criminal damage to a car, crime recorded"})
    assert res.status_code == 200
    body = res.json()
    assert body["status"] == "closed" and body["extra"]["disposition_code"] == "CRIME"
    assert body["extra"]["disposition"] == "Crime recorded"
    with db.unit_of_work() as session:
        [closed] = [e for e in audit.trail(session, "incident", iid) if e.action == "incident.closed"]
        assert closed.content["after"]["disposition_code"] == "CRIME"
        assert closed.content["after"]["reason"] == "Criminal damage to a car, crime recorded"


def test_closing_unattended_with_a_code_needs_a_supervisor_and_then_a_second_one(client, make_user, make_incident):
    iid = make_incident(grade=2)
    _, dispatcher = make_user("dispatcher")
    res = client.post(f"/api/v1/incidents/{iid}/close", headers=dispatcher,
                      json={"disposition_code": "CANCELLED", "reason": "caller rang back"})
    assert res.status_code == 403 and "supervisor" in res.json()["detail"]
    asker, supervisor = make_user("supervisor")
    res = client.post(f"/api/v1/incidents/{iid}/close", headers=supervisor,
                      json={"disposition_code": "CANCELLED", "reason": "caller rang back"})
    assert res.status_code == 202, res.text  # pending: the incident stays open
    body = res.json()
    assert body["status"] == "awaiting" and body["closed_at"] is None
    pending = body["pending_approval"]
    assert pending["kind"] == "close" and pending["by"] == f"user:{asker}"
    assert pending["detail"]["disposition_code"] == "CANCELLED" and pending["detail"]["reason"] == "caller rang back"
    own = client.post(f"/api/v1/incidents/{iid}/approval", headers=supervisor, json={"approve": True})
    assert own.status_code == 403 and "own" in own.json()["detail"]
    _, second = make_user("supervisor")
    res = client.post(f"/api/v1/incidents/{iid}/approval", headers=second, json={"approve": True})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["status"] == "closed" and body["pending_approval"] is None
    assert body["extra"]["approved_by"] != body["extra"]["requested_by"] == f"user:{asker}"
    assert body["extra"]["disposition_code"] == "CANCELLED" and body["extra"]["closure_reason"] == "caller rang back"
