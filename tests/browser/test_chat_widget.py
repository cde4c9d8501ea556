"""The public chat widget on a live call (issue 14): the 999 banner stays in view, nothing can be sent
before a chat starts, the person sees their place in the queue. Desktop 1366 px and phone 390 px."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def person(browser, live_server):  # type: ignore[no-untyped-def]
    contexts = []

    def open_page(viewport):  # type: ignore[no-untyped-def]
        ctx = browser.new_context(viewport=viewport, has_touch=viewport is PHONE)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(15_000)
        pg.goto(f"{live_server}/public")
        pg.click("#bl-launch")
        return pg

    yield open_page
    for ctx in contexts:
        ctx.close()


def _in_view(pg, selector: str) -> bool:  # type: ignore[no-untyped-def]
    """The element's whole box is inside the viewport and inside the panel (not scrolled off)."""
    return bool(pg.evaluate("""sel => {
        const e = document.querySelector(sel), p = document.getElementById('bl-panel');
        if (!e || e.hidden) return false;
        const r = e.getBoundingClientRect(), q = p.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.top >= q.top && r.bottom <= q.bottom
            && document.elementFromPoint(r.left + 5, r.top + 5)?.closest('#bl-emergency') !== null;
    }""", selector))


def _start(pg) -> None:  # type: ignore[no-untyped-def]
    pg.click("#bl-start")
    pg.wait_for_selector("#bl-status:has-text('Reference')")


def _say(pg, text: str) -> None:  # type: ignore[no-untyped-def]
    pg.fill("#bl-input", text)
    pg.keyboard.press("Enter")
    pg.wait_for_selector(f"#bl-log li.bl-citizen[data-seq]:has-text({text[:25]!r})")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_999_banner_stays_in_view_after_an_emergency_and_more_messages(person, viewport):
    pg = person(viewport)
    _start(pg)
    _say(pg, "my ex is outside with a knife and says he will kill me")
    pg.wait_for_selector("#bl-emergency:not([hidden])")
    assert pg.get_attribute("#bl-emergency", "role") == "alert"
    assert "Call 999 now" in pg.inner_text("#bl-emergency")
    for i in range(8):  # enough to make the log scroll to its newest message
        _say(pg, f"he is banging on the door now, message {i}, please help")
    assert pg.evaluate("(() => { const b = document.querySelector('.bl-body'); return b.scrollHeight > b.clientHeight; })()")
    assert _in_view(pg, "#bl-emergency")
    assert pg.get_attribute("#bl-emergency a", "href") == "tel:999"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_nothing_can_be_sent_before_a_chat_starts(person, viewport):
    pg = person(viewport)
    for control in ("#bl-compose", "#bl-input", "#bl-send", "#bl-tools", "#bl-end", "#bl-new", "#bl-transcript"):
        assert not pg.is_visible(control), control
    # Even a script that submits the hidden form sends nothing and shows no endless "Sending...".
    pg.evaluate("(() => { document.getElementById('bl-input').value = 'hello?'; document.getElementById('bl-compose').requestSubmit(); })()")
    assert pg.locator("#bl-log li").count() == 0
    _start(pg)
    assert pg.is_visible("#bl-input") and pg.is_visible("#bl-end")
    assert not pg.is_visible("#bl-new")  # "Start a new chat" only once this one has ended


def test_the_person_sees_their_place_in_the_queue(person):
    first, second = person(DESKTOP), person(PHONE)
    _start(first)
    _say(first, "I would like to report my bike stolen")
    _start(second)
    _say(second, "a question about a lost passport")
    second.wait_for_selector("#bl-status:has-text('number 2 in the queue')", timeout=5_000)
    first.wait_for_selector("#bl-status:has-text('next in the queue')", timeout=20_000)  # its next poll


def test_the_widget_socket_url_carries_no_token(person):
    pg = person(DESKTOP)
    urls: list[str] = []
    pg.on("websocket", lambda ws: urls.append(ws.url))
    _start(pg)
    pg.wait_for_function("window.bluelampChat.connected()")
    token = pg.evaluate("window.bluelampChat.state().token")
    assert urls and all(u.endswith("/chat/ws") and token not in u for u in urls)
