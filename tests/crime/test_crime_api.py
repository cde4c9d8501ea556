"""The crime and victims JSON API end to end, and its clear refusals."""

from __future__ import annotations

from bluelamp.policy import load_policy

GOOD = "Detailed enough text describing what will be done and by whom."


def test_crime_to_plan_to_review_to_outcome_over_the_api(client, make_user, make_contact, clock0):
    _, inv = make_user("investigator")
    _, sup = make_user("supervisor")
    _, care = make_user("victim_care")
    contact = make_contact()
    res = client.post("/api/v1/crimes", headers=inv, json={
        "offence": "robbery_personal", "risk": "high", "contact_id": contact,
        "parties": [{"role": "victim", "name": "Pat Lee"}, {"role": "suspect", "name": "Unknown male"}]})
    assert res.status_code == 201, res.text
    crime = res.json()
    assert crime["offence_group"] == "robbery" and crime["recording"] == "met" and len(crime["victims"]) == 1
    cid, vid = crime["id"], crime["victims"][0]["id"]

    res = client.put(f"/api/v1/crimes/{cid}/plan", headers=inv, json={"elements": {"lines_of_enquiry": GOOD}})
    assert res.status_code == 200 and "safeguarding not considered" in res.json()["reasons"]
    elements = {e.id: GOOD for e in load_policy().doc("investigation").elements}
    assert client.put(f"/api/v1/crimes/{cid}/plan", headers=inv, json={"elements": elements}).json()["score"] == 90
    action = client.post(f"/api/v1/crimes/{cid}/actions", headers=inv,
                         json={"element": "suspect_actions", "description": "Arrest on identification"})
    assert action.status_code == 201

    refused = client.post(f"/api/v1/crimes/{cid}/reviews", headers=inv, json={"direction": "x" * 30})
    assert refused.status_code == 403
    res = client.post(f"/api/v1/crimes/{cid}/reviews", headers=sup, json={"direction": "Arrest the suspect today"})
    assert res.status_code == 201 and not res.json()["late"]

    res = client.post(f"/api/v1/crimes/{cid}/victim-events", headers=inv, json={"event": "arrest"})
    assert res.status_code == 201 and res.json()[0]["working_days"] == 5
    due = client.get("/api/v1/victims/clocks/due?within_hours=200", headers=care).json()
    assert [c["victim_id"] for c in due["clocks"]] == [vid]

    res = client.post(f"/api/v1/crimes/{cid}/closure", headers=inv, json={"outcome": "16", "evidence": {
        "rationale": "Victim withdrew support after interview"}})
    assert res.status_code == 422 and "victim wishes" in res.json()["detail"]
    assert client.post(f"/api/v1/crimes/{cid}/actions/{action.json()['id']}/done", headers=inv,
                       json={"result": "Arrested and interviewed"}).status_code == 200
    res = client.post(f"/api/v1/crimes/{cid}/closure", headers=inv, json={"outcome": "16", "evidence": {
        "rationale": "Victim withdrew support after interview", "victim_wishes": "Does not support a prosecution"}})
    assert res.status_code == 200 and res.json()["status"] == "pending_closure"
    res = client.post(f"/api/v1/crimes/{cid}/closure/decision", headers=sup, json={"approve": True})
    assert res.status_code == 200 and res.json()["status"] == "closed"

    body = client.get(f"/api/v1/crimes/{cid}", headers=inv).json()
    assert body["outcome"] == "16" and body["approved_by"].startswith("user:supervisor")
    kinds = {t["kind"] for t in client.get("/api/v1/bureau/tasks", headers=sup).json()}
    assert {"recording_check", "victim_update", "victim_outcome_letter", "outcome_check"} <= kinds


def test_bad_requests_get_clear_errors(client, make_user, make_contact, clock0):
    _, inv = make_user("investigator", "victim_care")
    contact = make_contact()
    res = client.post("/api/v1/crimes", headers=inv, json={"offence": "robbery_personal", "risk": "high",
                                                          "contact_id": contact,
                                                          "reported_at": "2026-03-09T10:00:00Z"})
    assert res.status_code == 422 and res.json()["detail"] == "reported_at: reported_at is in the future"
    res = client.post("/api/v1/crimes", headers=inv, json={"offence": "robbery_personal", "risk": "high"})
    assert res.status_code == 422 and "contact_id" in res.json()["detail"]
    assert client.get("/api/v1/crimes/12345", headers=inv).status_code == 404
    cid = client.post("/api/v1/crimes", headers=inv, json={
        "offence": "stalking_harassment", "risk": "medium", "contact_id": contact, "domestic": True,
        "parties": [{"role": "victim", "name": "Kim"}]}).json()["id"]
    vid = client.get(f"/api/v1/crimes/{cid}", headers=inv).json()["victims"][0]["id"]
    res = client.post(f"/api/v1/victims/{vid}/dash", headers=inv, json={"answers": {"q01_injury": "yes"}})
    assert res.status_code == 422 and "DASH is incomplete" in res.json()["detail"]
    res = client.post(f"/api/v1/crimes/{cid}/closure", headers=inv, json={"outcome": "18", "evidence": {}})
    assert res.status_code == 409 and "investigation plan" in res.json()["detail"]
