"""Every role is shown only what it can open (issue 14 item 6): sign in as each role, follow the top
bar and every link on those pages (one level deeper), and no link answers 4xx or 5xx. Also: no page
sideways wider than a 390 px phone, and "Sign out" always in view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAFF_ROLES = ("call_handler", "chat_operator", "dispatcher", "investigator", "supervisor", "cab_officer",
               "victim_care", "analyst", "leader", "auditor")
SKIP = ("/logout", "/static/", "/performance/report.pdf", "/performance/plotly.js", "/demand/plotly.js")
LINKS_JS = """() => [...new Set([...document.querySelectorAll('a[href^="/"]')].map(a => a.getAttribute('href'))
    .filter(h => !h.startsWith('//')))]"""


@pytest.fixture
def records(db, client, make_user, make_contact):  # type: ignore[no-untyped-def]
    """A little of everything for the pages to link to: contacts, an incident, a crime with a victim, a chat."""
    from bluelamp.crime import service as crimes
    from bluelamp.identity import service as identity

    _, handler = make_user("call_handler")
    for text in ("A man with a knife is threatening people outside the Co-op on High Street",
                 "My neighbour's music has been loud every night this week"):
        assert client.post("/api/v1/contacts", headers=handler, json={"channel": "999", "narrative": text}).status_code == 201
    contact = make_contact(received_at=datetime.now(UTC) - timedelta(hours=1))
    with db.unit_of_work() as s:
        user = identity.add_user(s, "oic.walk", ["investigator"], "correct horse battery")
        oic = identity.principal_of(user)
    with db.unit_of_work() as s:
        crimes.record_crime(s, oic, offence="burglary_residential", risk="medium", contact_id=contact,
                            incident_id=None, summary="Shed broken into, bike taken", domestic=False,
                            parties=[{"role": "victim", "name": "Sam Walker", "dob": None}])
    started = client.post("/api/v1/chat/start", json={})
    assert started.status_code == 201


def _walk(pg, base: str) -> tuple[list[str], dict[str, tuple[int, str]]]:  # type: ignore[no-untyped-def]
    """The top bar's links, and for every link found: (status, the page it was found on)."""
    pg.goto(f"{base}/")
    nav = pg.eval_on_selector_all("header nav a", "els => els.map(a => a.getAttribute('href'))")
    seen: dict[str, tuple[int, str]] = {}
    deeper: dict[str, str] = {}
    for href in nav:
        res = pg.goto(base + href)
        seen[href] = (res.status if res else 0, "top bar")
        for h in pg.evaluate(LINKS_JS):
            if not h.startswith(SKIP):
                deeper.setdefault(h, href)
    for href in sorted(set(deeper) - set(seen))[:60]:
        seen[href] = (pg.request.get(base + href, max_redirects=5).status, deeper[href])
    return nav, seen


def test_every_link_a_role_is_shown_opens_for_that_role(browser, live_server, login, records):
    shown: dict[str, list[str]] = {}
    failures = []
    for role in STAFF_ROLES:
        ctx = browser.new_context()
        pg = ctx.new_page()
        pg.set_default_timeout(30_000)  # sign-in (argon2) is slow on a loaded machine
        login(pg, live_server, role)
        nav, seen = _walk(pg, live_server)
        shown[role] = nav
        failures += [f"{role}: {href} (linked from {where}) answered {status}"
                     for href, (status, where) in seen.items() if status >= 400]
        ctx.close()
    assert not failures, "\n".join(failures)
    # What each role is shown matches its work (and nothing it cannot open).
    assert "/bureau" in shown["cab_officer"]
    assert "/crimes/new" not in str(shown["victim_care"])
    assert "/incidents" not in shown["chat_operator"]
    assert "/performance" in shown["leader"] and "/performance" in shown["analyst"]
    assert "/audit" in shown["auditor"] and "/audit" not in shown["leader"]


def test_victim_care_is_not_offered_record_a_crime(browser, live_server, login, records):
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    login(pg, live_server, "victim_care")
    pg.goto(f"{live_server}/crimes")
    assert pg.locator("a[href='/crimes/new']").count() == 0
    assert "Record a crime" not in pg.inner_text("main")
    ctx.close()


MAIN_PAGES = {
    "call_handler": ["/contacts"], "chat_operator": ["/chat/console"], "investigator": ["/crimes"],
    "supervisor": ["/crimes", "/crimes/reviews", "/chat/console", "/victims/clocks"],
    "cab_officer": ["/bureau"], "victim_care": ["/victims/clocks"],
    "leader": ["/performance", "/performance/improvements", "/performance/report", "/performance/case-audits"],
    "analyst": ["/performance"], "auditor": ["/audit"],
}


def test_no_page_is_wider_than_a_phone_and_sign_out_stays_in_view(browser, live_server, login, records):
    problems = []
    for role, paths in MAIN_PAGES.items():
        ctx = browser.new_context(viewport={"width": 390, "height": 844})
        pg = ctx.new_page()
        pg.set_default_timeout(30_000)  # sign-in (argon2) is slow on a loaded machine
        login(pg, live_server, role)
        for path in paths:
            pg.goto(live_server + path)
            pg.wait_for_load_state("networkidle")
            width = pg.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide = pg.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)
                    .slice(0, 3).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)""")
                problems.append(f"{role} {path}: {width} px wide ({wide})")
            if path == "/performance/report":
                continue  # the printable report (the PDF's source) has no top bar, by design
            sign_out = pg.locator("header .who button")
            box = sign_out.bounding_box() if sign_out.count() == 1 else None
            if box is None or box["x"] < 0 or box["x"] + box["width"] > 390:
                problems.append(f"{role} {path}: Sign out not in view ({box})")
        ctx.close()
    assert not problems, "\n".join(problems)
