"""The offline map on the board and the incident page: every request goes to this origin, the markers are
the open incidents (coloured by grade and clock), units show the age of their position, boundaries drawn."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from dispatch_helpers import make_incident, make_unit
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _record(page, base: str):  # type: ignore[no-untyped-def]
    """Every request the page makes, and anything not to this origin refused (there is no internet)."""
    seen: list[str] = []
    origin = urlsplit(base)[:2]
    page.on("request", lambda r: seen.append(r.url))

    def route(r):  # type: ignore[no-untyped-def]
        if urlsplit(r.request.url)[:2] != origin and not r.request.url.startswith("data:"):
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    return seen


def test_the_board_map_draws_the_open_incidents_and_units_from_this_origin_only(browser, live_server, login, db):
    from bluelamp import clock
    from bluelamp.response import service

    g1 = make_incident(db, grade=1, lat=53.02, lon=-2.17, area="Stoke-on-Trent")
    breached = make_incident(db, grade=3, lat=52.81, lon=-2.11, received_at=clock.now() - timedelta(days=2))
    make_incident(db, grade=2, lat=52.63, lon=-1.69, area="Tamworth")
    nowhere = make_incident(db, grade=3, lat=None, lon=None)
    fresh = make_unit(db, "MAP1", lat=52.80, lon=-2.10, position_age_s=30)
    stale = make_unit(db, "MAP2", lat=52.70, lon=-2.03, position_age_s=3600)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    seen = _record(page, live_server)
    try:
        login(page, live_server, "dispatcher")
        page.goto(f"{live_server}/incidents")
        page.wait_for_selector("#map path.bl-boundary")
        page.wait_for_load_state("networkidle")
        with db.unit_of_work() as session:
            placed = {i.id for i in service.open_incidents(session) if i.lat is not None}
        markers = page.eval_on_selector_all("#map path.bl-inc", "ps => ps.map(p => p.getAttribute('class'))")
        ids = {int(c.split("bl-inc-")[1].split()[0]) for c in markers}
        assert ids == placed and len(markers) == len(placed)
        assert nowhere not in ids
        expect(page.locator("#map-note")).to_contain_text("1 incident has no position")
        assert "clock-breached" in page.get_attribute(f"#map path.bl-inc-{breached}", "class")
        assert "grade-1" in page.get_attribute(f"#map path.bl-inc-{g1}", "class")
        assert "stale" not in page.get_attribute(f"#map path.bl-unit-{fresh}", "class")
        assert "stale" in page.get_attribute(f"#map path.bl-unit-{stale}", "class")
        expect(page.locator(f"#unit-{stale} td.u-age")).to_have_text("1 h")
        expect(page.locator("#map path.bl-road")).not_to_have_count(0)
        # Clicking a marker opens the dispatch panel beside that incident's row.
        page.locator(f"#map path.bl-inc-{g1}").click(force=True)
        page.wait_for_selector("#dispatch-panel:not([hidden])")
        assert page.eval_on_selector(f"#inc-{g1}", "r => r.nextElementSibling.id") == "panel-row"
    finally:
        context.close()
    foreign = [u for u in seen if urlsplit(u)[:2] != urlsplit(live_server)[:2] and not u.startswith("data:")]
    assert not foreign, f"requests off this origin: {foreign}"
    assert any(u.endswith("/map/base.geojson") for u in seen)
    assert any("/static/vendor/leaflet/leaflet.js" in u for u in seen)


def test_the_incident_page_map_shows_the_incident_and_its_unit_from_this_origin_only(browser, live_server, login,
                                                                                     db, client, make_user):
    iid = make_incident(db, grade=2, lat=52.90, lon=-2.15)
    uid = make_unit(db, "MAP3", lat=52.905, lon=-2.15)
    _, api = make_user("dispatcher")
    assert client.post(f"/api/v1/incidents/{iid}/dispatch", headers=api, json={"unit_id": uid}).status_code == 200
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    seen = _record(page, live_server)
    try:
        login(page, live_server, "dispatcher")
        page.goto(f"{live_server}/incidents/{iid}")
        expect(page.locator("#map path.bl-area:not([d='M0 0'])")).not_to_have_count(0)  # the area around it
        expect(page.locator("#map path.bl-inc")).to_have_count(1)
        expect(page.locator(f"#map path.bl-inc-{iid}")).to_have_count(1)
        expect(page.locator(f"#map path.bl-unit-{uid}")).to_have_count(1)
    finally:
        context.close()
    assert all(urlsplit(u)[:2] == urlsplit(live_server)[:2] for u in seen if not u.startswith("data:"))
