"""Access codes: issued when a crime with a victim is recorded, kept only as an argon2 hash, expiring,
revocable and re-issued by victim care (issue 16 item 4)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bluelamp.audit.store import AuditEntry
from bluelamp.victims import portal_codes
from bluelamp.victims.portal_store import VictimAccessCode


def test_a_code_is_issued_when_a_crime_with_a_victim_is_recorded_and_only_its_hash_is_kept(db, make_case, clock0):
    case = make_case()
    with db.unit_of_work() as session:
        row = session.execute(select(VictimAccessCode).where(VictimAccessCode.victim_id == case.victim_id)
                              ).scalar_one()
        assert row.code_hash.startswith("$argon2id$")
        assert case.code not in row.code_hash and portal_codes.normalise(case.code) not in row.code_hash
        assert row.expires_at == clock0.now + timedelta(days=180)
        entries = session.execute(select(AuditEntry).where(AuditEntry.action == "victim.access_code_issued")
                                  ).scalars().all()
        assert len(entries) == 1 and case.code not in str(entries[0].content)


def test_the_code_looks_like_three_groups_of_four_without_confusable_letters(clock0):
    code = portal_codes.new_code()
    assert len(code) == 14 and code.count("-") == 2
    assert not set(code.replace("-", "")) & set("01OIL")


def test_the_recording_officer_gets_the_code_once_in_the_api_answer(client, make_user, make_contact, db):
    _, headers = make_user("investigator")
    res = client.post("/api/v1/crimes", headers=headers, json={
        "offence": "burglary_residential", "risk": "low", "contact_id": make_contact(),
        "parties": [{"role": "victim", "name": "Sam Smith"}, {"role": "suspect", "name": "Unknown"}]})
    assert res.status_code == 201, res.text
    codes = res.json()["victim_access_codes"]
    assert len(codes) == 1 and codes[0]["reference"] == f"CR{res.json()['id']}" and len(codes[0]["code"]) == 14
    again = client.get(f"/api/v1/crimes/{res.json()['id']}", headers=headers)
    assert codes[0]["code"] not in again.text  # never shown again


def test_a_victim_added_later_gets_a_code_in_that_answer(client, make_user, make_contact):
    _, headers = make_user("investigator")
    crime = client.post("/api/v1/crimes", headers=headers, json={
        "offence": "burglary_residential", "risk": "low", "contact_id": make_contact()}).json()
    assert crime["victim_access_codes"] == []
    res = client.post(f"/api/v1/crimes/{crime['id']}/parties", headers=headers, json={"role": "victim", "name": "Al"})
    assert res.status_code == 201 and len(res.json()["victim_access_codes"]) == 1


def test_victim_care_reissues_a_code_and_the_old_one_stops_working(client, make_user, make_case, db):
    case = make_case()
    _, headers = make_user("victim_care")
    res = client.post(f"/api/v1/victims/{case.victim_id}/access-code", headers=headers)
    assert res.status_code == 201
    new = res.json()["code"]
    assert new != case.code
    with db.unit_of_work() as session:
        old = portal_codes.check(session, case.reference, case.code, "10.0.0.1", shown_online=lambda s, c: True)
        fresh = portal_codes.check(session, case.reference, new, "10.0.0.1", shown_online=lambda s, c: True)
    assert old.outcome == "wrong_code" and fresh.outcome == "signed_in"
    state = client.get(f"/api/v1/victims/{case.victim_id}/access-code", headers=headers).json()
    assert state["code"]["state"] == "active" and new not in str(state)


def test_victim_care_revokes_a_code(client, make_user, make_case, db):
    case = make_case()
    _, headers = make_user("victim_care")
    res = client.delete(f"/api/v1/victims/{case.victim_id}/access-code", headers=headers)
    assert res.status_code == 200 and res.json()["revoked"] == 1
    with db.unit_of_work() as session:
        result = portal_codes.check(session, case.reference, case.code, "10.0.0.1", shown_online=lambda s, c: True)
    assert result.outcome == "wrong_code"
    state = client.get(f"/api/v1/victims/{case.victim_id}/access-code", headers=headers).json()
    assert state["code"]["state"] == "revoked"


def test_an_expired_code_does_not_sign_in(db, make_case, clock0):
    case = make_case()
    clock0.advance(days=181)
    with db.unit_of_work() as session:
        result = portal_codes.check(session, case.reference, case.code, "10.0.0.1", shown_online=lambda s, c: True)
    assert result.outcome == "wrong_code"


def test_only_victim_care_or_a_supervisor_of_the_team_may_reissue(client, make_user, make_case):
    case = make_case()
    _, investigator = make_user("investigator")
    assert client.post(f"/api/v1/victims/{case.victim_id}/access-code", headers=investigator).status_code == 403
    _, other_team = make_user("victim_care", team="other-team")
    assert client.post(f"/api/v1/victims/{case.victim_id}/access-code", headers=other_team).status_code == 403
    _, care = make_user("victim_care")
    assert client.post("/api/v1/victims/999999/access-code", headers=care).status_code == 404


def test_a_code_is_typed_in_any_case_with_or_without_dashes(db, make_case):
    case = make_case()
    typed = case.code.replace("-", " ").lower()
    with db.unit_of_work() as session:
        result = portal_codes.check(session, case.reference, typed, "10.0.0.1", shown_online=lambda s, c: True)
    assert result.outcome == "signed_in"


def test_references_are_read_with_or_without_the_prefix():
    assert portal_codes.parse_reference("CR12") == 12
    assert portal_codes.parse_reference(" cr-12 ") == 12
    assert portal_codes.parse_reference("12") == 12
    assert portal_codes.parse_reference("CR") is None
    assert portal_codes.parse_reference("DROP TABLE") is None
