"""A close without attendance, in a real browser: one supervisor asks on the API (202), another sees the
card on the incident page and approves it; the incident is then closed with both names."""

from __future__ import annotations

import pytest
from dispatch_helpers import make_incident
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_second_supervisor_approves_a_close_without_attendance_on_the_incident_page(
        browser, live_server, login, db, client, make_user):
    from bluelamp.response.store import Incident

    iid = make_incident(db, grade=1)
    asker, api = make_user("supervisor")
    res = client.post(f"/api/v1/incidents/{iid}/close", headers=api,
                      json={"disposition_code": "CANCELLED", "reason": "caller rang back, all well"})
    assert res.status_code == 202
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        second = login(page, live_server, "supervisor")
        page.goto(f"{live_server}/incidents/{iid}")
        card = page.locator("#pending-regrade")
        expect(card).to_contain_text("Close without attendance awaiting a second supervisor")
        expect(card).to_contain_text("caller rang back, all well")
        page.click("#pr-approve")
        expect(page.locator("#inc-status")).to_have_text("closed")
    finally:
        context.close()
    with db.unit_of_work() as s:
        inc = s.get(Incident, iid)
        assert inc.status == "closed"
        assert (inc.extra["requested_by"], inc.extra["approved_by"]) == (f"user:{asker}", f"user:{second}")
