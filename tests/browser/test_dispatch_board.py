"""A controller runs the dispatch board at 1366 x 768: pinned rows, filters, the dispatch panel in view
beside the chosen row, a units panel that fits, and Close that asks for a disposition."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dispatch_helpers import make_incident, make_unit
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DESKTOP = {"width": 1366, "height": 768}


def _in_viewport(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not displayed"
    return box["y"] >= 0 and box["y"] + min(box["height"], 200) <= DESKTOP["height"]


def test_the_dispatch_panel_opens_in_view_under_a_row_far_down_a_long_board(browser, live_server, login, db):
    from bluelamp import clock

    ids = [make_incident(db, grade=3, lat=52.80 + i * 0.001) for i in range(120)]
    urgent = make_incident(db, grade=1, lat=52.70)
    late = make_incident(db, grade=3, received_at=clock.now() - timedelta(days=3))
    make_unit(db, "NEAR1", lat=52.801)
    for i in range(40):
        make_unit(db, f"C{i:02d}", lat=52.6 + i * 0.01)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, live_server, "dispatcher")
        page.goto(f"{live_server}/incidents")
        page.wait_for_selector(f"#inc-{ids[-1]}")
        # Grade 1 and the breached grade-3 incident are pinned above the other 120.
        order = page.eval_on_selector_all("#board-body tr[id^=inc-]", "rows => rows.map(r => r.id)")
        assert order[:2] == [f"inc-{urgent}", f"inc-{late}"]
        assert "pinned" in (page.get_attribute(f"#inc-{late}", "class") or "")
        target = ids[110]
        page.locator(f"#inc-{target} button.dispatch").scroll_into_view_if_needed()
        page.locator(f"#inc-{target} button.dispatch").click()
        page.wait_for_selector("#dispatch-panel:not([hidden])")
        expect(page.locator("#dp-candidates")).to_contain_text("(recommended)")
        # The panel is the row right under the chosen incident, and it is on screen.
        assert page.eval_on_selector(f"#inc-{target}", "r => r.nextElementSibling.id") == "panel-row"
        assert _in_viewport(page, "#dispatch-panel")
        assert _in_viewport(page, "#dp-send")
        # It survives the 5-second refresh in place.
        page.wait_for_timeout(5600)
        assert page.eval_on_selector(f"#inc-{target}", "r => r.nextElementSibling.id") == "panel-row"
        page.click("#dp-send")
        page.wait_for_selector("#dispatch-panel", state="hidden")
        expect(page.locator(f"#inc-{target} td.status")).to_have_text("dispatched")
        # Nothing overflows sideways at 1366 px, and the units table fits its panel.
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
        fits = page.eval_on_selector(".units-scroll", "e => e.scrollWidth <= e.clientWidth")
        assert fits, "the units table is clipped"
        board_fits = page.eval_on_selector(".board-main", "e => e.scrollWidth <= e.clientWidth")
        assert board_fits, "the incident table scrolls sideways at 1366 px"
        side = page.locator(".board-side").bounding_box()
        assert side and side["x"] + side["width"] <= DESKTOP["width"]
    finally:
        context.close()


def test_the_filters_show_only_the_incidents_asked_for(browser, live_server, login, db):
    g2 = make_incident(db, grade=2, area="Tamworth")
    g3 = make_incident(db, grade=3, area="Stafford")
    g3b = make_incident(db, grade=3, area="Tamworth")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, live_server, "dispatcher")
        page.goto(f"{live_server}/incidents")
        page.wait_for_selector(f"#inc-{g3b}")
        page.select_option("#f-grade", "3")
        expect(page.locator(f"#inc-{g2}")).to_have_count(0)
        expect(page.locator(f"#inc-{g3}")).to_have_count(1)
        page.select_option("#f-area", "Tamworth")
        expect(page.locator("#board-body tr[id^=inc-]")).to_have_count(1)
        expect(page.locator(f"#inc-{g3b}")).to_have_count(1)
        page.select_option("#f-grade", "")
        page.check("#f-breached")
        expect(page.locator("#board-body tr[id^=inc-]")).to_have_count(0)
        expect(page.locator("#board-body")).to_contain_text("No incident matches the filters")
    finally:
        context.close()


def test_close_on_the_board_asks_a_disposition_code_and_a_reason(browser, live_server, login, db):
    from bluelamp.response.store import Incident

    iid = make_incident(db, grade=3)
    uid = make_unit(db, "CL1")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, live_server, "dispatcher")
        page.goto(f"{live_server}/incidents")
        page.locator(f"#inc-{iid} button.dispatch").click()
        page.wait_for_selector(f"#dp-unit-{uid}")
        page.click("#dp-send")
        page.wait_for_selector("#dispatch-panel", state="hidden")
        page.locator(f"#inc-{iid} button.arrived").click()
        expect(page.locator(f"#inc-{iid} td.status")).to_have_text("at scene")
        page.locator(f"#inc-{iid} button.close").click()
        page.wait_for_selector("#close-panel:not([hidden])")
        assert _in_viewport(page, "#close-panel")
        page.click("#cp-send")
        expect(page.locator("#cp-error")).to_contain_text("choose a disposition")
        expect(page.locator("#cp-error")).to_contain_text("give a reason")
        page.select_option("#cp-code", "ADVICE")
        page.fill("#cp-reason", "Neighbours spoken to, music turned down")
        page.click("#cp-send")
        expect(page.locator(f"#inc-{iid}")).to_have_count(0)
    finally:
        context.close()
    with db.unit_of_work() as session:
        inc = session.get(Incident, iid)
        assert inc.status == "closed"
        assert inc.extra["disposition_code"] == "ADVICE"
        assert inc.extra["closure_reason"] == "Neighbours spoken to, music turned down"
