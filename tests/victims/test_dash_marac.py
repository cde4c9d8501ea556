"""Issue 13, defect 11: DASH and MARAC gaps (SafeLives MARAC referral criteria): repeat MARAC, escalation
counting domestic call-outs, a high DASH raising the crime's review risk, a refused form keeping its answers."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bluelamp.contact.matching import text_key
from bluelamp.contact.store import ContactPerson, Person
from bluelamp.crime import service as crimes
from bluelamp.crime.store import Crime
from bluelamp.policy import load_policy
from bluelamp.victims import dash
from bluelamp.victims.store import MaracReferral, Victim

NAME, DOB = "Jo Bloggs", "1985-05-05"


def _answers(yes: int) -> dict[str, str]:
    ids = [q.id for q in load_policy().doc("dash").questions]
    return {q: ("yes" if i < yes else "no") for i, q in enumerate(ids)}


def _crime(db, who, contact, risk="medium"):
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, who("investigator"), offence="violence_without_injury", risk=risk,
                                    contact_id=contact, domestic=True, parties=[{"role": "victim", "name": NAME,
                                                                                 "dob": DOB}])
        victim = session.execute(select(Victim).where(Victim.crime_id == crime.id)).scalar_one()
        return crime.id, victim.id


def test_a_new_incident_within_12_months_of_a_marac_referral_is_a_repeat_marac(db, who, make_contact, clock0):
    now = clock0.now
    clock0.now = now - timedelta(days=100)
    _, first = _crime(db, who, make_contact(received_at=clock0.now - timedelta(hours=2)))
    with db.unit_of_work() as session:
        assert dash.assess(session, first, who("victim_care"), answers=_answers(15)).marac
    clock0.now = now
    _, second = _crime(db, who, make_contact())
    with db.unit_of_work() as session:
        row = dash.assess(session, second, who("victim_care"), answers=_answers(2))
        assert row.marac and any("repeat" in r for r in row.reasons)
    with db.unit_of_work() as session:
        ref = session.execute(select(MaracReferral).where(MaracReferral.victim_id == second)).scalar_one()
        assert "repeat_marac" in ref.criteria


def test_domestic_call_outs_count_towards_escalation(db, who, make_contact, clock0):
    with db.unit_of_work() as session:
        person = Person(name=NAME, name_key=text_key(NAME), dob=date(1985, 5, 5), markers=[])
        session.add(person)
        session.flush()
        pid = person.id
    for days in (90, 30):  # two domestic call-outs, no crime recorded
        at = clock0.now - timedelta(days=days)
        cid = make_contact(received_at=at, flags=["domestic_abuse"])
        with db.unit_of_work() as session:
            session.add(ContactPerson(contact_id=cid, person_id=pid, role="victim", is_caller=True, received_at=at))
    _, vid = _crime(db, who, make_contact())
    with db.unit_of_work() as session:
        row = dash.assess(session, vid, who("victim_care"), answers=_answers(3))
        assert row.incidents_in_window == 3 and row.escalation and row.marac


def test_a_high_dash_raises_the_crimes_review_risk(db, who, make_contact, clock0):
    crime_id, vid = _crime(db, who, make_contact(), risk="low")
    with db.unit_of_work() as session:
        before = session.get(Crime, crime_id).next_review_due_at
        dash.assess(session, vid, who("victim_care"), answers=_answers(16))
    with db.unit_of_work() as session:
        crime = session.get(Crime, crime_id)
        assert crime.risk == "high"
        assert crime.next_review_due_at is not None and crime.next_review_due_at < before
        assert crime.next_review_due_at <= clock0.now + timedelta(hours=24)


def test_a_refused_dash_form_keeps_every_answer_typed(client, db, who, make_contact, clock0):
    import re

    from bluelamp.identity import service as identity

    _, vid = _crime(db, who, make_contact())
    with db.unit_of_work() as session:
        identity.add_user(session, "dashcare", ["victim_care"], "correct horse battery")
    page = client.get("/login")
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m, "the sign-in form carries a CSRF token"
    form = {"username": "dashcare", "password": "correct horse battery", "csrf_token": m.group(1)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    answers = _answers(5)
    del answers["q27_criminal_history"]
    view = client.get(f"/victims/{vid}").text
    m = re.search(r'name="csrf_token" value="([^"]+)"', view)
    assert m, "the victim page's forms carry a CSRF token"
    data = {**answers, "csrf_token": m.group(1)}
    res = client.post(f"/victims/{vid}/dash", data=data, follow_redirects=True)
    assert "incomplete" in res.text
    # Every answer given is still selected on the form shown with the error.
    for q, a in answers.items():
        assert re.search(rf'name="{q}" value="{a}" checked', res.text), q
