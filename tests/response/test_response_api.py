"""HTTP: the open-incidents contract, dispatch to arrival through the API, units, the board page."""

from __future__ import annotations


def test_open_incidents_carry_the_contract_fields_ordered_by_grade_then_time_left(
        client, make_user, fixed_clock, make_incident):
    late_g2 = make_incident(grade=2)
    fixed_clock.advance(minutes=1)
    g1_later = make_incident(grade=1)
    fixed_clock.advance(minutes=1)
    g1_sooner = make_incident(grade=1, urban=True)
    g1_rural = make_incident(grade=1, urban=False)
    _, headers = make_user("dispatcher")
    res = client.get("/api/v1/incidents?status=open", headers=headers)
    assert res.status_code == 200
    body = res.json()
    assert [r["id"] for r in body] == [g1_later, g1_sooner, g1_rural, late_g2]
    first = body[0]
    assert {"id", "contact_id", "grade", "status", "flags", "location", "attend_by", "seconds_left"} <= set(first)
    assert first["seconds_left"] == 14 * 60 and first["attend_by"].endswith("Z")
    assert body[2]["seconds_left"] == 20 * 60 and body[2]["location"]["urban"] is False


def test_open_incidents_need_a_reading_role(client, make_user):
    assert client.get("/api/v1/incidents?status=open").status_code == 401
    _, analyst = make_user("analyst")
    assert client.get("/api/v1/incidents?status=open", headers=analyst).status_code == 403
    _, h = make_user("call_handler")
    assert client.get("/api/v1/incidents?status=open", headers=h).status_code == 200
    res = client.get("/api/v1/incidents?status=bogus", headers=h)
    assert res.status_code == 422 and "status" in res.json()["detail"]


def test_a_recorded_999_call_appears_as_an_open_incident(client, make_user):
    _, handler = make_user("call_handler")
    res = client.post("/api/v1/contacts", headers=handler, json={
        "channel": "999", "narrative": "He has a knife and is threatening to stab me right now",
        "location": {"lat": 52.8, "lon": -2.1, "urban": True}})
    assert res.status_code == 201 and res.json()["incident_id"]
    listed = client.get("/api/v1/incidents?status=open", headers=handler).json()
    assert [r["contact_id"] for r in listed] == [res.json()["id"]]


def test_dispatch_to_arrival_through_the_api(client, make_user, fixed_clock, make_incident, make_unit):
    iid = make_incident(grade=1)
    uid = make_unit("A1")
    _, h = make_user("dispatcher")
    rec = client.get(f"/api/v1/incidents/{iid}/recommendation", headers=h).json()
    assert rec["recommended_unit_id"] == uid
    res = client.post(f"/api/v1/incidents/{iid}/dispatch", headers=h, json={"unit_id": uid})
    assert res.status_code == 200 and res.json()["status"] == "dispatched"
    again = client.post(f"/api/v1/incidents/{iid}/dispatch", headers=h, json={"unit_id": uid})
    assert again.status_code == 409 and again.json()["detail"].startswith("unit_id:")
    fixed_clock.advance(minutes=7)
    naive = client.post(f"/api/v1/incidents/{iid}/units/{uid}/arrived", headers=h, json={"at": "2026-03-01T21:06:00"})
    assert naive.status_code == 422 and naive.json()["detail"].startswith("at:")
    res = client.post(f"/api/v1/incidents/{iid}/units/{uid}/arrived", headers=h, json={})
    body = res.json()
    assert res.status_code == 200 and body["status"] == "at_scene" and body["clock"] == "met"
    assert body["assignments"][0]["arrived_at"] == "2026-03-01T21:07:00Z"
    assert client.post(f"/api/v1/incidents/{iid}/close", headers=h, json={}).status_code == 200
    twice = client.post(f"/api/v1/incidents/{iid}/close", headers=h, json={})
    assert twice.status_code == 409 and "already closed" in twice.json()["detail"]


def test_arriving_unit_that_was_never_dispatched_is_a_conflict(client, make_user, make_incident, make_unit):
    iid, uid = make_incident(), make_unit("A1")
    _, h = make_user("dispatcher")
    res = client.post(f"/api/v1/incidents/{iid}/units/{uid}/arrived", headers=h, json={})
    assert res.status_code == 409 and "has not been dispatched" in res.json()["detail"]


def test_a_dispatcher_cannot_downgrade_and_a_supervisors_downgrade_waits(client, make_user, make_incident):
    iid = make_incident(grade=1)
    _, disp = make_user("dispatcher")
    _, sup = make_user("supervisor")
    body = {"grade": 3, "reason": "caller confirms offender left an hour ago"}
    assert client.post(f"/api/v1/incidents/{iid}/regrade", headers=disp, json=body).status_code == 403
    res = client.post(f"/api/v1/incidents/{iid}/regrade", headers=sup, json=body)
    assert res.status_code == 200 and res.json()["grade"] == 1 and res.json()["regrades"] == []
    assert res.json()["pending_regrade"]["to_grade"] == 3
    assert res.json()["pending_regrade"]["reason"] == body["reason"]


def test_units_are_created_by_a_supervisor_and_updated_by_a_dispatcher(client, make_user):
    _, sup = make_user("supervisor")
    _, disp = make_user("dispatcher")
    unit = {"call_sign": "ST21", "unit_type": "response_car", "skills": ["driving_response"], "lat": 52.8,
            "lon": -2.1, "shift_start": "2026-03-01T19:00:00Z", "shift_end": "2026-03-02T05:00:00Z"}
    assert client.post("/api/v1/units", headers=disp, json=unit).status_code == 403
    res = client.post("/api/v1/units", headers=sup, json=unit)
    assert res.status_code == 201
    assert client.post("/api/v1/units", headers=sup, json=unit).status_code == 409
    bad = client.post("/api/v1/units", headers=sup, json=unit | {"call_sign": "X", "unit_type": "helicopter"})
    assert bad.status_code == 422 and "unit_type" in bad.json()["detail"]
    uid = res.json()["id"]
    res = client.patch(f"/api/v1/units/{uid}", headers=disp, json={"status": "busy", "lat": 52.81, "lon": -2.11})
    assert res.status_code == 200 and res.json()["status"] == "busy"
    res = client.patch(f"/api/v1/units/{uid}", headers=disp, json={"shift_start": "2026-03-01T19:00:00"})
    assert res.status_code == 422 and "shift_start" in res.json()["detail"]


def test_the_board_page_draws_from_the_board_json(client, make_user, make_incident, make_unit, fixed_clock):
    make_incident(grade=1)
    make_unit("A1")
    _, h = make_user("dispatcher")
    assert client.get("/incidents", follow_redirects=False).status_code == 303  # anonymous: sign in first
    page = client.get("/incidents", headers=h)
    assert page.status_code == 200
    assert 'id="board-data"' in page.text and "A1" in page.text
    assert "/static/incidents.js" in page.text
    fixed_clock.advance(minutes=16)
    board = client.get("/api/v1/board", headers=h).json()
    assert board["incidents"][0]["clock"] == "breached" and board["incidents"][0]["seconds_left"] < 0
    assert board["units"][0]["call_sign"] == "A1"
