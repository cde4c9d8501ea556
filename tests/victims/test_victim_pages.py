"""Issue 13, "victim care on screens": the victim's page records a Right 6 event, a right, the needs
assessment (with enhanced rights and why), a referral, the VPS offer and an override; a refused form keeps
what was typed and says what is wrong."""

from __future__ import annotations

import re

from sqlalchemy import select

from bluelamp.crime import service as crimes
from bluelamp.victims.store import Right6Clock, Victim, VictimReferral


def _signed_in(client, db, roles=("victim_care",)):
    from bluelamp.identity import service as identity

    with db.unit_of_work() as session:
        identity.add_user(session, "carer1", list(roles), "correct horse battery", team="test-team")
    page = client.get("/login")
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m, "the sign-in form carries a CSRF token"
    form = {"username": "carer1", "password": "correct horse battery", "csrf_token": m.group(1)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def _post(client, url, vid, data):
    view = client.get(f"/victims/{vid}").text
    m = re.search(r'name="csrf_token" value="([^"]+)"', view)
    assert m, "the victim page's forms carry a CSRF token"
    data = {**data, "csrf_token": m.group(1)}
    return client.post(url, data=data, follow_redirects=True)


def test_the_victim_care_flow_on_the_page(client, db, who, make_contact, clock0):
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, who("investigator"), offence="burglary_residential", risk="medium",
                                    contact_id=make_contact(), parties=[{"role": "victim", "name": "Jo Bloggs",
                                                                         "dob": "1985-05-05"}])
        vid = session.execute(select(Victim).where(Victim.crime_id == crime.id)).scalar_one().id
    _signed_in(client, db)
    page = client.get(f"/victims/{vid}")
    assert page.status_code == 200 and "Standard rights" in page.text
    for form_id in ("event-form", "right-form", "needs-form", "referral-form", "vps-form", "enhanced-form"):
        assert f'id="{form_id}"' in page.text, form_id

    res = _post(client, f"/victims/{vid}/needs", vid, {"need_disability": "yes, uses a wheelchair"})
    assert res.status_code == 200 and "Enhanced rights" in res.text and "disability" in res.text
    res = _post(client, f"/victims/{vid}/event", vid, {"event": "arrest"})
    assert res.status_code == 200 and "arrest" in res.text
    res = _post(client, f"/victims/{vid}/referral", vid, {"service": "victim_support", "consent": "yes"})
    assert res.status_code == 200
    res = _post(client, f"/victims/{vid}/vps", vid, {"accepted": "no"})
    assert res.status_code == 200
    res = _post(client, f"/victims/{vid}/rights", vid, {"number": "5", "status": "given"})
    assert res.status_code == 200
    with db.unit_of_work() as session:
        v = session.get(Victim, vid)
        assert v.enhanced and v.vps_offered_at is not None and v.rights["5"]["status"] == "given"
        assert session.execute(select(Right6Clock).where(Right6Clock.victim_id == vid)).scalar_one().working_days == 1
        assert session.execute(select(VictimReferral)).scalar_one().service == "victim_support"


def test_a_refused_form_keeps_what_was_typed_and_says_every_problem(client, db, who, make_contact, clock0):
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, who("investigator"), offence="burglary_residential", risk="medium",
                                    contact_id=make_contact(), parties=[{"role": "victim", "name": "Jo Bloggs"}])
        vid = session.execute(select(Victim).where(Victim.crime_id == crime.id)).scalar_one().id
    _signed_in(client, db)
    res = _post(client, f"/victims/{vid}/referral", vid, {"service": "idva", "note": "wants help with safety"})
    assert res.status_code == 422 and "consent" in res.text
    assert 'value="wants help with safety"' in res.text  # the note typed is kept
    res = _post(client, f"/victims/{vid}/enhanced", vid, {"enhanced": "yes", "reason": "short"})
    assert res.status_code == 422 and "reason" in res.text and 'value="short"' in res.text
    res = _post(client, f"/victims/{vid}/rights", vid, {"number": "12", "status": "declined", "note": ""})
    assert res.status_code == 422 and "note" in res.text
