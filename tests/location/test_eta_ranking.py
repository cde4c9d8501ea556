"""The recommendation ranks by estimated arrival from the last position, flags stale positions,
names the target, and with no estimate prefers a response car to a specialist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MACHETE = "A man is waving a machete at people outside the shop, he is threatening to kill someone"


def _contact(client, handler, location):  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/contacts", headers=handler,
                      json={"channel": "999", "narrative": MACHETE, "location": location})
    assert res.status_code == 201, res.text
    assert res.json()["assessment"]["grade"] == 1
    return res.json()["incident_id"]


def _positions(client, headers, items):  # type: ignore[no-untyped-def]
    res = client.post("/api/v1/positions", json=items, headers=headers)
    assert res.status_code == 202 and not res.json()["rejected"], res.text


def test_with_no_position_a_response_car_comes_before_a_dog_unit(client, handler, controller, make_unit):
    make_unit("AD01", unit_type="dog")
    make_unit("ZR01", unit_type="response_car")
    incident = _contact(client, handler, {"description": "somewhere near the shops"})
    rec = client.get(f"/api/v1/incidents/{incident}/recommendation", headers=controller).json()
    assert rec["candidates"][0]["call_sign"] == "ZR01"
    assert rec["target"]["name"] == "15 min urban" and rec["target"]["can_meet"] is None


def test_the_nearest_by_road_time_is_recommended_and_the_target_named(client, handler, controller, make_unit):
    make_unit("FAR1")
    make_unit("NEAR1")
    now = datetime.now(UTC)
    at = now.isoformat().replace("+00:00", "Z")
    _positions(client, controller, [{"unit": "FAR1", "lat": 52.806, "lon": -2.117, "at": at},  # Stafford
                                    {"unit": "NEAR1", "lat": 53.030, "lon": -2.180, "at": at}])  # Hanley
    incident = _contact(client, handler, {"lat": 53.024, "lon": -2.174})
    rec = client.get(f"/api/v1/incidents/{incident}/recommendation", headers=controller).json()
    first, second = rec["candidates"][:2]
    assert first["call_sign"] == "NEAR1" and second["call_sign"] == "FAR1"
    # 40 km/h urban, 1.3 detour, 60 s turnout (location.yaml): about 0.8 km -> a little under 3 minutes
    assert 60 < first["eta_s"] < 4 * 60
    assert first["makes_target"] is True and second["makes_target"] is False
    assert rec["target"]["can_meet"] is True
    assert rec["target"]["text"].startswith("NEAR1 can meet the 15 min urban target")


def test_a_stale_position_is_said_so(client, handler, controller, make_unit):
    make_unit("OLD1")
    old = (datetime.now(UTC) - timedelta(minutes=20)).isoformat().replace("+00:00", "Z")
    _positions(client, controller, [{"unit": "OLD1", "lat": 53.030, "lon": -2.180, "at": old}])
    incident = _contact(client, handler, {"lat": 53.024, "lon": -2.174})
    rec = client.get(f"/api/v1/incidents/{incident}/recommendation", headers=controller).json()
    assert rec["candidates"][0]["position_stale"] is True
    assert any(w.startswith("stale position: OLD1 last reported 20 min ago") for w in rec["warnings"])


def test_when_no_unit_can_make_it_the_target_it_misses_is_named(client, handler, controller, make_unit):
    make_unit("TAM1")
    at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    _positions(client, controller, [{"unit": "TAM1", "lat": 52.633, "lon": -1.695, "at": at}])  # Tamworth
    incident = _contact(client, handler, {"lat": 53.024, "lon": -2.174})  # Hanley, ~55 km away
    rec = client.get(f"/api/v1/incidents/{incident}/recommendation", headers=controller).json()
    assert rec["target"]["can_meet"] is False
    assert rec["target"]["text"].startswith("the 15 min urban target cannot be met")
