"""The victim's own page (/my-case): sign in with the crime reference and code, see the case, ask for a
call, change how to be contacted, add information; wrong codes throttled; nothing about other parties."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bluelamp.alerts.store import CrimeAlert
from bluelamp.audit.store import AccessEntry, AuditEntry
from bluelamp.contact.store import Contact
from bluelamp.victims import service as victims
from bluelamp.victims.portal_store import PortalAttempt, PortalUpdateRead
from bluelamp.victims.store import Victim

from .conftest import post, sign_in

PARTIES = [{"role": "victim", "name": "Jo Bloggs", "dob": "1985-05-05"},
           {"role": "victim", "name": "Kim Other", "dob": "1990-01-01"},
           {"role": "suspect", "name": "Dan Suspect", "dob": "1980-02-02"},
           {"role": "witness", "name": "Wendy Witness"}]


def _actions(db, action):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        return session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars().all()


def test_a_victim_signs_in_and_sees_their_case_and_nothing_about_anyone_else(client, db, make_case, who):
    case = make_case(parties=PARTIES)
    with db.unit_of_work() as session:
        carer = who("victim_care")
        victims.record_event(session, case.crime_id, carer, event="arrest", event_at=None)
        victims.record_update(session, case.victim_id, carer, method="phone",
                              note="Told Jo that Dan Suspect was arrested at 14 Elm Road")
        victims.refer(session, case.victim_id, carer, service="victim_support", consent=True)
    res = sign_in(client, case.reference, case.code)
    assert res.status_code == 303 and res.headers["location"] == "/my-case"
    cookie = res.cookies.get("bluelamp_mycase")
    assert cookie and "path=/my-case" in res.headers["set-cookie"].lower() and "httponly" in res.headers["set-cookie"].lower()
    page = client.get("/my-case")
    assert page.status_code == 200
    text = page.text
    assert case.reference in text and "Your crime is being investigated." in text
    assert "Suspect arrested" in text  # the Right 6 event the update covered, in plain words
    assert "Victim Support" in text and "To make a Victim Personal Statement" in text
    assert "Crime enquiries" in text and "101" in text  # no team contact in policy: the force's line
    assert "next update is due" in text
    from bluelamp.crime.store import Crime

    with db.unit_of_work() as session:
        oic = session.get(Crime, case.crime_id).oic
    for secret in ("Dan Suspect", "Kim Other", "Wendy Witness", "Elm Road", "Jo Bloggs", oic):
        assert secret not in text, secret
    assert "<script>" not in text.replace('<script src="/static/csrf.js"></script>', "")


def test_each_view_is_an_access_log_entry_by_the_victim_and_updates_count_as_read_once(client, db, make_case, who):
    case = make_case()
    with db.unit_of_work() as session:
        victims.record_update(session, case.victim_id, who("victim_care"), method="letter")
    sign_in(client, case.reference, case.code)
    client.get("/my-case")
    client.get("/my-case")
    with db.unit_of_work() as session:
        reads = session.execute(select(AccessEntry).where(AccessEntry.kind == "victim",
                                                          AccessEntry.record_id == str(case.victim_id))).scalars().all()
        assert [r.actor for r in reads] == [f"victim:{case.victim_id}"] * 2
        assert session.execute(select(func.count()).select_from(PortalUpdateRead)).scalar_one() == 1


def test_a_wrong_code_and_an_unknown_reference_get_the_same_answer(client, db, make_case):
    case = make_case()
    wrong = sign_in(client, case.reference, "AAAA-BBBB-CCCC")
    unknown = sign_in(client, "CR987654", case.code)
    malformed = sign_in(client, "not a reference", case.code)
    assert wrong.status_code == unknown.status_code == malformed.status_code == 401
    def message(r):  # type: ignore[no-untyped-def]
        return r.text.split('id="signin-error">')[1].split("<")[0]
    assert message(wrong) == message(unknown) == message(malformed)
    assert "bluelamp_mycase" not in wrong.headers.get("set-cookie", "")
    with db.unit_of_work() as session:
        outcomes = session.execute(select(PortalAttempt.outcome, PortalAttempt.ok)).all()
        assert sorted(outcomes) == [("wrong_code", False)] * 3
        stored = " ".join(r for (r,) in session.execute(select(PortalAttempt.ref_digest)))
        assert case.reference not in stored  # digests only


def test_every_sign_in_checks_the_same_number_of_hashes_whether_the_reference_exists_or_not(db, make_case,
                                                                                             monkeypatch):
    from bluelamp.victims import portal_codes

    case = make_case()
    calls: list[str] = []
    real = portal_codes._verify
    monkeypatch.setattr(portal_codes, "_verify", lambda h, c: calls.append(h) or real(h, c))
    with db.unit_of_work() as session:
        for ref in (case.reference, "CR987654", "rubbish"):
            calls.clear()
            portal_codes.check(session, ref, "AAAA-BBBB-CCCC", "10.0.0.9", shown_online=lambda s, c: True)
            assert len(calls) == 2, ref


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_wrong_codes_are_throttled_per_reference_even_with_the_right_code_after(client, db, make_case):
    case = make_case()
    for _ in range(5):
        assert sign_in(client, case.reference, "AAAA-BBBB-CCCC").status_code == 401
    locked = sign_in(client, case.reference, case.code)
    assert locked.status_code == 429 and "Too many tries" in locked.text
    # A reference that does not exist locks the same way: the lock tells nothing about existence.
    for _ in range(5):
        sign_in(client, "CR987654", "AAAA-BBBB-CCCC")
    assert sign_in(client, "CR987654", "AAAA-BBBB-CCCC").status_code == 429


def test_the_lock_lifts_after_the_window(client, db, make_case, clock0):
    case = make_case()
    for _ in range(5):
        sign_in(client, case.reference, "AAAA-BBBB-CCCC")
    clock0.advance(minutes=16)
    assert sign_in(client, case.reference, case.code).status_code == 303


def test_a_domestic_crime_is_hidden_online_until_victim_care_enables_it(client, db, make_case, make_user):
    case = make_case(offence="violence_without_injury", domestic=True,
                     parties=[{"role": "victim", "name": "Jo Bloggs"}, {"role": "suspect", "name": "Partner"}])
    hidden = sign_in(client, case.reference, case.code)
    assert hidden.status_code == 401 and "could not sign you in" in hidden.text  # same answer as a wrong code
    assert len(_actions(db, "portal.sign_in_hidden")) == 1
    _, care = make_user("victim_care")
    res = client.put(f"/api/v1/crimes/{case.crime_id}/online", headers=care,
                     json={"enabled": True, "reason": "victim lives apart from the suspect now"})
    assert res.status_code == 200 and res.json()["shown"] is True
    assert sign_in(client, case.reference, case.code).status_code == 303
    assert len(_actions(db, "crime.online_set")) == 1


def test_victim_care_can_hide_a_case_and_a_signed_in_victim_loses_it(client, db, make_case, make_user):
    case = make_case()
    sign_in(client, case.reference, case.code)
    assert "Your case" in client.get("/my-case").text
    _, care = make_user("victim_care")
    res = client.put(f"/api/v1/crimes/{case.crime_id}/online", headers=care,
                     json={"sensitive": True, "reason": "suspect has moved back in"})
    assert res.status_code == 200 and res.json()["shown"] is False
    page = client.get("/my-case")
    assert "Sign in with the crime reference" in page.text and "Your case CR" not in page.text


def test_marking_online_needs_a_reason(client, make_case, make_user):
    case = make_case()
    _, care = make_user("victim_care")
    res = client.put(f"/api/v1/crimes/{case.crime_id}/online", headers=care, json={"enabled": True, "reason": "ok"})
    assert res.status_code == 422 and res.json()["detail"].startswith("reason:")
    res = client.put(f"/api/v1/crimes/{case.crime_id}/online", headers=care, json={"enabled": "maybe"})
    assert res.status_code == 422


def test_a_sensitive_offence_is_hidden_by_policy(client, make_case):
    case = make_case(offence="rape")
    assert sign_in(client, case.reference, case.code).status_code == 401


def test_the_victim_asks_for_a_call_and_the_oic_team_gets_an_alert(client, db, make_case):
    case = make_case()
    sign_in(client, case.reference, case.code)
    res = post(client, "/my-case/call", {"when": "after 5pm"})
    assert res.status_code == 303 and res.headers["location"] == "/my-case?done=call"
    assert "asked the investigation team to call you" in client.get(res.headers["location"]).text
    with db.unit_of_work() as session:
        alert = session.execute(select(CrimeAlert).where(CrimeAlert.kind == "victim_call_request")).scalar_one()
        assert alert.crime_id == case.crime_id and alert.role == "investigator"
    entry = _actions(db, "portal.call_requested")[0]
    assert entry.actor == f"victim:{case.victim_id}"


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_the_victim_changes_how_they_are_contacted(client, db, make_case):
    case = make_case()
    sign_in(client, case.reference, case.code)
    assert post(client, "/my-case/contact-method", {"method": "email"}).status_code == 303
    with db.unit_of_work() as session:
        assert session.get(Victim, case.victim_id).contact_method == "email"
    refused = post(client, "/my-case/contact-method", {"method": "pigeon"})
    assert refused.status_code == 303 and "error=" in refused.headers["location"]
    assert "choose one of" in client.get(refused.headers["location"]).text
    assert len(_actions(db, "victim.contact_method_changed")) == 1


def test_information_the_victim_adds_lands_as_a_contact_for_the_oic(client, db, make_case):
    case = make_case()
    sign_in(client, case.reference, case.code)
    res = post(client, "/my-case/information", {"information": "I found the bike advertised online"})
    assert res.status_code == 303
    with db.unit_of_work() as session:
        contact = session.execute(select(Contact).where(Contact.recorded_by == "user:public-portal")).scalar_one()
        assert case.reference in contact.narrative and "bike advertised" in contact.narrative
        alert = session.execute(select(CrimeAlert).where(CrimeAlert.kind == "victim_information")).scalar_one()
        assert alert.subject_id == contact.id and alert.crime_id == case.crime_id
    assert len(_actions(db, "portal.information_added")) == 1
    empty = post(client, "/my-case/information", {"information": "   "})
    assert "error=" in empty.headers["location"]
    nul = post(client, "/my-case/information", {"information": "bad\x00byte"})
    assert nul.status_code == 303 and "error=" in nul.headers["location"]
    call = post(client, "/my-case/call", {"when": "x\x00"})
    assert "error=" in call.headers["location"]
    too_long = post(client, "/my-case/information", {"information": "x" * 5001})
    assert "error=" in too_long.headers["location"]


def test_actions_need_a_signed_in_victim_and_a_csrf_token(client, make_case):
    case = make_case()
    assert "Sign in with the crime reference" in post(client, "/my-case/call", {}).text
    sign_in(client, case.reference, case.code)
    assert client.post("/my-case/call", data={"when": "now"}).status_code == 403  # no token
    assert client.post("/my-case/sign-in", data={"reference": case.reference, "code": case.code}).status_code == 403


def test_signing_out_ends_the_victims_session(client, db, make_case):
    case = make_case()
    res = sign_in(client, case.reference, case.code)
    cookie = res.cookies.get("bluelamp_mycase")
    post(client, "/my-case/sign-out", {})
    client.cookies.set("bluelamp_mycase", cookie, path="/my-case")
    assert "Sign in with the crime reference" in client.get("/my-case").text


def test_the_victims_session_ends_when_idle(client, db, make_case, clock0):
    case = make_case()
    sign_in(client, case.reference, case.code)
    clock0.advance(minutes=21)
    assert "Sign in with the crime reference" in client.get("/my-case").text


def test_the_victims_cookie_is_not_a_staff_session(client, make_case):
    case = make_case()
    sign_in(client, case.reference, case.code)
    assert client.get("/crimes", follow_redirects=False).status_code == 303  # to the staff sign-in
    assert client.get(f"/api/v1/victims/{case.victim_id}").status_code == 401


def test_the_page_is_csp_clean_and_not_cached(client, make_case):
    page = client.get("/my-case")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert client.get("/my-case/help").status_code == 200


def test_the_case_is_not_shown_when_the_view_cannot_be_logged(client, db, make_case):
    from sqlalchemy import text

    case = make_case()
    sign_in(client, case.reference, case.code)
    with db.engine.begin() as conn:  # the access log's table is really unavailable (no mock)
        conn.execute(text("ALTER TABLE access_log RENAME TO access_log_away"))
    try:
        page = client.get("/my-case")
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("ALTER TABLE access_log_away RENAME TO access_log"))
    assert page.status_code == 503 and case.reference not in page.text


def test_information_added_online_is_capped_at_ten_messages_a_day(client, db, make_case, clock0):
    case = make_case()
    sign_in(client, case.reference, case.code)
    for i in range(10):
        assert "done=" in post(client, "/my-case/information", {"information": f"note {i}"}).headers["location"]
    capped = post(client, "/my-case/information", {"information": "one more"})
    assert "error=" in capped.headers["location"] and "call 101" in client.get(capped.headers["location"]).text
    clock0.advance(days=1, minutes=1)
    sign_in(client, case.reference, case.code)
    assert "done=" in post(client, "/my-case/information", {"information": "next day"}).headers["location"]


def test_a_post_from_a_foreign_origin_is_refused_even_with_the_token(client, make_case):
    from .conftest import form_token

    case = make_case()
    token = form_token(client.get("/my-case").text)
    res = client.post("/my-case/sign-in", data={"reference": case.reference, "code": case.code, "csrf_token": token},
                      headers={"Origin": "http://evil.example"}, follow_redirects=False)
    assert res.status_code == 403 and "bluelamp_mycase" not in res.headers.get("set-cookie", "")
