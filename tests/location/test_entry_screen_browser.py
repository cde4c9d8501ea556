"""On the entry screen: the handler confirms a gazetteer match, is offered the open incident nearby
as a possible duplicate, chooses it, and the recorded contact is linked to that incident."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIGHT = "There is a big fight outside the pub on Leek Road, someone has been glassed and is bleeding"


def test_a_duplicate_is_offered_and_linked_on_the_entry_screen(page, live_server, login, client, make_user):
    handler = make_user("call_handler")[1]
    ref = client.get("/api/v1/locations/match", params={"q": "Leek Road, Hanley"},
                     headers=handler).json()["matches"][0]["ref"]
    first = client.post("/api/v1/contacts", headers=handler, json={
        "channel": "999", "narrative": FIGHT, "location": {"description": "Leek Road", "gazetteer_ref": ref}}).json()
    incident = first["incident_id"]
    assert incident is not None

    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "call_handler")
    page.goto(f"{live_server}/contacts/new")
    page.fill("#narrative", "They are still fighting outside the pub, one of them has a bottle, please hurry")
    page.click("#location_description")
    page.keyboard.type("leek raod hanly")
    page.wait_for_selector("#location-matches:not([hidden]) .loc-match")
    assert page.inner_text("#location-matches .loc-match >> nth=0").startswith("Leek Road, Hanley")
    page.click("#location-matches .loc-match >> nth=0")
    assert page.input_value("#gazetteer_ref") == ref
    page.wait_for_selector(f"#possible-duplicates:not([hidden]) li[data-incident='{incident}']")
    page.click(f"li[data-incident='{incident}'] .loc-link")
    assert page.input_value("#link_incident_id") == str(incident)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert "/contacts/" in page.url and not page.url.endswith("/new")
    new_id = int(page.url.rstrip("/").split("/")[-1])
    stored = client.get(f"/api/v1/incidents/{incident}", headers=make_user("dispatcher")[1]).json()
    assert stored["contact_ids"] == [first["id"], new_id]
    location = client.get(f"/api/v1/contacts/{new_id}", headers=handler).json()["location"]
    assert location["source"] == "gazetteer" and location["confirmed"] is True
