"""An investigator records a crime and writes the plan; a supervisor reviews it; the investigator asks to
close it with an outcome and the supervisor approves: crime -> plan -> review -> outcome in the browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.browser

GOOD = "Detailed enough text describing what will be done and by whom."


def test_crime_to_plan_to_review_to_outcome(page, browser, live_server, login, make_contact):
    contact = make_contact(received_at=datetime.now(UTC) - timedelta(hours=1))
    login(page, live_server, "investigator")
    page.goto(f"{live_server}/crimes/new?contact_id={contact}")
    page.select_option("#offence", "burglary_residential")
    page.select_option("#risk", "high")
    page.fill("#victim_name", "Jo Bloggs")
    page.click("#record")
    # The victim's access code for /my-case is shown this once, then on to the crime (issue 16 item 4).
    page.wait_for_selector("#codes .access-code")
    page.click("a.button[href^='/crimes/']")
    page.wait_for_url("**/crimes/*")
    crime_url = page.url
    assert crime_url.rsplit("/", 1)[1].isdigit()
    assert page.inner_text("#plan-score") == "no plan"

    page.fill("#el_lines_of_enquiry", GOOD)
    page.click("#save-plan")
    page.wait_for_load_state("networkidle")
    assert "safeguarding not considered" in page.inner_text("#plan-reasons")
    for el in ("evidence_forensics", "victim_needs", "safeguarding", "scene_preservation", "prevention_advice"):
        page.fill(f"#el_{el}", GOOD)
    page.click("#save-plan")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#plan-score") == "90"
    page.fill("#description", "House-to-house enquiries on Church Street")
    page.click("#add-action")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#plan-score") == "100"
    page.click("#actions .action-done")  # a crime does not close with actions still open
    page.wait_for_load_state("networkidle")
    assert page.locator("#actions .action-done").count() == 0

    supervisor = browser.new_context().new_page()
    login(supervisor, live_server, "supervisor")
    supervisor.goto(f"{live_server}/crimes/reviews")
    supervisor.click(f"#reviews a[href='{crime_url.removeprefix(live_server)}']")
    supervisor.fill("#direction", "Good plan. Prioritise the doorbell camera on number 6.")
    supervisor.click("#submit-review")
    supervisor.wait_for_load_state("networkidle")
    assert "doorbell camera" in supervisor.inner_text("#review-list")

    page.goto(crime_url)
    page.select_option("#outcome", "14")
    page.fill("#ev_rationale", "No forensic or CCTV opportunities remain")
    page.click("#request-closure")
    page.wait_for_load_state("networkidle")
    assert "victim wishes" in page.inner_text("#error").lower()  # outcome 14 needs the victim's wishes
    page.select_option("#outcome", "14")
    page.fill("#ev_rationale", "No forensic or CCTV opportunities remain")
    page.fill("#ev_victim_wishes", "Victim does not want further action")
    page.click("#request-closure")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#status") == "pending closure"

    supervisor.goto(crime_url)
    supervisor.click("#approve-closure")
    supervisor.wait_for_load_state("networkidle")
    assert supervisor.inner_text("#status") == "closed"
    assert supervisor.inner_text("#outcome-code") == "14"
    assert "crime.closed" in supervisor.inner_text("#audit")
    supervisor.context.close()
