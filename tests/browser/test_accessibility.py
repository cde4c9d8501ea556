"""WCAG 2.2 AA on the public pages and the chat widget, checked with axe-core (vendored under
static/vendor/axe-core, loaded from our own origin so the pages' CSP stays as it is)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = "/static/vendor/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _serious(pg, base: str, include: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """Serious or critical axe violations on the page (or inside `include`), as readable lines."""
    if not pg.evaluate("typeof window.axe !== 'undefined'"):
        pg.add_script_tag(url=base + AXE)
    result = pg.evaluate("""async ([include, tags]) => {
        const r = await axe.run(include ? {include: [include]} : document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
    }""", [include, TAGS])
    return list(result)


@pytest.fixture
def visitor(browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    ctx.route("https://www.bbc.co.uk/**", lambda route: route.fulfill(body="<p>Weather</p>", content_type="text/html"))
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    ctx.close()


def test_the_public_pages_have_no_serious_accessibility_violations(visitor, live_server):
    problems = {}
    for path in ("/public", "/public/report", "/login", "/public/dashboard"):
        visitor.goto(live_server + path)
        visitor.wait_for_load_state("networkidle")
        found = _serious(visitor, live_server)
        if found:
            problems[path] = found
    # The report form after a submission with mistakes: errors listed, fields labelled.
    visitor.goto(live_server + "/public/report")
    visitor.click("#submit-report")
    visitor.wait_for_load_state("networkidle")
    found = _serious(visitor, live_server)
    if found:
        problems["/public/report (with errors)"] = found
    assert not problems, problems


def test_the_chat_widget_has_no_serious_accessibility_violations(visitor, live_server):
    visitor.goto(live_server + "/public")
    assert _serious(visitor, live_server, "#bl-launch") == []
    visitor.keyboard.press("Tab")
    for _ in range(12):  # the launcher is reachable by keyboard
        if visitor.evaluate("document.activeElement && document.activeElement.id") == "bl-launch":
            break
        visitor.keyboard.press("Tab")
    assert visitor.evaluate("document.activeElement.id") == "bl-launch"
    visitor.keyboard.press("Enter")
    assert visitor.evaluate("document.activeElement.id") == "bl-name"  # focus moves into the panel
    assert _serious(visitor, live_server, "#bl-panel") == []
    visitor.keyboard.press("Tab"), visitor.keyboard.press("Tab"), visitor.keyboard.press("Tab")
    assert visitor.evaluate("document.activeElement.id") == "bl-start"
    visitor.keyboard.press("Enter")
    visitor.wait_for_selector("#bl-status:has-text('Reference')")
    visitor.fill("#bl-input", "my ex is outside with a knife and says he will kill me")
    visitor.keyboard.press("Enter")
    visitor.wait_for_selector("#bl-emergency:not([hidden])")
    assert _serious(visitor, live_server, "#bl-panel") == []
    # A visible focus indicator on the controls.
    visitor.focus("#bl-send")
    outline = visitor.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    visitor.keyboard.press("Escape")  # Escape minimises and returns focus to the launcher
    assert visitor.evaluate("document.activeElement.id") == "bl-launch"
