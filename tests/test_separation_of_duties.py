"""Issue 12 item 8, separation of duties, as a matrix: who may change a crime's plan, actions, closure
and victim work (its officer in charge, their team, their team's supervisor), who may review and
approve (a supervisor who is not the requester), who may hand a crime on (a supervisor, audited),
withdraw a MARAC referral (a supervisor), and who reads a crime (their team; wider with a reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bluelamp.audit.store import AuditEntry
from bluelamp.contact import service as contacts
from bluelamp.contact.service import ContactError
from bluelamp.crime import service as crimes
from bluelamp.crime.model import CrimeError
from bluelamp.crime.store import Crime
from bluelamp.identity.model import Principal
from bluelamp.policy import load_policy
from bluelamp.victims import dash
from bluelamp.victims import service as victims
from bluelamp.victims.model import VictimsError
from bluelamp.victims.store import MaracReferral, Victim

GOOD = "Detailed enough text describing what will be done and by whom."
ELEMENTS = {e.id: GOOD for e in load_policy().doc("investigation").elements}
NO_SUSPECT = {"rationale": "All lines of enquiry exhausted, none identified"}

# The cast: an OIC in team A, and people in team A and team B.
CAST: dict[str, tuple[tuple[str, ...], str | None]] = {
    "oic": (("investigator",), "A"),
    "team_investigator": (("investigator",), "A"),
    "team_victim_care": (("victim_care",), "A"),
    "team_supervisor": (("supervisor",), "A"),
    "other_investigator": (("investigator",), "B"),
    "other_victim_care": (("victim_care",), "B"),
    "other_supervisor": (("supervisor",), "B"),
    "teamless_supervisor": (("supervisor",), None),
    "admin": (("admin",), None),
}


@pytest.fixture
def cast(who) -> dict[str, Principal]:  # type: ignore[no-untyped-def]
    """Principals without user rows (no password hashing: the matrix stays fast); the OIC is the one who
    records, so no look-up is needed. Tests that name another user make real ones."""
    return {name: who(*roles, team=team) for name, (roles, team) in CAST.items()}


def _crime(db, oic: Principal, contact: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, oic, offence="violence_without_injury", risk="medium",
                                    contact_id=contact, domestic=True,
                                    parties=[{"role": "victim", "name": "Jo Bloggs", "dob": "1985-05-05"}])
        crimes.save_plan(session, crime.id, oic, ELEMENTS)
        victim = session.execute(select(Victim).where(Victim.crime_id == crime.id)).scalar_one()
        return crime.id, victim.id


def _plan(session, cid, vid, p):  # type: ignore[no-untyped-def]
    crimes.save_plan(session, cid, p, ELEMENTS)


def _action(session, cid, vid, p):  # type: ignore[no-untyped-def]
    crimes.add_action(session, cid, p, element="lines_of_enquiry", description="House-to-house on the street")


def _closure(session, cid, vid, p):  # type: ignore[no-untyped-def]
    crimes.request_closure(session, cid, p, outcome="18", evidence=NO_SUSPECT)


def _right(session, cid, vid, p):  # type: ignore[no-untyped-def]
    victims.set_right(session, vid, p, number=5, status="given")


def _update(session, cid, vid, p):  # type: ignore[no-untyped-def]
    victims.record_update(session, vid, p, method="phone")


def _event(session, cid, vid, p):  # type: ignore[no-untyped-def]
    victims.record_event(session, cid, p, event="arrest", event_at=None)


def _review(session, cid, vid, p):  # type: ignore[no-untyped-def]
    crimes.review(session, cid, p, direction="Obtain the CCTV from the corner shop by Friday")


ACTIONS: dict[str, Callable[..., Any]] = {
    "plan": _plan, "action": _action, "closure": _closure, "right": _right, "update": _update,
    "event": _event, "review": _review,
}
# Who may do each (everyone else is refused with 403).
ALLOWED: dict[str, set[str]] = {
    "plan": {"oic", "team_investigator", "team_supervisor", "admin"},
    "action": {"oic", "team_investigator", "team_supervisor", "admin"},
    "closure": {"oic", "team_investigator", "team_supervisor", "admin"},
    "right": {"oic", "team_investigator", "team_victim_care", "team_supervisor", "admin"},
    "update": {"oic", "team_investigator", "team_victim_care", "team_supervisor", "admin"},
    "event": {"oic", "team_investigator", "team_victim_care", "team_supervisor", "admin"},
    "review": {"team_supervisor", "admin"},
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("actor", sorted(CAST))
def test_only_the_oic_their_team_or_their_supervisor_change_a_crime(db, cast, make_contact, clock0, action, actor):
    cid, vid = _crime(db, cast["oic"], make_contact())
    do = ACTIONS[action]
    if actor in ALLOWED[action]:
        with db.unit_of_work() as session:
            do(session, cid, vid, cast[actor])
        return
    with db.unit_of_work() as session, pytest.raises((CrimeError, VictimsError)) as refused:
        do(session, cid, vid, cast[actor])
    assert refused.value.status == 403, refused.value


def test_a_crime_whose_oic_has_no_team_is_changed_only_by_the_oic(db, who, make_contact, clock0):
    oic = who("investigator", team=None)
    cid, vid = _crime(db, oic, make_contact())
    stranger, supervisor = who("investigator", team=None), who("supervisor", team=None)
    for p in (stranger, supervisor):
        with db.unit_of_work() as session, pytest.raises(CrimeError, match="officer in charge"):
            crimes.save_plan(session, cid, p, ELEMENTS)


def test_the_oic_must_be_a_real_investigator(db, principal, make_contact, clock0):
    cab, analyst = principal("cab_officer"), principal("analyst")
    with db.unit_of_work() as session, pytest.raises(CrimeError) as err:
        crimes.record_crime(session, cab, offence="criminal_damage", risk="low", contact_id=make_contact(),
                            oic="nobody-here")
    assert err.value.field == "oic" and err.value.status == 422
    with db.unit_of_work() as session, pytest.raises(CrimeError) as err:
        crimes.record_crime(session, cab, offence="criminal_damage", risk="low", contact_id=make_contact(),
                            oic=analyst.username)
    assert err.value.field == "oic" and "investigator" in str(err.value)
    with db.unit_of_work() as session, pytest.raises(CrimeError) as err:  # nobody named, and not an investigator
        crimes.record_crime(session, cab, offence="criminal_damage", risk="low", contact_id=make_contact())
    assert err.value.field == "oic"


def test_the_bureau_records_a_crime_for_a_named_investigator_and_it_joins_their_team(db, principal, make_contact,
                                                                                       clock0):
    cab, inv = principal("cab_officer", team="bureau"), principal("investigator", team="A")
    with db.unit_of_work() as session:
        crime = crimes.record_crime(session, cab, offence="criminal_damage", risk="low", contact_id=make_contact(),
                                    oic=inv.username)
        assert (crime.oic, crime.team) == (inv.username, "A")


def test_the_api_names_the_oic_field_when_it_is_refused(client, make_user, make_contact):
    _, cab = make_user("cab_officer")
    res = client.post("/api/v1/crimes", headers=cab, json={"offence": "criminal_damage", "risk": "low",
                                                            "contact_id": make_contact(), "oic": "ghost"})
    assert res.status_code == 422 and res.json()["detail"].startswith("oic:"), res.text


def test_a_supervisor_hands_a_crime_on_and_it_is_audited(db, cast, principal, make_contact, clock0):
    cid, _ = _crime(db, cast["oic"], make_contact())
    new, care = principal("investigator", team="B"), principal("victim_care", team="A")
    for p in (cast["oic"], cast["team_investigator"], cast["other_supervisor"]):
        with db.unit_of_work() as session, pytest.raises(CrimeError) as err:
            crimes.change_oic(session, cid, p, oic=new.username, reason="workload across the teams")
        assert err.value.status == 403
    for bad, field in (("ghost", "oic"), (care.username, "oic")):
        with db.unit_of_work() as session, pytest.raises(CrimeError) as err:
            crimes.change_oic(session, cid, cast["team_supervisor"], oic=bad, reason="workload across the teams")
        assert (err.value.field, err.value.status) == (field, 422)
    with db.unit_of_work() as session:
        crimes.change_oic(session, cid, cast["team_supervisor"], oic=new.username, reason="workload across teams")
    with db.unit_of_work() as session:
        crime = session.get(Crime, cid)
        assert (crime.oic, crime.team) == (new.username, "B")
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "crime.oic_changed")).scalar_one()
        assert entry.actor == cast["team_supervisor"].actor and entry.entity_id == str(cid)
    # the crime is now team B's: the old team may no longer change it, the new one may
    with db.unit_of_work() as session, pytest.raises(CrimeError):
        crimes.save_plan(session, cid, cast["team_investigator"], ELEMENTS)
    with db.unit_of_work() as session:
        crimes.save_plan(session, cid, new, ELEMENTS)
        crimes.review(session, cid, cast["other_supervisor"], direction="New OIC: re-interview the witness")


def test_a_supervisor_never_approves_their_own_closure(db, who, cast, make_contact, clock0):
    cid, _ = _crime(db, cast["oic"], make_contact())
    sup = cast["team_supervisor"]
    with db.unit_of_work() as session:
        assert crimes.request_closure(session, cid, sup, outcome="18", evidence=NO_SUSPECT).status \
            == "pending_closure"  # a supervisor's own request is not its own approval
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="their own"):
        crimes.decide_closure(session, cid, sup, approve=True)
    with db.unit_of_work() as session, pytest.raises(CrimeError) as err:
        crimes.decide_closure(session, cid, cast["other_supervisor"], approve=True)  # not their team
    assert err.value.status == 403
    with db.unit_of_work() as session:
        second = who("supervisor", team="A")
        crime = crimes.decide_closure(session, cid, second, approve=True)
        assert crime.status == "closed" and crime.approved_by == second.actor


def test_an_oic_who_is_also_a_supervisor_does_not_review_their_own_crime(db, who, make_contact, clock0):
    both = who("investigator", "supervisor", team="A")
    cid, _ = _crime(db, both, make_contact())
    with db.unit_of_work() as session, pytest.raises(CrimeError, match="their own"):
        crimes.review(session, cid, both, direction="Reviewing my own work is not a review")
    with db.unit_of_work() as session:
        crimes.review(session, cid, who("supervisor", team="A"), direction="Proportionate: carry on")


def _marac(db, cid: int, vid: int, who: Principal) -> int:
    questions = [q.id for q in load_policy().doc("dash").questions]
    with db.unit_of_work() as session:
        dash.assess(session, vid, who, answers=dict.fromkeys(questions, "yes"))
        return session.execute(select(MaracReferral.id).where(MaracReferral.victim_id == vid)).scalar_one()


def test_withdrawing_a_marac_referral_needs_a_supervisor(db, cast, make_contact, clock0):
    cid, vid = _crime(db, cast["oic"], make_contact())
    ref = _marac(db, cid, vid, cast["team_victim_care"])
    for p in (cast["team_victim_care"], cast["oic"]):
        with db.unit_of_work() as session, pytest.raises(VictimsError, match="supervisor") as err:
            dash.update_marac(session, ref, p, status="withdrawn", note="victim moved out of the area")
        assert err.value.status == 403
    with db.unit_of_work() as session, pytest.raises(VictimsError) as err:  # another team's supervisor
        dash.update_marac(session, ref, cast["other_supervisor"], status="withdrawn", note="moved away")
    assert err.value.status == 403
    with db.unit_of_work() as session:  # victim care still moves it on
        dash.update_marac(session, ref, cast["team_victim_care"], status="submitted")
    with db.unit_of_work() as session:
        assert dash.update_marac(session, ref, cast["team_supervisor"], status="withdrawn",
                                 note="victim moved out of the area").status == "withdrawn"


# --- reads: the crimes of their team; wider is a search with a stated reason ------------------------

READS = {  # role, team -> GET /crimes/{id} status without and with a reason
    ("investigator", "A"): (200, 200),
    ("victim_care", "A"): (200, 200),
    ("investigator", "B"): (403, 200),
    ("victim_care", "B"): (403, 200),
    ("supervisor", "B"): (200, 200),
    ("cab_officer", "B"): (200, 200),
    ("auditor", None): (403, 200),
    ("call_handler", "A"): (403, 403),
}


@pytest.mark.parametrize("role,team", sorted(READS, key=str))
def test_investigators_and_victim_care_read_the_crimes_of_their_team(client, db, who, make_user, make_contact,
                                                                     clock0, role, team):
    cid, vid = _crime(db, who("investigator", team="A"), make_contact())
    _, h = make_user(role, team=team)
    plain, reasoned = READS[(role, team)]
    for path in (f"/api/v1/crimes/{cid}", f"/api/v1/victims/{vid}"):
        res = client.get(path, headers=h)
        assert res.status_code == plain, (path, res.text)
        if plain == 403 and reasoned == 200:
            assert res.json()["detail"].startswith("reason:"), res.text
        res = client.get(path, headers=h, params={"reason": "linked enquiry CR-2026-118"})
        assert res.status_code == reasoned, (path, res.text)
    from bluelamp.crime.service import READERS as LIST_ROLES

    listed = client.get("/api/v1/crimes", headers=h, params={"mine": "false"})
    assert listed.status_code == (200 if role in LIST_ROLES else 403), listed.text
    if role in LIST_ROLES:  # the list shows exactly the crimes the role may open without a reason
        assert (cid in {c["id"] for c in listed.json()}) == (plain == 200)


@pytest.mark.slow  # over a second in the fast subset (session 5)
@pytest.mark.parametrize("role,team", sorted(READS, key=str))
def test_the_crime_and_victim_pages_make_the_same_read_check_and_refuse_with_a_page(
        client, db, who, make_user, make_contact, clock0, role, team):
    cid, vid = _crime(db, who("investigator", team="A"), make_contact())
    _, h = make_user(role, team=team)
    h = {**h, "Accept": "text/html"}
    plain, reasoned = READS[(role, team)]
    for path in (f"/crimes/{cid}", f"/victims/{vid}"):
        res = client.get(path, headers=h)
        assert res.status_code == plain, (path, res.text[:300])
        if plain == 403:
            assert res.headers["content-type"].startswith("text/html") and "Jo Bloggs" not in res.text
        if plain == 403 and reasoned == 200:  # a refusal page that offers the search with a reason
            assert 'id="read-refused"' in res.text and 'name="reason"' in res.text, res.text[:500]
        res = client.get(path, headers=h, params={"reason": "linked enquiry CR-2026-118"})
        assert res.status_code == reasoned, (path, res.text[:300])
        if reasoned == 200:
            assert "Jo Bloggs" in res.text


def test_a_crime_page_read_with_a_reason_is_in_the_access_log_like_the_api(client, db, who, make_user,
                                                                           make_contact, clock0):
    from bluelamp.audit.store import AccessEntry

    cid, vid = _crime(db, who("investigator", team="A"), make_contact())
    name, h = make_user("victim_care", team="B")
    assert client.get(f"/victims/{vid}", headers=h).status_code == 403
    assert client.get(f"/victims/{vid}", headers=h, params={"reason": "safeguarding check"}).status_code == 200
    assert client.get(f"/crimes/{cid}", headers=h, params={"reason": "safeguarding check"}).status_code == 200
    with db.unit_of_work() as session:
        rows = session.execute(select(AccessEntry).where(AccessEntry.actor == f"user:{name}")
                               .order_by(AccessEntry.id)).scalars().all()
        assert [(r.kind, r.record_id, r.route, r.reason) for r in rows] == [
            ("victim", str(vid), f"/victims/{vid}", "safeguarding check"),
            ("crime", str(cid), f"/crimes/{cid}", "safeguarding check")]  # a refused read shows nothing


def test_a_reasoned_read_is_in_the_access_log_with_its_reason(client, db, who, make_user, make_contact, clock0):
    from bluelamp.audit.store import AccessEntry

    cid, _ = _crime(db, who("investigator", team="A"), make_contact())
    name, h = make_user("investigator", team="B")
    assert client.get(f"/api/v1/crimes/{cid}", headers=h, params={"reason": "linked enquiry"}).status_code == 200
    with db.unit_of_work() as session:
        rows = session.execute(select(AccessEntry).where(AccessEntry.kind == "crime",
                                                         AccessEntry.record_id == str(cid))).scalars().all()
        assert [(r.actor, r.reason) for r in rows] == [(f"user:{name}", "linked enquiry")]


# --- downgrades: approved by a supervisor who did not ask for them ----------------------------------

def test_a_supervisors_own_downgrade_waits_for_another_supervisor(db, who, clock0):
    from bluelamp.contact.model import ContactIn

    sup, other = who("supervisor"), who("supervisor")
    data = ContactIn.model_validate({"channel": "999", "narrative": "Two men fighting outside the pub, one has a knife"})
    with db.unit_of_work() as session:
        recorded = contacts.record_contact(session, data, sup)
        assert recorded["assessment"]["grade"] == 1
        contact = contacts.decide(session, int(recorded["id"]), sup, grade=2, route="deploy", reason="the fight has stopped")
        assert contact.status == "awaiting_approval"
        cid = contact.id
    with db.unit_of_work() as session, pytest.raises(ContactError, match="their own") as err:
        contacts.approve_downgrade(session, cid, sup, True)
    assert err.value.status == 403
    with db.unit_of_work() as session:
        assert contacts.approve_downgrade(session, cid, other, True, "agreed").grade == 2
