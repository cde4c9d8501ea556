"""A citizen and an operator in two browser contexts (Debian's chromium through Playwright)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def citizen(browser, live_server):  # type: ignore[no-untyped-def]
    """open_citizen(mobile=False) -> a page on the mock force site, in its own browser context."""
    contexts = []

    def open_citizen(mobile: bool = False):  # type: ignore[no-untyped-def]
        ctx = browser.new_context(viewport={"width": 390, "height": 800} if mobile else None, has_touch=mobile)
        ctx.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(body="<p>Weather</p>", content_type="text/html"))
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(15_000)
        pg.goto(f"{live_server}/public")
        return pg

    yield open_citizen
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def operator(browser, live_server, login):  # type: ignore[no-untyped-def]
    contexts = []

    def open_console(*roles: str):  # type: ignore[no-untyped-def]
        ctx = browser.new_context()
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(15_000)
        login(pg, live_server, *(roles or ("chat_operator",)))
        pg.goto(f"{live_server}/chat/console")
        pg.wait_for_selector("#conn-status:has-text('Connected')")
        return pg

    yield open_console
    for ctx in contexts:
        ctx.close()


def _start_chat(pg, name: str = "") -> None:  # type: ignore[no-untyped-def]
    pg.focus("#bl-launch")
    pg.keyboard.press("Enter")  # keyboard-operable
    if name:
        pg.fill("#bl-name", name)
    pg.click("#bl-start")
    pg.wait_for_selector("#bl-status:has-text('Reference')")


def _say(pg, text: str) -> None:  # type: ignore[no-untyped-def]
    pg.fill("#bl-input", text)
    pg.keyboard.press("Enter")
    pg.wait_for_selector(f"#bl-log li.bl-citizen[data-seq]:has-text({text[:30]!r})")


def test_a_normal_chat_is_served_and_turned_into_a_contact(citizen, operator, db):
    person = citizen(mobile=True)
    console = operator()
    _start_chat(person, "Pat")
    _say(person, "Someone stole my bike from the station <b>today</b>")
    console.wait_for_selector("#queue tbody tr[data-chat]")
    console.click("#queue tbody tr[data-chat] button.take")
    panel = console.wait_for_selector(".chat-panel:not([hidden])")
    console.wait_for_selector(".chat-panel .log li.citizen:has-text('stole my bike')")
    # HTML sent by the public is shown as text, never as markup.
    assert "<b>today</b>" in panel.inner_text() and console.locator(".chat-panel .log b").count() == 0
    assert "Pat" in console.inner_text(".chat-panel .person")
    console.select_option(".chat-panel .canned", "greet")
    console.click(".chat-panel .send")
    reply = person.wait_for_selector("#bl-log li.bl-operator")
    assert "How can I help" in reply.inner_text()
    assert "webchat" not in person.inner_text("#bl-panel")  # no staff username on the public side
    console.click(".chat-panel .convert")
    console.wait_for_selector(".chat-panel .result:has-text('Recorded as contact')")
    person.wait_for_selector("#bl-log li:has-text('Your reference number is')")
    console.click(".chat-panel .close")
    person.wait_for_selector("#bl-status:has-text('This chat has ended')")
    from bluelamp.chat import store

    with db.unit_of_work() as s:
        chat = s.query(store.Chat).one()
        assert chat.outcome == "contact_recorded" and chat.contact_id is not None


def test_an_emergency_shows_the_999_prompt_jumps_the_queue_and_alerts_a_supervisor(citizen, operator):
    first, urgent = citizen(), citizen(mobile=True)
    console = operator()
    supervisor = operator("supervisor")
    _start_chat(first)
    _say(first, "I want to ask about getting my lost wallet back")
    console.wait_for_selector("#queue tbody tr[data-chat]")
    _start_chat(urgent)
    _say(urgent, "my ex is outside with a knife and says he will kill me")
    banner = urgent.wait_for_selector("#bl-emergency:not([hidden])")
    assert "Call 999 now" in banner.inner_text() and "55" in banner.inner_text()
    console.wait_for_selector("#queue tbody tr.emergency")
    assert console.locator("#queue tbody tr").count() == 2
    assert "emergency" in (console.locator("#queue tbody tr").first.get_attribute("class") or "")
    supervisor.wait_for_selector("#alerts li:has-text('Chat emergency')")
    supervisor.click("#alerts li button.ack")
    supervisor.wait_for_selector("#alerts li", state="detached")


def test_a_dropped_connection_loses_nothing_and_duplicates_nothing(citizen, operator):
    person = citizen()
    console = operator()
    _start_chat(person)
    _say(person, "Hello, I need to report some damage to my car")
    console.wait_for_selector("#queue tbody tr[data-chat]")
    console.click("#queue tbody tr[data-chat] button.take")
    console.wait_for_selector(".chat-panel .log li.citizen")
    person.evaluate("window.bluelampChat.dropConnection(2500)")
    person.wait_for_selector("#bl-status:has-text('reconnecting')")
    # While the person is offline both sides write.
    person.fill("#bl-input", "It happened in the Tesco car park")
    person.keyboard.press("Enter")
    console.fill(".chat-panel .body", "Was anyone hurt?")
    console.click(".chat-panel .send")
    console.wait_for_selector(".chat-panel .log li.operator:has-text('Was anyone hurt?')")
    person.wait_for_selector("#bl-log li.bl-operator:has-text('Was anyone hurt?')", timeout=20_000)
    person.wait_for_selector("#bl-log li.bl-citizen[data-seq]:has-text('Tesco car park')")
    console.wait_for_selector(".chat-panel .log li.citizen:has-text('Tesco car park')")
    assert person.locator("#bl-log li.bl-pending").count() == 0
    assert person.locator("#bl-log li:has-text('Tesco car park')").count() == 1
    assert person.locator("#bl-log li:has-text('Was anyone hurt?')").count() == 1
    assert console.locator(".chat-panel .log li:has-text('Tesco car park')").count() == 1
    seqs = [int(s) for s in person.eval_on_selector_all("#bl-log li[data-seq]", "els => els.map(e => e.dataset.seq)")]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))


def test_an_online_report_appears_in_the_queue(citizen, operator, live_server):
    console = operator("supervisor")
    person = citizen()
    person.click("#report-link")
    person.fill("#what_happened", "My garden shed was broken into and a lawnmower taken")
    person.fill("#when", "last night")
    person.fill("#name", "Robin Hill")
    person.fill("#phone", "07700 900444")
    person.click("#submit-report")
    reference = person.inner_text("#reference")
    assert reference.startswith("BL")
    contact_id = int(reference[2:])
    console.wait_for_selector(f"#online-reports li[data-contact='{contact_id}']")
    console.goto(f"{live_server}/contacts")
    assert console.locator(f"#queue a[href='/contacts/{contact_id}']").count() == 1


def test_quick_exit_leaves_the_page_at_once_and_forgets_the_chat(citizen):
    person = citizen()
    _start_chat(person)
    person.click("#bl-quick-exit")
    person.wait_for_url("https://www.bbc.co.uk/**")
    # The page was replaced, not left in history: Back does not return to the chat.
    person.go_back()
    assert "/public" not in person.url


def test_a_chat_is_transferred_to_an_operator_chosen_by_name(citizen, operator):
    person = citizen()
    first = operator()
    second = operator()
    second_name = second.inner_text("#conn-status").removeprefix("Connected as ").rstrip(".")
    _start_chat(person)
    _say(person, "I want to ask about a parking fine")
    first.wait_for_selector("#queue tbody tr[data-chat]")
    first.click("#queue tbody tr[data-chat] button.take")
    first.wait_for_selector(".chat-panel .log li.citizen")
    first.focus(".chat-panel .to-user")  # the list refreshes when opened
    first.wait_for_selector(f".chat-panel .to-user option:has-text('{second_name}')", state="attached")
    assert first.locator(".chat-panel input.to-user").count() == 0  # no typed user id
    first.select_option(".chat-panel .to-user", label=first.locator(
        f".chat-panel .to-user option:has-text('{second_name}')").inner_text())
    first.click(".chat-panel .transfer")
    second.wait_for_selector(".chat-panel:not([hidden]) .log li.citizen:has-text('parking fine')")
    person.wait_for_function(  # the person is told twice: on the first answer and on the transfer
        "document.querySelectorAll('#bl-log li.bl-system').length && [...document.querySelectorAll('#bl-log li')]"
        ".filter(li => li.textContent.includes('You are now chatting with')).length === 2")
