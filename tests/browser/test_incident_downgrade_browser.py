"""Issue 12 item 8 on the incident page: a supervisor's downgrade waits, the page says so, and another
supervisor approves it on the page; the board marks the incident meanwhile."""

from __future__ import annotations

import pytest
from dispatch_helpers import make_incident
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_downgrade_waits_on_the_page_until_another_supervisor_approves_it(browser, live_server, login, db):
    from bluelamp.response.store import Incident

    iid = make_incident(db, grade=1)
    first = browser.new_context(viewport={"width": 1366, "height": 768})
    second = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = first.new_page()
        page.set_default_timeout(15_000)
        login(page, live_server, "supervisor")
        page.goto(f"{live_server}/incidents/{iid}")
        page.select_option("#rg-grade", "3")
        expect(page.locator("#rg-hint")).to_contain_text("another supervisor")
        page.fill("#rg-reason", "Offender left an hour ago, victim with family")
        page.click("#rg-send")
        expect(page.locator("#pending-regrade")).to_contain_text("Grade 1 to grade 3")
        expect(page.locator("#inc-grade")).to_have_text("1")  # the grade and clock stand meanwhile
        expect(page.locator("#pr-own")).to_be_visible()
        expect(page.locator("#pr-approve")).to_have_count(0)
        page.goto(f"{live_server}/incidents")
        expect(page.locator(f"#inc-{iid} .pending-regrade")).to_contain_text("3?")

        other = second.new_page()
        other.set_default_timeout(15_000)
        login(other, live_server, "supervisor")
        other.goto(f"{live_server}/incidents/{iid}")
        other.fill("#pr-note", "agreed: checked the log")
        other.click("#pr-approve")
        expect(other.locator("#inc-grade")).to_have_text("3")
        expect(other.locator("#pending-regrade")).to_have_count(0)
        expect(other.locator("#timeline")).to_contain_text("Downgrade approved")
        expect(other.locator("#timeline")).to_contain_text("note: agreed: checked the log")
    finally:
        first.close()
        second.close()
    with db.unit_of_work() as session:
        assert session.get(Incident, iid).grade == 3
