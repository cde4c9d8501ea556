"""A contact's location resolves (coordinates, grid reference, UPRN, gazetteer) and records how."""

from __future__ import annotations

import pytest

from bluelamp.location.model import distance_m

FIGHT = "There is a fight outside, one of them has a bottle and there is blood everywhere"


def _post(client, headers, location, narrative=FIGHT):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/contacts", json={"channel": "999", "narrative": narrative, "location": location},
                       headers=headers)


def test_a_grid_reference_gives_a_position_and_says_so(client, handler):
    res = _post(client, handler, {"grid_ref": "SJ 8846 4681", "description": "by the town hall"})
    assert res.status_code == 201, res.text
    stored = client.get(f"/api/v1/contacts/{res.json()['id']}", headers=handler).json()["location"]
    assert stored["source"] == "grid_ref"
    assert distance_m(stored["lat"], stored["lon"], 53.0185, -2.1734) < 50
    assert stored["grid_ref"] == "SJ 8846 4681" and stored["precision_m"] == 10.0


def test_coordinates_as_given_are_source_given_and_the_area_follows(client, handler):
    res = _post(client, handler, {"lat": 53.024, "lon": -2.174})
    body = client.get(f"/api/v1/contacts/{res.json()['id']}", headers=handler).json()
    assert body["location"]["source"] == "given"
    assert body["area"] == "Stoke-on-Trent"
    assert body["location"]["urban"] is True


def test_a_rural_position_sets_the_rural_target_when_urban_is_not_given(client, handler):
    res = _post(client, handler, {"lat": 53.180, "lon": -1.870})  # Longnor, a moorland village
    assert res.status_code == 201, res.text
    assessment = res.json()["assessment"]
    assert assessment["grade"] == 1
    body = client.get(f"/api/v1/contacts/{res.json()['id']}", headers=handler).json()
    assert body["location"]["urban"] is False
    incident = client.get(f"/api/v1/incidents/{res.json()['incident_id']}",
                          headers=handler).json()
    assert incident["location"]["urban"] is False


def test_the_handler_confirms_a_gazetteer_match_and_the_contact_is_placed_there(client, handler):
    found = client.get("/api/v1/locations/match", params={"q": "leek raod, hanly"}, headers=handler).json()
    best = found["matches"][0]
    assert best["label"] == "Leek Road, Hanley"
    res = _post(client, handler, {"description": "Leek Road", "gazetteer_ref": best["ref"]})
    stored = client.get(f"/api/v1/contacts/{res.json()['id']}", headers=handler).json()["location"]
    assert stored["source"] == "gazetteer" and stored["confirmed"] is True
    assert (stored["lat"], stored["lon"]) == (pytest.approx(best["lat"]), pytest.approx(best["lon"]))


def test_clear_free_text_is_placed_and_ambiguous_text_is_not(client, handler):
    clear = _post(client, handler, {"description": "Greengate Street, Stafford"}).json()
    assert clear["location"]["source"] == "gazetteer"
    vague = _post(client, handler, {"description": "High Street"}).json()  # a High Street in many towns
    assert vague["location"] == {"lat": None, "lon": None, "source": None, "label": None}
    stored = client.get(f"/api/v1/contacts/{vague['id']}", headers=handler).json()["location"]
    assert stored["source"] is None and stored["lat"] is None


def test_what3words_is_kept_as_given_without_a_position(client, handler):
    res = _post(client, handler, {"what3words": "filled.count.soap"})
    stored = client.get(f"/api/v1/contacts/{res.json()['id']}", headers=handler).json()["location"]
    assert stored["what3words"] == "filled.count.soap"  # as given
    assert stored["source"] is None and stored["lat"] is None


def test_a_uprn_in_the_gazetteer_gives_its_position(client, handler, db):
    from bluelamp.location.store import GazetteerEntry

    with db.unit_of_work() as session:
        session.add(GazetteerEntry(source="addressbase", external_id="100031234567", kind="address",
                                   name="12 Greengate Street", locality="Stafford", postcode="ST16 2JA",
                                   uprn="100031234567", lat=52.8058, lon=-2.1170))
    res = _post(client, handler, {"uprn": "100031234567"})
    stored = client.get(f"/api/v1/contacts/{res.json()['id']}", headers=handler).json()["location"]
    assert stored["source"] == "uprn" and stored["lat"] == pytest.approx(52.8058)
    unknown = _post(client, handler, {"uprn": "999"}).json()
    assert unknown["location"]["source"] is None


@pytest.mark.parametrize("location, field", [
    ({"grid_ref": "XX 1234 5678"}, "location.grid_ref"),
    ({"grid_ref": "SJ 123 45"}, "location.grid_ref"),
    ({"lat": 40.7, "lon": -74.0}, "location.lat"),
    ({"lat": 52.8}, "location.lat"),
    ({"what3words": "filled.count"}, "location.what3words"),
    ({"uprn": "12AB"}, "location.uprn"),
    ({"gazetteer_ref": "demo:street:nowhere"}, "location.gazetteer_ref"),
])
def test_bad_locations_are_a_422_naming_the_field_and_nothing_is_stored(client, handler, location, field, count):
    from bluelamp.contact.store import Contact

    res = _post(client, handler, location)
    assert res.status_code == 422, res.text
    assert res.json()["detail"].startswith(field)
    assert count(Contact) == 0


def test_the_match_route_needs_a_role_that_takes_contacts(client, make_user):
    analyst = make_user("analyst")[1]
    assert client.get("/api/v1/locations/match", params={"q": "leek"}, headers=analyst).status_code == 403
