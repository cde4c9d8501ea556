"""The victim's own page in a real browser (issue 16 item 4): sign in with the reference and code, see
the updates, ask for a call; a wrong code is refused; a sensitive case is not shown. Also that the page
runs no inline script (the CSP would block it and report it in the console)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.browser


def _case(db, make_contact, offence="burglary_residential", domestic=False):  # type: ignore[no-untyped-def]
    from bluelamp.crime import service as crimes
    from bluelamp.identity.model import Principal
    from bluelamp.victims import portal_codes
    from bluelamp.victims import service as victims

    inv = Principal(user_id=1, username="inv", roles=frozenset({"investigator"}), team="test-team")
    care = Principal(user_id=2, username="care", roles=frozenset({"victim_care"}), team="test-team")
    contact = make_contact(received_at=datetime.now(UTC) - timedelta(hours=1))
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, inv, offence=offence, risk="medium", contact_id=contact,
                                    domestic=domestic, parties=[{"role": "victim", "name": "Jo Bloggs"},
                                                                {"role": "suspect", "name": "Dan Suspect"}])
        vid = victims.victims_of(session, crime.id)[0].id
        code = portal_codes.issued_in(session)[vid][0]
        if not domestic:
            victims.record_event(session, crime.id, care, event="arrest", event_at=None)
            victims.record_update(session, vid, care, method="phone")
    return f"CR{crime.id}", code


def _sign_in(page, base, reference, code):  # type: ignore[no-untyped-def]
    page.goto(f"{base}/my-case")
    page.fill("#reference", reference)
    page.fill("#code", code)
    page.click("#signin-form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_victim_signs_in_sees_the_update_and_asks_for_a_call(page, live_server, db, make_contact):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    reference, code = _case(db, make_contact)
    _sign_in(page, live_server, reference, code)
    assert reference in page.inner_text("h1")
    assert "being investigated" in page.inner_text("#status")
    assert "Suspect arrested" in page.inner_text("#updates")
    assert "Dan Suspect" not in page.inner_text("body")
    page.fill("#when", "after 5pm")
    page.click("#call-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "call you" in page.inner_text("#done")
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_a_wrong_code_is_refused(page, live_server, db, make_contact):
    reference, _ = _case(db, make_contact)
    _sign_in(page, live_server, reference, "AAAA-BBBB-CCCC")
    assert "could not sign you in" in page.inner_text("[role=alert]")
    assert page.locator("#updates").count() == 0


def test_a_sensitive_case_is_not_shown_online(page, live_server, db, make_contact):
    reference, code = _case(db, make_contact, offence="violence_without_injury", domestic=True)
    _sign_in(page, live_server, reference, code)
    assert "could not sign you in" in page.inner_text("[role=alert]")
    assert page.locator("#updates").count() == 0


AXE = "/static/vendor/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _serious(pg, base):  # type: ignore[no-untyped-def]
    """Serious or critical axe-core violations (axe is loaded from our own origin, as the CSP wants)."""
    pg.add_script_tag(url=base + AXE)
    return pg.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
    }""", TAGS)


@pytest.mark.slow
def test_the_victims_pages_have_no_serious_accessibility_violations(page, live_server, db, make_contact):
    reference, code = _case(db, make_contact)
    problems = {}
    for name, path in (("sign-in", "/my-case"), ("help", "/my-case/help")):
        page.goto(live_server + path)
        if found := _serious(page, live_server):
            problems[name] = found
    _sign_in(page, live_server, reference, "AAAA-BBBB-CCCC")
    if found := _serious(page, live_server):
        problems["wrong code"] = found
    _sign_in(page, live_server, reference, code)
    assert reference in page.inner_text("h1")
    if found := _serious(page, live_server):
        problems["the case"] = found
    assert not problems, problems
