"""A call handler signs in, records a 999 call, sees the grade, reasons and vulnerable people."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_call_handler_records_a_999_call_and_sees_it_graded_and_explained(page, live_server, login):
    login(page, live_server, "call_handler")
    assert page.url.endswith("/contacts/new")
    page.check("#channel-999")
    page.fill("#narrative", "My partner has a knife and is threatening me, the kids are in the house")
    # The proposal appears while typing, before anything is recorded.
    page.wait_for_selector("#proposal-body:not([hidden])")
    assert page.inner_text("#p-grade") == "1"
    assert "weapon" in page.inner_text("#p-flags")
    page.fill("#caller_name", "Jo Bloggs")
    page.fill("#caller_phone", "07700 900321")
    page.fill("#caller_address", "4 Church Street, Stone")
    page.click("#record")
    page.wait_for_url("**/contacts/*")
    assert page.inner_text("#grade") == "1"
    assert page.inner_text("#route") == "deploy"
    flags = page.inner_text("#flags")
    assert "weapon" in flags and "domestic abuse" in flags and "child at risk" in flags
    assert page.locator("#reasons li").count() >= 2
    assert page.locator("#thrive tr").count() == 6
    assert "contact.recorded" in page.inner_text("#audit")
    page.click("#accept")
    page.wait_for_load_state("networkidle")
    assert "decided" in page.inner_text("#status")


def test_the_queue_shows_contacts_awaiting_a_decision(page, live_server, login, client, make_user):
    _, headers = make_user("call_handler")
    res = client.post("/api/v1/contacts", headers=headers,
                      json={"channel": "101", "narrative": "My car was broken into overnight, nothing to go on"})
    assert res.status_code == 201
    login(page, live_server, "supervisor")
    page.goto(f"{live_server}/contacts")
    assert page.locator(f"#queue a[href='/contacts/{res.json()['id']}']").count() == 1
