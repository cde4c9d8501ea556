"""The incident page: every event on a timeline (regrades with reasons, dispatches, stage times entered
late marked), its units, regrade with a reason, and close with a disposition code and a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dispatch_helpers import make_incident, make_unit
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_incident_page_shows_the_timeline_and_closes_with_a_disposition(browser, live_server, login, db,
                                                                             client, make_user):
    from bluelamp import clock
    from bluelamp.response.store import Incident

    received = clock.now() - timedelta(minutes=40)
    iid = make_incident(db, grade=3, received_at=received)
    uid = make_unit(db, "TL1")
    _, api = make_user("dispatcher")
    sent = clock.iso(clock.now() - timedelta(minutes=38))
    assert client.post(f"/api/v1/incidents/{iid}/dispatch", headers=api,
                       json={"unit_id": uid, "at": sent, "late_reason": "radio traffic"}).status_code == 200
    # The arrival is keyed in now for 25 minutes ago: entered late.
    at = clock.iso(clock.now() - timedelta(minutes=25))
    assert client.post(f"/api/v1/incidents/{iid}/units/{uid}/arrived", headers=api, json={"at": at, "late_reason": "busy with a grade 1"}).status_code == 200
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        login(page, live_server, "dispatcher")
        page.goto(f"{live_server}/incidents/{iid}")
        timeline = page.locator("#timeline")
        expect(timeline).to_contain_text("Incident opened")
        expect(timeline).to_contain_text("Unit dispatched")
        # Both stage times were keyed in well after the times they give: both are marked.
        expect(timeline.locator("tr.late")).to_have_count(2)
        expect(timeline.locator("tr.late[data-action='incident.unit_arrived'] .late-mark")).to_contain_text(
            "entered 25 min late")
        expect(timeline.locator("tr.late[data-action='incident.unit_arrived']")).to_contain_text(
            "entered late, because: busy with a grade 1")
        expect(timeline.locator("tr.late[data-action='incident.dispatched'] .late-mark")).to_contain_text(
            "entered 38 min late")
        expect(timeline.locator("tr[data-action='incident.opened']:not(.late)")).to_have_count(1)
        expect(page.locator("#inc-units")).to_contain_text("TL1")
        # An upgrade with a reason: it shows on the timeline with the reason.
        page.select_option("#rg-grade", "2")
        page.fill("#rg-reason", "Caller says the man has come back with a bat")
        page.click("#rg-send")
        expect(page.locator("#inc-grade")).to_have_text("2")
        expect(timeline).to_contain_text("Caller says the man has come back with a bat")
        # A downgrade by a dispatcher is refused by the one control: it needs a supervisor.
        page.select_option("#rg-grade", "4")
        expect(page.locator("#rg-hint")).to_contain_text("needs a supervisor")
        page.fill("#rg-reason", "calmer now")
        page.click("#rg-send")
        expect(page.locator("#rg-error")).to_contain_text("supervisor")
        # A note goes on the timeline.
        page.fill("#note-text", "Second caller: the man is walking towards the park")
        page.click("#note-send")
        expect(timeline.locator("tr[data-action='incident.note_added']")).to_contain_text("towards the park")
        # Close: both the code and the reason are asked for.
        page.click("#cp-send")
        expect(page.locator("#cp-error")).to_contain_text("choose a disposition")
        page.select_option("#cp-code", "ARREST")
        page.fill("#cp-reason", "Male arrested for affray, taken to custody")
        page.click("#cp-send")
        expect(page.locator("#inc-status")).to_have_text("closed")
        expect(page.locator("#inc-disposition")).to_contain_text("Arrest made (ARREST)")
        expect(timeline).to_contain_text("Incident closed")
        expect(timeline).to_contain_text("Male arrested for affray")
        expect(page.locator("#close-form")).to_have_count(0)  # a closed incident offers no actions
    finally:
        context.close()
    with db.unit_of_work() as session:
        inc = session.get(Incident, iid)
        assert inc.status == "closed" and inc.grade == 2 and inc.extra["disposition_code"] == "ARREST"


def test_an_unknown_incident_is_a_404_page_with_a_way_back(page, live_server, login):
    login(page, live_server, "dispatcher")
    res = page.goto(f"{live_server}/incidents/987654")
    assert res is not None and res.status == 404
    assert "987654" in page.inner_text("body")
