"""One way of showing things (issue 14): error pages with a way back, forms that keep their input and
list every problem at once, charts with titles and axis labels, local times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_error_pages_are_html_with_a_way_back_and_the_api_stays_json(page, live_server, login, client):
    login(page, live_server, "investigator")
    res = page.goto(f"{live_server}/crimes/999999")
    assert res is not None and res.status == 404 and "text/html" in res.headers["content-type"]
    assert page.get_attribute("#error-back", "href") == "/crimes"  # back to the list above it
    res = page.goto(f"{live_server}/performance")  # a page this role does not open
    assert res is not None and res.status == 403 and page.locator("#error-back").count() == 1
    assert page.locator("header .who button").count() == 1  # still signed in, Sign out in view
    api = client.get("/api/v1/crimes/999999")
    assert api.headers["content-type"].startswith("application/json")


def test_a_refused_closure_lists_every_problem_and_keeps_what_was_typed(page, live_server, login, db, make_contact):
    from bluelamp.crime import service as crimes
    from bluelamp.identity import service as identity

    name = login(page, live_server, "investigator")
    contact = make_contact(received_at=datetime.now(UTC) - timedelta(hours=1))
    with db.unit_of_work() as s:
        user = identity._user(s, name)
        oic = identity.principal_of(user)
        crime = crimes.record_crime(s, oic, offence="burglary_residential", risk="medium", contact_id=contact,
                                    incident_id=None, summary="Shed broken into", domestic=False, parties=[])
        crime_id = crime.id
    page.goto(f"{live_server}/crimes/{crime_id}")
    page.select_option("#outcome", "14")
    page.fill("#ev_rationale", "too short")
    page.click("#request-closure")
    page.wait_for_selector("#error li")
    problems = page.inner_text("#error")
    assert page.locator("#error li").count() >= 3, problems
    assert "plan" in problems.lower() and "victim wishes" in problems.lower() and "rationale" in problems.lower()
    assert page.input_value("#outcome") == "14" and page.input_value("#ev_rationale") == "too short"
    assert page.get_attribute("#ev_victim_wishes", "aria-invalid") == "true"
    assert "isoformat" not in page.content() and "Traceback" not in page.content()


def test_dashboard_charts_have_titles_and_axis_labels(page, live_server, login):
    login(page, live_server, "leader")
    page.goto(f"{live_server}/performance")
    page.wait_for_selector("#chart-999 .gtitle")
    assert "999 calls answered within 10 seconds" in (page.text_content("#chart-999 .gtitle") or "")
    assert (page.text_content("#chart-999 .ytitle") or "").startswith("Answered within 10 s")
    assert page.text_content("#chart-999 .xtitle") == "Period"
