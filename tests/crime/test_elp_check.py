"""Issue 13 ("missing that a force needs"): before a domestic crime closes on a victim-withdrawal outcome
(14, 16), the plan must record that evidence-led prosecution was considered (inspectorate: evidence-led
prosecution not routinely recorded)."""

from __future__ import annotations

import pytest

from bluelamp.crime import service
from bluelamp.crime.model import CrimeError

GOOD = "Detailed enough text describing what will be done and by whom."
BASE = {e: GOOD for e in ("lines_of_enquiry", "evidence_forensics", "suspect_actions", "victim_needs",
                          "safeguarding", "scene_preservation", "prevention_advice", "protective_orders")}
WITHDRAWN = {"rationale": "Victim withdrew support after the interview", "victim_wishes": "Does not support it"}


def _crime(db, who, contact, elements):
    inv = who("investigator")
    with db.unit_of_work() as session:
        crime = service.record_crime(session, inv, offence="violence_with_injury", risk="medium", domestic=True,
                                     contact_id=contact, parties=[{"role": "victim", "name": "Jo Bloggs"},
                                                                  {"role": "suspect", "name": "Sam Smith"}])
        service.save_plan(session, crime.id, inv, elements)
        return crime.id, inv


def test_a_domestic_crime_cannot_close_on_victim_withdrawal_without_elp_considered(db, who, make_contact, clock0):
    crime_id, sup = _crime(db, who, make_contact(), BASE)
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="evidence-led prosecution"):
        service.request_closure(session, crime_id, sup, outcome="16", evidence=WITHDRAWN)


def test_with_elp_considered_it_closes(db, who, make_contact, clock0):
    crime_id, sup = _crime(db, who, make_contact(), {**BASE, "evidence_led_prosecution": (
        "Considered: no independent witnesses, no body-worn video, 999 call does not identify the suspect")})
    with db.unit_of_work() as session:
        assert service.request_closure(session, crime_id, sup, outcome="16", evidence=WITHDRAWN).status \
            == "pending_closure"
        assert service.decide_closure(session, crime_id, who("supervisor"), approve=True).status == "closed"
