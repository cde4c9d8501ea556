"""Victim care in the browser (issue 13): needs assessment and enhanced rights with the reason, a Right 6
event and its clock, a refused referral that keeps what was typed, then the referral and the VPS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

pytestmark = pytest.mark.browser


def test_victim_care_flow(page, live_server, login, db, make_contact):
    from bluelamp.crime import service as crimes
    from bluelamp.identity.model import Principal
    from bluelamp.victims.store import Victim

    contact = make_contact(received_at=datetime.now(UTC) - timedelta(hours=1))
    inv = Principal(user_id=1, username="inv", roles=frozenset({"investigator"}), team="test-team")  # login()'s team
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, inv, offence="burglary_residential", risk="medium", contact_id=contact,
                                    parties=[{"role": "victim", "name": "Jo Bloggs", "dob": "1985-05-05"}])
        vid = session.execute(select(Victim).where(Victim.crime_id == crime.id)).scalar_one().id
    login(page, live_server, "victim_care")
    page.goto(f"{live_server}/victims/{vid}")
    assert "Standard rights" in page.inner_text("#enhanced")

    page.fill("#need_disability", "yes, uses a wheelchair")
    page.click("#needs-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Enhanced rights" in page.inner_text("#enhanced") and "disability" in page.inner_text("#enhanced")

    page.select_option("#event", "arrest")
    page.click("#event-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "arrest" in page.inner_text("#victim-clocks")

    page.select_option("#service", "victim_support")
    page.fill("#ref-note", "wants practical help")
    page.click("#referral-form button[type=submit]")  # no consent ticked: refused
    page.wait_for_load_state("networkidle")
    assert "consent" in page.inner_text("[role=alert]")
    assert page.input_value("#ref-note") == "wants practical help"
    page.check("#consent")
    page.click("#referral-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[role=alert]").count() == 0

    page.select_option("#accepted", "yes")
    page.click("#vps-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "made" in page.inner_text("body")
