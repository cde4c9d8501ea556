"""Many callers, one incident: duplicates offered, a contact linked, incidents merged, counted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

FIGHT = "There is a big fight outside the pub, someone has been punched and is on the floor"
FIGHT_KNIFE = "The fight outside the pub, one of them has pulled a knife now and is stabbing at people"
CRASH = "There has been a car crash, two cars, one is on its side, the road is blocked"
HANLEY = {"lat": 53.0240, "lon": -2.1740}
NEARBY = {"lat": 53.0250, "lon": -2.1745}  # ~120 m away


def _post(client, headers, narrative, location, channel="999"):  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/contacts", headers=headers,
                      json={"channel": channel, "narrative": narrative, "location": location})
    assert res.status_code == 201, res.text
    return res.json()


def test_a_second_caller_nearby_is_offered_the_open_incident(client, handler):
    first = _post(client, handler, FIGHT, HANLEY)
    assert first["possible_duplicates"] == []
    second = _post(client, handler, FIGHT, NEARBY)
    [dup] = second["possible_duplicates"]
    assert dup["incident_id"] == first["incident_id"]
    assert 80 <= dup["distance_m"] <= 160 and dup["minutes_apart"] < 5
    assert "m away" in dup["reason"]


def test_a_caller_far_away_or_about_another_kind_of_event_is_not_offered_it(client, handler):
    _post(client, handler, FIGHT, HANLEY)
    far = _post(client, handler, FIGHT, {"lat": 52.806, "lon": -2.117})  # Stafford
    assert far["possible_duplicates"] == []
    crash = _post(client, handler, CRASH, NEARBY)
    first_crash = crash["incident_id"]
    domestic = _post(client, handler, "My husband is hitting me, he has hit me in the face, please come",
                     {"lat": 53.0251, "lon": -2.1746})
    assert first_crash not in [d["incident_id"] for d in domestic["possible_duplicates"]]


def test_linking_joins_the_contact_and_a_higher_risk_contact_raises_the_grade(client, handler, make_user):
    # a 101 report of rowdiness (grade 2), then a 999 call about a knife at the same place
    first = _post(client, handler, "Some lads are shouting and kicking bins about outside the pub", HANLEY, "101")
    incident = first["incident_id"]
    assert incident is not None
    dispatcher = make_user("dispatcher")[1]
    before = client.get(f"/api/v1/incidents/{incident}", headers=dispatcher).json()
    second = _post(client, handler, FIGHT_KNIFE, NEARBY)
    assert incident in [d["incident_id"] for d in second["possible_duplicates"]]
    res = client.post(f"/api/v1/contacts/{second['id']}/link", json={"incident_id": incident}, headers=handler)
    assert res.status_code == 200, res.text
    assert res.json()["merged_incident_id"] == second["incident_id"]
    after = client.get(f"/api/v1/incidents/{incident}", headers=dispatcher).json()
    assert after["contact_ids"] == [first["id"], second["id"]]
    assert "weapon" in after["flags"]
    assert after["grade"] == 1 and before["grade"] > 1
    assert after["regrades"][-1]["reason"].startswith("linked contact")
    open_ids = {i["id"]: i for i in client.get("/api/v1/incidents", params={"status": "open"},
                                                headers=dispatcher).json()}
    assert second["incident_id"] not in open_ids  # its own incident merged into the first
    assert open_ids[incident]["contact_ids"] == [first["id"], second["id"]]
    assert open_ids[incident]["location"]["lat"] == HANLEY["lat"]
    again = client.post(f"/api/v1/contacts/{second['id']}/link", json={"incident_id": incident}, headers=handler)
    assert again.status_code == 409


def test_link_refuses_a_closed_or_missing_incident_naming_the_field(client, handler):
    c = _post(client, handler, FIGHT, HANLEY)
    missing = client.post(f"/api/v1/contacts/{c['id']}/link", json={"incident_id": 999999}, headers=handler)
    assert missing.status_code == 404 and missing.json()["detail"].startswith("incident_id")
    own = client.post(f"/api/v1/contacts/{c['id']}/link", json={"incident_id": c["incident_id"]}, headers=handler)
    assert own.status_code == 409


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_a_supervisor_merges_two_incidents_audited_and_measures_count_it_once(client, handler, make_user, db):
    a = _post(client, handler, FIGHT, HANLEY)
    b = _post(client, handler, FIGHT, {"lat": 53.0300, "lon": -2.1800})  # 750 m: not offered, same fight
    dispatcher = make_user("dispatcher")[1]
    body = {"merge_id": b["incident_id"], "reason": "same fight, callers at each end of the street"}
    assert client.post(f"/api/v1/incidents/{a['incident_id']}/merge", json=body,
                       headers=dispatcher).status_code == 403
    supervisor = make_user("supervisor")[1]
    res = client.post(f"/api/v1/incidents/{a['incident_id']}/merge", json=body, headers=supervisor)
    assert res.status_code == 200, res.text
    kept = client.get(f"/api/v1/incidents/{a['incident_id']}", headers=dispatcher).json()
    assert kept["contact_ids"] == [a["id"], b["id"]]
    gone = client.get(f"/api/v1/incidents/{b['incident_id']}", headers=dispatcher).json()
    assert gone["status"] == "merged" and gone["extra"]["merged_into"] == a["incident_id"]
    from sqlalchemy import select

    from bluelamp.audit.store import AuditEntry

    with db.unit_of_work() as session:
        actions = [e.action for e in session.execute(select(AuditEntry)).scalars()]
    assert "incident.merge" in actions and "incident.merged" in actions
    from bluelamp.performance.measures import attendance

    with db.unit_of_work() as session:
        now = datetime.now(UTC)
        figures = attendance(session, now - timedelta(hours=1), now + timedelta(hours=1))
    total = sum(g["incidents"] for g in figures.values() if isinstance(g, dict) and "incidents" in g)
    assert total == 1
