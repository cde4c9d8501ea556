"""Issue 13, defect 12: the plan-score loophole ("not applicable" with the reason "x") and the 72-hour
"no plan" rule (investigation.yaml plan_within_hours)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bluelamp.crime import model, service, sweep
from bluelamp.crime.model import PlanContext
from bluelamp.crime.store import CrimeAlert
from bluelamp.performance import service as perf
from bluelamp.policy import load_policy

GOOD = "Detailed enough text describing what will be done and by whom."
RULES = load_policy().doc("investigation")


def _score(elements, **ctx):
    clean = model.clean_elements(elements, RULES)
    return model.score_plan(clean, PlanContext(**ctx), actions=1, rules=RULES)


def test_a_one_letter_not_applicable_reason_earns_nothing():
    base = {"lines_of_enquiry": GOOD, "evidence_forensics": GOOD, "victim_needs": GOOD,
            "scene_preservation": GOOD, "prevention_advice": GOOD}
    got = _score({**base, "safeguarding": {"not_applicable": "x"}})
    assert "safeguarding" in got.missing and got.score < 100
    ok = _score({**base, "safeguarding": {"not_applicable": "Commercial premises, no one lives or works there alone"}})
    assert "safeguarding" not in ok.missing


def test_safeguarding_cannot_be_not_applicable_on_a_domestic_crime():
    base = {"lines_of_enquiry": GOOD, "evidence_forensics": GOOD, "victim_needs": GOOD,
            "scene_preservation": GOOD, "prevention_advice": GOOD, "evidence_led_prosecution": GOOD,
            "protective_orders": GOOD}
    got = _score({**base, "safeguarding": {"not_applicable": "The victim says she does not need anything"}},
                 domestic=True)
    assert "safeguarding" in got.missing
    assert any("domestic" in r for r in got.reasons)


def _crime(db, who, contact, **kw):
    with db.unit_of_work() as session:
        return service.record_crime(session, who("investigator"), offence="criminal_damage", risk="low",
                                    contact_id=contact, **kw).id


def test_a_crime_with_no_plan_after_72_hours_is_alerted_and_the_plan_clears_it(db, who, make_contact, clock0):
    crime_id = _crime(db, who, make_contact())
    clock0.now += timedelta(hours=69)  # reported 2 h before clock0: the plan is due at +70 h
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["no_plan"] == 0
    clock0.now += timedelta(hours=2)
    with db.unit_of_work() as session:
        assert sweep.sweep(session)["no_plan"] == 1
    with db.unit_of_work() as session:
        service.save_plan(session, crime_id, who("investigator"), {"lines_of_enquiry": GOOD})
    with db.unit_of_work() as session:
        alerts = list(session.execute(select(CrimeAlert).where(CrimeAlert.kind == "no_plan")).scalars())
        assert len(alerts) == 1 and alerts[0].resolved_at is not None


def test_crime_with_plan_counts_plans_made_within_72_hours_and_waits_for_the_rest(db, who, make_contact, clock0):
    late = _crime(db, who, make_contact(received_at=clock0.now - timedelta(hours=100)))  # planned at 100 h
    on_time = _crime(db, who, make_contact())
    _crime(db, who, make_contact())  # no plan yet, still inside its 72 hours: not yet a figure
    inv = who("investigator")
    with db.unit_of_work() as session:
        service.save_plan(session, late, inv, {"lines_of_enquiry": GOOD})
        service.save_plan(session, on_time, inv, {"lines_of_enquiry": GOOD})
    with db.unit_of_work() as session:
        board = perf.dashboard(session, date(2026, 2, 25), date(2026, 3, 2))
    m = {x["key"]: x for x in board["measures"]}["crime_with_plan"]
    assert (m["numerator"], m["denominator"]) == (1, 2)
