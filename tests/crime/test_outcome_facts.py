"""Issue 13, defect 9: an outcome that contradicts the facts on the crime is refused; suspects can be
added after recording; a crime does not close with actions still open; outcomes 2A and 3A exist."""

from __future__ import annotations

import pytest

from bluelamp.crime import service
from bluelamp.crime.model import CrimeError
from bluelamp.crime.store import Crime, CrimeParty
from bluelamp.policy import load_policy
from bluelamp.victims.store import Victim

GOOD = "Detailed enough text describing what will be done and by whom."
ALL = {e: GOOD for e in ("lines_of_enquiry", "evidence_forensics", "suspect_actions", "victim_needs",
                         "safeguarding", "scene_preservation", "prevention_advice")}
NO_SUSPECT = {"rationale": "All lines of enquiry exhausted, none identified",
              "victim_wishes": "Victim does not support further action"}


def _crime(db, who, contact, suspects=()):
    """A planned crime and its officer in charge (who requests closures; a supervisor approves)."""
    inv = who("investigator")
    parties = [{"role": "victim", "name": "Jo Bloggs"}, *suspects]
    with db.unit_of_work() as session:
        crime = service.record_crime(session, inv, offence="criminal_damage", risk="low", contact_id=contact,
                                     parties=parties)
        service.save_plan(session, crime.id, inv, ALL)
        return crime.id, inv


def _close(session, crime_id, inv, sup, outcome, evidence):
    """The OIC asks for the outcome and another person, a supervisor, approves it."""
    crime = service.request_closure(session, crime_id, inv, outcome=outcome, evidence=evidence)
    assert crime.status == "pending_closure"
    return service.decide_closure(session, crime_id, sup, approve=True)


@pytest.mark.parametrize("outcome", ["14", "18"])
def test_suspect_not_identified_outcomes_are_refused_when_a_suspect_is_named(db, who, make_contact, clock0,
                                                                             outcome):
    crime_id, sup = _crime(db, who, make_contact(), suspects=[{"role": "suspect", "name": "Sam Smith"}])
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="suspect"):
        service.request_closure(session, crime_id, sup, outcome=outcome, evidence=NO_SUSPECT)


@pytest.mark.parametrize("outcome", ["13", "17"])
def test_outcomes_that_need_a_suspect_are_refused_without_one(db, who, make_contact, clock0, outcome):
    crime_id, sup = _crime(db, who, make_contact())
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="suspect"):
        service.request_closure(session, crime_id, sup, outcome=outcome, evidence={"rationale": GOOD})


def test_an_empty_suspect_row_is_not_an_identified_suspect(db, who, make_contact, clock0):
    crime_id, sup = _crime(db, who, make_contact(), suspects=[{"role": "suspect"}])
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="identified suspect"):
        service.request_closure(session, crime_id, sup, outcome="1", evidence={"charge_reference": "CHG/2026/1"})
    with db.unit_of_work() as session:  # and 18 is allowed: nobody was identified
        assert _close(session, crime_id, sup, who("supervisor"), "18", NO_SUSPECT).status == "closed"


def test_outcomes_2a_and_3a_exist():
    doc = load_policy().doc("outcomes")
    assert doc.get("2A") is not None and doc.get("3A") is not None


def test_a_suspect_and_a_victim_can_be_added_after_recording(db, who, make_contact, clock0):
    crime_id, sup = _crime(db, who, make_contact())
    inv = who("investigator")
    with db.unit_of_work() as session:
        service.add_party(session, crime_id, inv, {"role": "suspect", "name": "Sam Smith"})
        service.add_party(session, crime_id, inv, {"role": "victim", "name": "Al Jones", "dob": "1990-01-01"})
    with db.unit_of_work() as session:
        roles = sorted(p.role for p in session.query(CrimeParty).filter_by(crime_id=crime_id))
        assert roles == ["suspect", "victim", "victim"]
        assert session.query(Victim).filter_by(crime_id=crime_id).count() == 2
        crime = _close(session, crime_id, sup, who("supervisor"), "1", {"charge_reference": "CHG/2026/00042"})
        assert crime.status == "closed"
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="name"):
        service.add_party(session, crime_id, inv, {"role": "suspect"})  # closed, and empty anyway
    with db.unit_of_work() as session:
        assert session.get(Crime, crime_id).status == "closed"


def test_an_empty_party_added_later_is_refused(db, who, make_contact, clock0):
    crime_id, _ = _crime(db, who, make_contact())
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="name"):
        service.add_party(session, crime_id, who("investigator"), {"role": "suspect", "name": "  "})


def test_a_crime_does_not_close_with_actions_still_open(db, who, make_contact, clock0):
    crime_id, sup = _crime(db, who, make_contact())
    with db.unit_of_work() as session:
        action = service.add_action(session, crime_id, sup, element="lines_of_enquiry",
                                    description="House-to-house enquiries on the street")
        action_id = action.id
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="open action"):
        service.request_closure(session, crime_id, sup, outcome="18", evidence=NO_SUSPECT)
    with db.unit_of_work() as session:
        service.complete_action(session, crime_id, action_id, sup, result="No witnesses found")
        assert _close(session, crime_id, sup, who("supervisor"), "18", NO_SUSPECT).status == "closed"
