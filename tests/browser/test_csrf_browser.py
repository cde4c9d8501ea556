"""CSRF in a real browser (issue 12 row 2): a page on the same site but another origin (another port,
as a subdomain or the force website would be) tries to create a contact and to call the API as the
signed-in supervisor. The browser sends the cookie (same site); bluelamp refuses on Origin."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

pytestmark = pytest.mark.browser


def _contacts(db) -> int:  # type: ignore[no-untyped-def]
    from bluelamp.contact.store import Contact

    with db.unit_of_work() as session:
        return int(session.execute(select(func.count()).select_from(Contact)).scalar_one())


def test_a_same_site_page_on_another_origin_cannot_act_as_the_signed_in_supervisor(browser, live_server, login, db):
    context = browser.new_context()
    page = context.new_page()
    try:
        login(page, live_server, "supervisor")
        assert "/login" not in page.url
        port = int(live_server.rsplit(":", 1)[1])
        evil = f"http://127.0.0.1:{port + 1}"
        attack = f"""<!doctype html><html><body>
<form id="f" method="post" action="{live_server}/contacts/new">
  <input name="channel" value="999"><input name="narrative" value="planted by another origin">
</form>
<script>
  fetch("{live_server}/api/v1/triage", {{method: "POST", credentials: "include", mode: "no-cors",
    headers: {{"Content-Type": "text/plain"}}, body: "{{}}"}}).finally(() => document.getElementById("f").submit());
</script></body></html>"""
        # The attacker's page, served on another port of the same host (same site, foreign origin).
        context.route(f"{evil}/**", lambda route: route.fulfill(status=200, content_type="text/html", body=attack))
        with page.expect_navigation(url=f"{live_server}/contacts/new"):
            page.goto(f"{evil}/attack")
        assert "origin" in page.content()
        assert _contacts(db) == 0
        # The same form from bluelamp's own page works: the pages carry the token and the same origin.
        page.goto(f"{live_server}/contacts/new")
        page.fill("#narrative", "A genuine call about a stolen bike")
        page.click("#record")
        page.wait_for_load_state("networkidle")
        assert _contacts(db) == 1
    finally:
        context.close()
