"""Victim care's side on screen: the recording officer is shown the code once; victim care re-issues
(shown once), revokes, and shows or hides a case online from the victim's page."""

from __future__ import annotations

import re

import pytest

from .conftest import form_token, sign_in


def _staff(client, db, roles, name="carer1"):  # type: ignore[no-untyped-def]
    from bluelamp.identity import service as identity

    with db.unit_of_work() as session:
        identity.add_user(session, name, list(roles), "correct horse battery", team="test-team")
    token = form_token(client.get("/login").text)
    client.post("/login", data={"username": name, "password": "correct horse battery", "csrf_token": token})


def _post(client, page_url, url, data):  # type: ignore[no-untyped-def]
    token = form_token(client.get(page_url).text)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def test_the_recording_officer_sees_the_code_once_on_the_page(client, db, make_contact):
    _staff(client, db, ("investigator",), "inv1")
    res = _post(client, "/crimes/new", "/crimes/new", {
        "offence": "burglary_residential", "risk": "low", "contact_id": str(make_contact()), "victim_name": "Jo"})
    assert res.status_code == 201, res.text[:500]
    code = re.search(r'<code class="access-code">([A-Z0-9-]+)</code>', res.text).group(1)
    crime_id = int(re.search(r'href="/crimes/(\d+)"', res.text).group(1))
    assert code not in client.get(f"/crimes/{crime_id}").text
    client.post("/logout", data={"csrf_token": form_token(client.get("/crimes").text)})
    assert sign_in(client, f"CR{crime_id}", code).status_code == 303


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_victim_care_reissues_revokes_and_shows_a_case_online_from_the_victims_page(client, db, make_case):
    case = make_case(offence="violence_without_injury", domestic=True,
                     parties=[{"role": "victim", "name": "Jo"}, {"role": "suspect", "name": "Partner"}])
    _staff(client, db, ("victim_care",))
    page = client.get(f"/victims/{case.victim_id}")
    assert 'id="portal"' in page.text and "Not shown online" in page.text and "domestic abuse" in page.text
    issued = _post(client, f"/victims/{case.victim_id}", f"/victims/{case.victim_id}/access-code", {})
    assert issued.status_code == 201
    new = re.search(r'<code class="access-code">([A-Z0-9-]+)</code>', issued.text).group(1)
    refused = _post(client, f"/victims/{case.victim_id}", f"/victims/{case.victim_id}/online",
                    {"online": "enable", "reason": "short"})
    assert "error=" in refused.headers["location"]
    shown = _post(client, f"/victims/{case.victim_id}", f"/victims/{case.victim_id}/online",
                  {"online": "enable", "reason": "victim lives apart from the suspect now"})
    assert shown.status_code == 303
    assert "Shown online" in client.get(f"/victims/{case.victim_id}").text
    revoked = _post(client, f"/victims/{case.victim_id}", f"/victims/{case.victim_id}/access-code/revoke", {})
    assert revoked.status_code == 303 and "revoked" in client.get(f"/victims/{case.victim_id}").text
    client.post("/logout", data={"csrf_token": form_token(client.get("/victims/clocks").text)})
    assert sign_in(client, case.reference, new).status_code == 401  # revoked


def test_an_investigator_cannot_reissue_a_code_from_the_page(client, db, make_case):
    case = make_case()
    _staff(client, db, ("investigator",), "inv2")
    token = form_token(client.get(f"/victims/{case.victim_id}").text)
    res = client.post(f"/victims/{case.victim_id}/access-code", data={"csrf_token": token}, follow_redirects=False)
    assert res.status_code == 403
