"""DASH risk identification and MARAC referral for victims of domestic abuse."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, or_, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.contact.store import Contact, ContactPerson, Person
from bluelamp.crime import service as crimes
from bluelamp.crime.store import Crime, CrimeParty
from bluelamp.identity.model import Principal
from bluelamp.policy import Policy, load_policy
from bluelamp.victims import model
from bluelamp.victims.model import VictimsError
from bluelamp.victims.service import _crime, _when, check_care, get_victim
from bluelamp.victims.store import DashAssessment, MaracReferral, Victim


def _same_party(party: CrimeParty) -> list[Any]:
    same: list[Any] = []
    if party.person_id is not None:
        same.append(CrimeParty.person_id == party.person_id)
    if party.name_key and party.dob:
        same.append(and_(CrimeParty.name_key == party.name_key, CrimeParty.dob == party.dob))
    return same


def earlier_incidents(session: Session, crime: Crime, party: CrimeParty | None, window_days: int,
                      contact_flag: str | None = None) -> list[datetime]:
    """Times of earlier domestic incidents involving the same person within the window: recorded domestic
    crimes, and (with `contact_flag`) domestic call-outs, each counted once."""
    if party is None or (party.person_id is None and not (party.name_key and party.dob)):
        return []
    since = crime.reported_at - timedelta(days=window_days)
    rows = session.execute(
        select(Crime.reported_at, Crime.contact_id).join(CrimeParty, CrimeParty.crime_id == Crime.id)
        .where(CrimeParty.role == "victim", or_(*_same_party(party)), Crime.domestic.is_(True), Crime.id != crime.id,
               Crime.reported_at >= since, Crime.reported_at < crime.reported_at)
        .distinct()
    ).all()
    times = [r[0] for r in rows]
    if not contact_flag:
        return times
    seen = {r[1] for r in rows if r[1] is not None} | ({crime.contact_id} if crime.contact_id else set())
    people = []
    if party.person_id is not None:
        people.append(Person.id == party.person_id)
    if party.name_key and party.dob:
        people.append(and_(Person.name_key == party.name_key, Person.dob == party.dob))
    flagged = cast(Contact.flags, String).like(f'%"{contact_flag}"%')
    calls = session.execute(
        select(Contact.id, Contact.received_at).join(ContactPerson, ContactPerson.contact_id == Contact.id)
        .join(Person, Person.id == ContactPerson.person_id)
        .where(or_(*people), flagged, Contact.received_at >= since, Contact.received_at < crime.reported_at)
        .distinct()).all()
    times += [at for cid, at in calls if cid not in seen]
    return times


def _repeat_marac(session: Session, crime: Crime, party: CrimeParty | None, victim_id: int, window_days: int) -> bool:
    """A MARAC referral for the same person within the window before this crime (SafeLives repeat criterion)."""
    since = crime.reported_at - timedelta(days=window_days)
    q = select(MaracReferral.id).join(Victim, Victim.id == MaracReferral.victim_id).where(
        MaracReferral.referred_at >= since, MaracReferral.referred_at <= crime.reported_at,
        MaracReferral.status != "withdrawn")
    if party is not None and _same_party(party):
        q = q.join(CrimeParty, CrimeParty.id == Victim.party_id).where(
            or_(Victim.id == victim_id, *_same_party(party)), Victim.crime_id != crime.id)
    else:
        return False
    return session.execute(q.limit(1)).first() is not None


def assess(session: Session, victim_id: int, principal: Principal, *, answers: dict[str, Any],
           judgement: str | None = None, judgement_reason: str | None = None, other_incidents: int = 0,
           assessed_at: datetime | None = None, policy: Policy | None = None) -> DashAssessment:
    """Score a complete DASH form; a qualifying result creates the MARAC referral record."""
    policy = policy or load_policy()
    doc = policy.doc("dash")
    if not 0 <= int(other_incidents) <= 100:
        raise VictimsError("other_incidents must be between 0 and 100", "other_incidents")
    model.check_dash_answers(answers or {}, doc)  # refuse an incomplete form before touching anything
    victim = get_victim(session, victim_id, for_update=True)
    crime = _crime(session, victim.crime_id)
    check_care(session, crime, principal)
    now = clock.now()
    at = _when(assessed_at, now, "assessed_at", crime.reported_at)
    party = session.get(CrimeParty, victim.party_id) if victim.party_id else None
    times = earlier_incidents(session, crime, party, doc.escalation_window_days,
                              doc.domestic_contact_flag if doc.count_domestic_contacts else None)
    n = model.incidents_in_window(times, crime.reported_at, doc.escalation_window_days) + int(other_incidents)
    repeat = _repeat_marac(session, crime, party, victim.id, doc.repeat_marac_window_days)
    result = model.score_dash(answers, doc, judgement=judgement, judgement_reason=judgement_reason,
                              incidents_in_window=n, repeat_marac=repeat)
    row = DashAssessment(
        victim_id=victim.id, crime_id=crime.id, dash_version=doc.version, policy_version=policy.version,
        answers=model.check_dash_answers(answers, doc), yes_count=result.yes_count, actuarial=result.actuarial,
        judgement=result.judgement, judgement_reason=(judgement_reason or "").strip()[:2000] or None,
        incidents_in_window=n, escalation=result.escalation, level=result.level, marac=result.marac,
        reasons=result.reasons, assessed_at=at, by=principal.actor)
    session.add(row)
    session.flush()
    audit.record(session, principal.actor, "victim.dash_assessed", "victim", victim.id, after={
        "dash_id": row.id, "yes": result.yes_count, "actuarial": result.actuarial, "level": result.level,
        "escalation": result.escalation, "marac": result.marac, "dash_version": doc.version})
    if result.marac:
        criteria = []
        if result.actuarial == "high":
            criteria.append("high_risk")
        if result.judgement and result.judgement != result.actuarial:
            criteria.append("professional_judgement")
        if result.escalation:
            criteria.append("escalation")
        if result.repeat_marac:
            criteria.append("repeat_marac")
        ref = MaracReferral(dash_id=row.id, victim_id=victim.id, criteria=criteria, status="to_submit",
                            referred_at=now, by=principal.actor)
        session.add(ref)
        session.flush()
        audit.record(session, principal.actor, "victim.marac_referral", "victim", victim.id,
                     after={"referral_id": ref.id, "criteria": criteria})
    risk = doc.crime_risk_for_level.get(result.level)
    if risk:
        crimes.raise_risk(session, crime.id, risk, f"DASH {result.level} risk (assessment {row.id})",
                          principal.actor, policy=policy)
    return row


MARAC_STATUSES = ("to_submit", "submitted", "heard", "withdrawn")


def update_marac(session: Session, referral_id: int, principal: Principal, *, status: str,
                 meeting_date: datetime | None = None, note: str | None = None) -> MaracReferral:
    if status not in MARAC_STATUSES:
        raise VictimsError(f"status must be one of {', '.join(MARAC_STATUSES)}", "status")
    if status == "withdrawn" and not (note and note.strip()):
        raise VictimsError("withdrawing a MARAC referral needs a reason", "note")
    if status == "withdrawn" and not principal.has_any("supervisor"):
        raise VictimsError("withdrawing a MARAC referral needs a supervisor", "role", 403)
    ref = session.get(MaracReferral, referral_id)
    if ref is None:
        raise VictimsError(f"MARAC referral {referral_id} not found", "id", 404)
    check_care(session, get_victim(session, ref.victim_id).crime_id, principal)
    if meeting_date is not None and meeting_date.tzinfo is None:
        raise VictimsError("meeting_date needs a time zone", "meeting_date")
    before = {"status": ref.status}
    ref.status = status
    if meeting_date is not None:
        ref.meeting_date = clock.as_utc(meeting_date)
    audit.record(session, principal.actor, "victim.marac_updated", "victim", ref.victim_id, before=before,
                 after={"referral_id": ref.id, "status": status, "note": (note or "")[:500] or None})
    return ref


def assessments_of(session: Session, victim_id: int) -> list[DashAssessment]:
    return list(session.execute(select(DashAssessment).where(DashAssessment.victim_id == victim_id)
                                .order_by(DashAssessment.assessed_at)).scalars())


def marac_of(session: Session, victim_id: int) -> list[MaracReferral]:
    return list(session.execute(select(MaracReferral).where(MaracReferral.victim_id == victim_id)
                                .order_by(MaracReferral.id)).scalars())
