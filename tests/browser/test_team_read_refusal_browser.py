"""Issue 12 item 2 in the browser: an investigator or victim-care officer of another team opening a
crime or victim page gets a refusal page (not raw JSON) that offers a search with a stated reason;
with a reason the page opens and the read, with its reason, is in the access log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("role", ["investigator", "victim_care"])
def test_another_teams_crime_and_victim_pages_are_refused_with_a_way_to_state_a_reason(
        page, live_server, login, db, make_contact, role):
    from bluelamp.audit.store import AccessEntry
    from bluelamp.crime import service as crimes
    from bluelamp.identity.model import Principal
    from bluelamp.victims.store import Victim

    contact = make_contact(received_at=datetime.now(UTC) - timedelta(hours=1))
    oic = Principal(user_id=1, username="oicz", roles=frozenset({"investigator"}), team="another-team")
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, oic, offence="burglary_residential", risk="medium", contact_id=contact,
                                    parties=[{"role": "victim", "name": "Jo Bloggs", "dob": "1985-05-05"}])
        cid = crime.id
        vid = session.execute(select(Victim).where(Victim.crime_id == cid)).scalar_one().id
    name = login(page, live_server, role)  # login()'s team is not the crime's
    for path, what in ((f"/crimes/{cid}", "crime"), (f"/victims/{vid}", "victim")):
        res = page.goto(f"{live_server}{path}")
        assert res is not None and res.status == 403
        assert page.locator("#read-refused h1").inner_text() == f"Not your team's {what}"
        assert "Jo Bloggs" not in page.inner_text("body") and not page.inner_text("body").startswith("{")
        page.fill("#reason", "linked burglary series, op Larch")
        page.click("#reason-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "Jo Bloggs" in page.inner_text("body")
    with db.unit_of_work() as session:
        rows = session.execute(select(AccessEntry).where(AccessEntry.actor == f"user:{name}")).scalars().all()
        assert {(r.kind, r.reason) for r in rows} == {("crime", "linked burglary series, op Larch"),
                                                     ("victim", "linked burglary series, op Larch")}
