"""The call-taking screen on a live call: keyboard only, one screen at 1366 x 768, bad input told clearly."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KNIFE = ("My ex partner has turned up at my flat with a knife, he is banging on the door and shouting "
         "that he will kill me, my two kids are in the bedroom")


def _open(page, live_server, login):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "call_handler")
    page.goto(f"{live_server}/contacts/new")


def test_a_handler_records_and_decides_a_999_call_with_the_keyboard_alone(page, live_server, login):
    _open(page, live_server, login)
    kb = page.keyboard
    # The narrative has the focus when the screen opens: the handler types what the caller says.
    assert page.evaluate("document.activeElement.id") == "narrative"
    kb.press("Alt+C")
    assert page.evaluate("document.activeElement.name") == "channel"
    kb.press("ArrowRight")          # 999 -> 101
    kb.press("ArrowLeft")           # back to 999
    assert page.is_checked("#channel-999")
    kb.press("Alt+N")
    kb.type(KNIFE)
    page.wait_for_selector("#proposal-body:not([hidden])")
    page.wait_for_selector("#p-grade.grade-1")
    kb.press("Alt+L")
    kb.type("Flat 3, 12 Mill Lane, Stafford")
    # The key questions: Y / N / U answer one and move to the next.
    kb.press("Alt+Q")
    assert page.evaluate("document.activeElement.type") == "radio"
    first = page.evaluate("document.activeElement.name")
    kb.press("y")
    assert page.is_checked(f"#{first}_yes")
    assert page.evaluate("document.activeElement.name") != first
    for key in ("y", "n", "u", "y", "n", "y")[:5]:
        kb.press(key)
    # After the last question the focus moves on to the caller.
    kb.press("Alt+P")
    assert page.evaluate("document.activeElement.id") == "caller_name"
    kb.type("Kerry Mallory")
    kb.press("Tab")
    kb.type("07700 900111")
    kb.press("Tab")
    kb.type("14/02/1991")
    kb.press("Tab")
    kb.type("Flat 3, 12 Mill Lane, Stafford")
    kb.press("Alt+G")
    assert page.evaluate("document.activeElement.id") == "decision_grade"
    kb.press("1")
    kb.press("Alt+R")
    kb.press("d")                    # deploy
    assert page.input_value("#decision_grade") == "1"
    assert page.input_value("#decision_route") == "deploy"
    with page.expect_navigation():
        kb.press("Control+Enter")
    assert "/contacts/" in page.url and not page.url.endswith("/new")
    assert page.inner_text("#grade") == "1"
    assert "decided" in page.inner_text("#status")
    people = page.inner_text("#people")
    assert "Kerry Mallory" in people and "07700 900111" in people and "14/02/1991" in people
    assert "Mill Lane" in people


def _fits(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return page.evaluate("({h: document.documentElement.scrollHeight, vh: window.innerHeight,"
                         " w: document.documentElement.scrollWidth, vw: window.innerWidth})")


def test_the_call_taking_screen_fits_1366_by_768_without_scrolling(page, live_server, login):
    _open(page, live_server, login)
    size = _fits(page)
    assert size["h"] <= size["vh"] and size["w"] <= size["vw"], size
    page.fill("#narrative", KNIFE + ". He has been drinking and has taken something, I am scared he will hurt "
              "himself too, he said he would jump off the bridge. There was a fight last week as well.")
    page.wait_for_selector("#proposal-body:not([hidden])")
    page.fill("#caller_name", "Kerry Mallory")
    page.fill("#other_name", "Dean Mallory")
    page.wait_for_timeout(600)
    size = _fits(page)
    assert size["h"] <= size["vh"] and size["w"] <= size["vw"], size
    # The proposal and the Record button are in view, not scrolled away.
    for sel in ("#proposal", "#record", "#narrative", "#questions", "#caller"):
        box = page.locator(sel).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= 768, (sel, box)


def test_bad_input_is_refused_with_every_problem_named_and_nothing_cut(page, live_server, login):
    _open(page, live_server, login)
    page.fill("#caller_name", "Sam Future")
    page.fill("#caller_dob", "01/01/2090")
    page.click("#record")
    page.wait_for_selector("#errors")
    errors = page.inner_text("#errors")
    assert "What the caller says: it is empty" in errors
    assert "Caller's date of birth: 01/01/2090 is in the future" in errors
    assert page.input_value("#caller_name") == "Sam Future"   # what was typed is kept
    long_text = "The caller reads out a long statement. " * 1300    # about 50,000 characters
    page.evaluate("t => { const n = document.getElementById('narrative'); n.value = t;"
                  " n.dispatchEvent(new Event('input', {bubbles: true})); }", long_text)
    assert "too long to record" in page.inner_text("#narrative-count")
    page.fill("#caller_dob", "")
    page.click("#record")
    page.wait_for_selector("#errors")
    assert "more than the 20,000 that can be recorded" in page.inner_text("#errors")
    assert len(page.input_value("#narrative")) == len(long_text)   # not cut silently


def test_a_name_typed_on_the_call_suggests_the_known_person_and_confirming_links_them(page, live_server, login,
                                                                                        client, make_user):
    _, h = make_user("call_handler")
    first = client.post("/api/v1/contacts", headers=h, json={
        "channel": "101", "narrative": "Someone keeps ringing my doorbell at night and running off",
        "caller": {"name": "Priya Raman", "dob": "1984-06-09", "phone": "07700 900555", "address": "8 Oak Road"}})
    assert first.status_code == 201
    _open(page, live_server, login)
    page.fill("#narrative", "The doorbell again, they are outside now")
    page.fill("#caller_name", "priya raman")
    page.wait_for_selector("#caller-matches .ct-match")
    text = page.inner_text("#caller-matches")
    assert "Priya Raman" in text and "confirm the date of birth" in text
    page.click("#caller-matches .ct-confirm")
    assert page.input_value("#caller_dob") == "09/06/1984"
    page.wait_for_selector("#caller-matches .ct-match.links")
    assert "is linked when you record" in page.inner_text("#caller-matches")
    page.click("#record")
    page.wait_for_url("**/contacts/*")
    contact_id = int(page.url.rsplit("/", 1)[1])
    mine = client.get(f"/api/v1/contacts/{contact_id}", headers=h).json()
    theirs = client.get(f"/api/v1/contacts/{first.json()['id']}", headers=h).json()
    assert mine["caller"]["person_id"] == theirs["caller"]["person_id"]


def test_the_contact_page_shows_the_people_to_those_who_may_see_them_and_takes_answers(page, live_server, login,
                                                                                      client, make_user):
    _, h = make_user("call_handler")
    res = client.post("/api/v1/contacts", headers=h, json={
        "channel": "999", "narrative": "Someone is trying the back door of my house, I can hear them",
        "caller": {"name": "Olu Adeyemi", "phone": "07700 900777", "dob": "1990-05-17",
                   "address": "3 Beech Grove, Stone"}})
    cid = res.json()["id"]
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server}/contacts/{cid}")
    assert page.locator("#people-withheld").count() == 1
    assert "Olu Adeyemi" not in page.content()
    login(page, live_server, "supervisor")
    page.goto(f"{live_server}/contacts/{cid}")
    people = page.inner_text("#people")
    assert "Olu Adeyemi" in people and "17/05/1990" in people and "3 Beech Grove" in people
    page.check("#answers-form input[name=in_progress][value=yes]")
    page.check("#answers-form input[name=threat_to_life][value=no]")
    with page.expect_navigation():
        page.click("#answers-save")
    answers = client.get(f"/api/v1/contacts/{cid}", headers=h).json()["answers"]
    assert answers["in_progress"] is True and answers["threat_to_life"] is False
