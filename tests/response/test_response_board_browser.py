"""A dispatcher, in a real browser, dispatches the recommended unit and records its arrival on the board."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_dispatcher_dispatches_and_records_arrival_on_the_live_board(browser, live_server, make_user,
                                                                       make_incident, make_unit, db):
    from bluelamp.response.store import Incident

    iid = make_incident(grade=1)
    make_unit("FAR1", lat=52.95)
    near = make_unit("NEAR1", lat=52.801)
    _, headers = make_user("dispatcher")
    # Bearer auth on every request of the page, its polls and its actions.
    context = browser.new_context(extra_http_headers=headers)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server}/incidents")
        row = page.locator(f"#inc-{iid}")
        first = row.locator("td.left").inner_text()
        expect(row.locator("td.left")).not_to_have_text(first)  # (no string predicates: the CSP has no eval)
        assert "running" in row.get_attribute("class")
        row.locator("button.dispatch").click()
        page.wait_for_selector("#dispatch-panel:not([hidden])")
        assert "NEAR1 (recommended)" in page.inner_text("#dp-candidates")
        page.click("#dp-send")
        page.wait_for_selector("#dispatch-panel", state="hidden")
        expect(row.locator("td.status")).to_have_text("dispatched")
        assert "NEAR1" in row.locator("td.units").inner_text()
        assert "dispatched" in page.inner_text(f"#unit-{near}")
        row.locator("button.arrived").click()
        expect(row.locator("td.status")).to_have_text("at scene")
        assert row.locator("td.left").inner_text() == "met"
        assert "at scene" in page.inner_text(f"#unit-{near}")
    finally:
        context.close()
    with db.unit_of_work() as session:
        inc = session.get(Incident, iid)
        assert inc.status == "at_scene" and inc.dispatched_at and inc.arrived_at
