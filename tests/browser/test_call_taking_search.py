"""Search from the top bar: a handler finds a contact by reference and a person by name (with a reason);
a role that may not search people is told so, and a role without search is refused."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_handler_finds_a_contact_by_reference_and_a_person_by_name(page, live_server, login, client, make_user):
    _, h = make_user("call_handler")
    res = client.post("/api/v1/contacts", headers=h, json={
        "channel": "101", "narrative": "Shed broken into on the allotment overnight, tools taken",
        "caller": {"name": "Bartholomew Quince", "dob": "1958-11-02", "phone": "07700 900246"}})
    cid = res.json()["id"]
    login(page, live_server, "call_handler")
    page.goto(f"{live_server}/contacts")
    page.fill("#topsearch-q", f"BL{cid:07d}")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    hit = page.locator(f"tr.hit-contact[data-ref='BL{cid:07d}']")
    assert hit.count() == 1 and "allotment" in hit.inner_text()
    # People: the security rules ask for a reason; without one the page says so and shows nobody.
    page.fill("#search-q", "quince")
    page.click("#search-go")
    assert "needs a stated reason" in page.inner_text("#search-results")
    assert page.locator("tr.hit-person").count() == 0
    page.fill("#search-reason", "caller on the line about a repeat burglary")
    page.click("#search-go")
    person = page.locator("tr.hit-person")
    assert person.count() == 1 and "Bartholomew Quince" in person.inner_text()
    assert "02/11/1958" in person.inner_text()
    person.locator("a").first.click()
    page.wait_for_url(f"**/contacts/{cid}")


def test_a_dispatcher_is_told_people_are_not_searched_and_an_analyst_cannot_search(page, live_server, login,
                                                                                 client, make_user):
    _, h = make_user("call_handler")
    client.post("/api/v1/contacts", headers=h, json={
        "channel": "101", "narrative": "Shed broken into on the allotment overnight",
        "caller": {"name": "Bartholomew Quince", "dob": "1958-11-02"}})
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server}/search?q=quince&reason=just+looking")
    assert "people are not searched for your roles" in page.inner_text("#search-results")
    assert page.locator("tr.hit-person").count() == 0
    login(page, live_server, "analyst")
    assert page.locator("#topsearch-q").count() == 0
    answer = page.goto(f"{live_server}/search?q=quince")
    assert answer is not None and answer.status == 403
