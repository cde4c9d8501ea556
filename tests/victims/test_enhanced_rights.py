"""Issue 13, defect 1: enhanced rights worked out from the facts, with the reason shown, and an audited
victim-care override (Victims' Code 2021, "Enhanced rights")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bluelamp.audit.store import AuditEntry
from bluelamp.crime import service as crimes
from bluelamp.victims import service
from bluelamp.victims.model import VictimsError
from bluelamp.victims.store import Victim


def _victim(db, who, contact, offence="burglary_residential", dob="1985-05-05", **kw):
    args = {"offence": offence, "risk": "medium", "contact_id": contact,
            "parties": [{"role": "victim", "name": "Jo Bloggs", "dob": dob}]}
    args.update(kw)
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, who("investigator"), **args)
        victim = session.execute(select(Victim).where(Victim.crime_id == crime.id)).scalar_one()
        return crime.id, victim.id


def _state(db, victim_id):
    with db.unit_of_work() as session:
        v = service.get_victim(session, victim_id)
        return v.enhanced, list(v.enhanced_reasons), list(v.enhanced_basis or [])


@pytest.mark.parametrize("offence", ["wounding_with_intent", "kidnapping_false_imprisonment",
                                     "human_trafficking", "terrorism", "arson_endangering_life"])
def test_victims_of_the_most_serious_crimes_listed_in_the_code_have_enhanced_rights(
        db, who, make_contact, clock0, offence):
    _, vid = _victim(db, who, make_contact(), offence=offence)
    enhanced, reasons, basis = _state(db, vid)
    assert enhanced and reasons == ["most_serious_crime"]
    assert basis and basis[0]["category"] == "most_serious_crime" and basis[0]["why"]


def test_a_victim_of_domestic_abuse_has_enhanced_rights_and_a_one_day_clock(db, who, make_contact, clock0):
    crime_id, vid = _victim(db, who, make_contact(), offence="violence_without_injury", domestic=True)
    enhanced, reasons, basis = _state(db, vid)
    assert enhanced and "most_serious_crime" in reasons
    assert any("domestic" in b["why"] for b in basis)
    with db.unit_of_work() as session:
        [c] = service.record_event(session, crime_id, who("investigator"), event="arrest", event_at=None)
        assert c.working_days == 1 and c.enhanced


def test_a_hate_crime_victim_has_enhanced_rights(db, who, make_contact, clock0):
    _, vid = _victim(db, who, make_contact(), offence="criminal_damage", hate=True)
    enhanced, reasons, basis = _state(db, vid)
    assert enhanced and any("hate" in b["why"] for b in basis)


def test_a_victim_under_18_at_the_time_of_the_offence_is_vulnerable(db, who, make_contact, clock0):
    _, vid = _victim(db, who, make_contact(), dob="2010-06-01")
    enhanced, reasons, basis = _state(db, vid)
    assert enhanced and reasons == ["vulnerable"]
    assert "under 18" in basis[0]["why"]
    _, adult = _victim(db, who, make_contact(), dob="2000-01-01")
    assert _state(db, adult)[0] is False


def test_a_disability_in_the_needs_assessment_makes_the_victim_vulnerable(db, who, make_contact, clock0):
    _, vid = _victim(db, who, make_contact())
    assert _state(db, vid)[0] is False
    with db.unit_of_work() as session:
        service.assess_needs(session, vid, who("victim_care"), needs={"disability": "no"}, enhanced_categories=[])
    assert _state(db, vid)[0] is False
    with db.unit_of_work() as session:
        service.assess_needs(session, vid, who("victim_care"),
                             needs={"disability": "yes, uses a wheelchair"}, enhanced_categories=[])
    enhanced, reasons, basis = _state(db, vid)
    assert enhanced and reasons == ["vulnerable"] and any("disability" in b["why"] for b in basis)


def test_a_repeat_victim_is_persistently_targeted(db, who, make_contact, clock0):
    _, vid = _victim(db, who, make_contact(flags=["repeat_victim"]))
    enhanced, reasons, basis = _state(db, vid)
    assert enhanced and reasons == ["persistently_targeted"]
    # Or a second crime against the same person (name and date of birth) within 12 months.
    _victim(db, who, make_contact(), offence="other_theft", dob="1970-02-02")
    _, second = _victim(db, who, make_contact(), offence="criminal_damage", dob="1970-02-02")
    assert _state(db, second)[1] == ["persistently_targeted"]


def test_victim_care_may_override_with_a_reason_and_the_override_is_audited(db, who, make_contact, clock0):
    crime_id, vid = _victim(db, who, make_contact())
    with db.unit_of_work() as session, pytest.raises(VictimsError, match="reason"):
        service.override_enhanced(session, vid, who("victim_care"), enhanced=True, reason="")
    with db.unit_of_work() as session, pytest.raises(VictimsError) as refused:
        service.override_enhanced(session, vid, who("cab_officer"), enhanced=True,
                                  reason="the victim is frightened of giving evidence")
    assert refused.value.status == 403
    with db.unit_of_work() as session:
        service.override_enhanced(session, vid, who("victim_care"), enhanced=True,
                                  reason="the victim is frightened of giving evidence")
    enhanced, reasons, basis = _state(db, vid)
    assert enhanced and any(b["category"] == "override" for b in basis)
    with db.unit_of_work() as session:
        actions = [a.action for a in session.execute(select(AuditEntry)).scalars()]
        assert "victim.enhanced_overridden" in actions
        # Later facts are recomputed, the override still holds.
        service.assess_needs(session, vid, who("victim_care"), needs={}, enhanced_categories=[])
    assert _state(db, vid)[0] is True
    with db.unit_of_work() as session:
        [c] = service.record_event(session, crime_id, who("investigator"), event="arrest",
                                   event_at=clock0.now - timedelta(minutes=5))
        assert c.working_days == 1


def test_the_api_shows_the_reason_for_enhanced_rights(client, make_user, make_contact, clock0):
    _, h = make_user("investigator")
    cid = make_contact()
    r = client.post("/api/v1/crimes", headers=h, json={
        "offence": "violence_without_injury", "risk": "medium", "contact_id": cid, "domestic": True,
        "parties": [{"role": "victim", "name": "A B", "dob": "1990-01-01"}]})
    assert r.status_code == 201, r.text
    _, hv = make_user("victim_care")
    vid = r.json()["victims"][0]["id"] if "victims" in r.json() else None
    if vid is None:
        crime_id = r.json()["id"]
        vid = client.get(f"/api/v1/crimes/{crime_id}", headers=h).json()["victims"][0]["id"]
    v = client.get(f"/api/v1/victims/{vid}", headers=hv).json()
    assert v["enhanced"] and v["enhanced_basis"][0]["why"]
    o = client.post(f"/api/v1/victims/{vid}/enhanced", headers=hv,
                    json={"enhanced": False, "reason": "the victim asked for standard updates only"})
    assert o.status_code == 200, o.text
    assert o.json()["enhanced"] is False
