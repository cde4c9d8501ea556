"""Use cases of the victims context: rights, needs, contact plans, Right 6 clocks, referrals, DASH, MARAC.

Validation comes first and every change writes an audit entry in the caller's transaction. Letters go
to the crime admin bureau as tasks (`bluelamp.bureau`); a done letter task records the update here
(registered with `bureau.on_done`), and alerts are resolved through `bluelamp.alerts`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.alerts import service as alerts
from bluelamp.audit import service as audit
from bluelamp.bureau import service as bureau
from bluelamp.bureau.store import BureauTask
from bluelamp.contact.store import Contact
from bluelamp.crime.store import Crime, CrimeParty
from bluelamp.identity import access
from bluelamp.identity import service as identity
from bluelamp.identity.model import Principal
from bluelamp.policy import Policy, load_policy
from bluelamp.policy.schema import VictimsCodeDoc
from bluelamp.victims import model, portal_codes
from bluelamp.victims.model import VictimsError
from bluelamp.victims.store import (
    Right6Clock,
    Victim,
    VictimReferral,
    VictimUpdate,
)

CARERS = ("victim_care", "investigator", "supervisor", "cab_officer")
SLACK = timedelta(minutes=5)


def code(policy: Policy | None = None) -> VictimsCodeDoc:
    return (policy or load_policy()).doc("victims_code")


def _when(at: datetime | None, now: datetime, name: str, not_before: datetime | None = None,
          not_before_name: str = "the crime was reported") -> datetime:
    if at is None:
        return now
    if at.tzinfo is None:
        raise VictimsError(f"{name} needs a time zone", name)
    at = clock.as_utc(at)
    if at > now + SLACK:
        raise VictimsError(f"{name} is in the future", name)
    if not_before is not None and at < not_before:
        raise VictimsError(f"{name} is before {not_before_name}", name)
    return at


def get_victim(session: Session, victim_id: int, for_update: bool = False) -> Victim:
    q = select(Victim).where(Victim.id == victim_id)
    if for_update:
        q = q.with_for_update()
    victim = session.execute(q).scalar_one_or_none()
    if victim is None:
        raise VictimsError(f"victim {victim_id} not found", "id", 404)
    return victim


def _crime(session: Session, crime_id: int) -> Crime:
    crime = session.get(Crime, crime_id)
    if crime is None:
        raise VictimsError(f"crime {crime_id} not found", "crime_id", 404)
    return crime


def check_care(session: Session, crime: Crime | int, principal: Principal) -> str:
    """Victim work on a crime is for its OIC, their team (victim care included) or their supervisor
    (identity/access.py); anyone else is refused (403)."""
    if isinstance(crime, int):
        crime = _crime(session, crime)
    try:
        return access.check_change("victim", principal, crime.oic,
                                   identity.effective_team(session, crime.oic, crime.team))
    except access.AccessDenied as exc:
        raise VictimsError(str(exc), exc.field, 403) from None


def check_read(session: Session, victim: Victim, principal: Principal, reason: str | None = None) -> str:
    """Reading a victim (with DASH and MARAC) follows the crime's read rule (identity/access.py)."""
    try:
        return _read_view(session, _crime(session, victim.crime_id), principal, reason)
    except access.AccessDenied as exc:
        raise VictimsError(str(exc), exc.field, 403) from None


def _read_view(session: Session, crime: Crime, principal: Principal, reason: str | None) -> str:
    own = access.reads_crime_as_own(principal, crime.oic, identity.effective_team(session, crime.oic, crime.team))
    return access.view_for("crime", principal, own=own, reason=reason)


def readable(session: Session, principal: Principal, victims: list[Victim]) -> set[int]:
    """The victims in a list whom the principal reads without stating a reason (their team's, or all
    for the roles that read every crime): list pages show only these (issue 12 item 2)."""
    ids = {v.crime_id for v in victims}
    crimes = {c.id: c for c in session.execute(select(Crime).where(Crime.id.in_(ids))).scalars()} if ids else {}
    out: set[int] = set()
    for v in victims:
        crime = crimes.get(v.crime_id)
        if crime is None:
            continue
        try:
            _read_view(session, crime, principal, None)
        except access.AccessDenied:
            continue
        out.add(v.id)
    return out


def _facts(session: Session, victim: Victim, crime: Crime, policy: Policy) -> model.EnhancedFacts:
    """The facts on record that can give this victim enhanced rights by themselves."""
    doc = code(policy)
    found = policy.doc("offences").find(crime.offence)
    party = session.get(CrimeParty, victim.party_id) if victim.party_id else None
    dob = party.dob if party is not None else None
    flags: list[str] = []
    if crime.contact_id is not None:
        contact = session.get(Contact, crime.contact_id)
        flags = list(contact.flags or []) if contact is not None else []
    earlier = 0
    if party is not None and party.name_key and party.dob is not None:
        since = crime.reported_at - timedelta(days=doc.enhanced_rules.repeat_window_days)
        earlier = int(session.execute(
            select(func.count(func.distinct(CrimeParty.crime_id))).join(Crime, Crime.id == CrimeParty.crime_id)
            .where(CrimeParty.role == "victim", CrimeParty.name_key == party.name_key, CrimeParty.dob == party.dob,
                   CrimeParty.crime_id != crime.id, Crime.reported_at >= since,
                   Crime.reported_at <= crime.reported_at)).scalar_one())
    return model.EnhancedFacts(
        offence_name=found[1].name.lower() if found else crime.offence, most_serious_offence=crime.most_serious,
        domestic=bool(crime.domestic), hate=bool(crime.hate),
        age=model.age_on(dob, clock.local(crime.reported_at).date()), needs=dict(victim.needs or {}),
        repeat_flag=doc.enhanced_rules.repeat_victim_flag in flags, earlier_crimes=earlier)


def _assessed(victim: Victim) -> list[str]:
    return [b["category"] for b in (victim.enhanced_basis or []) if b.get("source") == "assessment"]


def _work_out_enhanced(session: Session, victim: Victim, crime: Crime, policy: Policy,
                       assessed: list[str] | None = None) -> None:
    """Set the victim's enhanced rights from the facts, the assessment and any override; open clocks follow."""
    doc = code(policy)
    enhanced, categories, basis = model.enhanced_rights(
        _facts(session, victim, crime, policy), _assessed(victim) if assessed is None else assessed,
        victim.enhanced_override, doc)
    victim.enhanced, victim.enhanced_reasons, victim.enhanced_basis = enhanced, categories, basis
    if victim.id is None:
        return
    now = clock.now()
    for c in _open_clocks(session, victim.id):
        # Only a clock still open and not yet due follows the new status: a missed clock (swept or
        # not) stays exactly as it was reported.
        if c.status == "open" and c.due_at > now and c.enhanced != victim.enhanced:
            new = model.right6_clock(c.event, c.event_at, victim.enhanced, doc.right6)
            c.enhanced, c.working_days, c.due_at, c.warn_at = victim.enhanced, new.working_days, new.due_at, new.warn_at


def open_victim(session: Session, crime: Crime, party: CrimeParty, actor: str, policy: Policy | None = None) -> Victim:
    """A victim record for a victim of a crime; the facts on record may give enhanced rights at once."""
    policy = policy or load_policy()
    doc = code(policy)
    now = clock.now()
    victim = Victim(crime_id=crime.id, party_id=party.id, name=party.name, active=True, enhanced=False,
                    enhanced_reasons=[], rights={}, needs={}, created_at=now,
                    next_update_due_at=now + timedelta(days=doc.default_contact_every_days))
    _work_out_enhanced(session, victim, crime, policy, assessed=[])
    session.add(victim)
    session.flush()
    audit.record(session, actor, "victim.opened", "victim", victim.id,
                 after={"crime_id": crime.id, "enhanced": victim.enhanced_reasons,
                        "why": [b["why"] for b in victim.enhanced_basis or []]})
    # The victim's access code for their own page (/my-case), shown once to the recording officer.
    portal_codes.issue(session, victim, actor, policy)
    return victim


def override_enhanced(session: Session, victim_id: int, principal: Principal, *, enhanced: bool, reason: str,
                      policy: Policy | None = None) -> Victim:
    """Victim care decides enhanced rights against the facts, with a reason (audited); it holds until changed."""
    policy = policy or load_policy()
    doc = code(policy)
    if not principal.has_any(*doc.enhanced_rules.override_roles):
        raise VictimsError(f"only {' or '.join(r.replace('_', ' ') for r in doc.enhanced_rules.override_roles)} "
                           "may override enhanced rights", "role", 403)
    text = (reason or "").strip()
    if len(text) < 10:
        raise VictimsError("overriding enhanced rights needs a reason (at least 10 characters)", "reason")
    victim = get_victim(session, victim_id, for_update=True)
    crime = _crime(session, victim.crime_id)
    check_care(session, crime, principal)
    before = {"enhanced": victim.enhanced, "reasons": victim.enhanced_reasons, "override": victim.enhanced_override}
    victim.enhanced_override = {"enhanced": bool(enhanced), "reason": text[:500], "by": principal.actor,
                                "at": clock.iso(clock.now())}
    _work_out_enhanced(session, victim, crime, policy)
    audit.record(session, principal.actor, "victim.enhanced_overridden", "victim", victim.id, before=before,
                 after={"enhanced": victim.enhanced, "reasons": victim.enhanced_reasons, "reason": text[:500]})
    return victim


def victims_of(session: Session, crime_id: int) -> list[Victim]:
    return list(session.execute(select(Victim).where(Victim.crime_id == crime_id).order_by(Victim.id)).scalars())


def _tick_right(victim: Victim, number: int, actor: str, note: str, at: datetime) -> None:
    rights = dict(victim.rights or {})
    rights[str(number)] = {"status": "given", "at": clock.iso(at), "by": actor, "note": note[:500]}
    victim.rights = rights


def set_right(session: Session, victim_id: int, principal: Principal, *, number: int, status: str,
              note: str | None = None, policy: Policy | None = None) -> Victim:
    """Tick one of the 12 rights on the checklist: given, not applicable (with a note) or declined."""
    doc = code(policy)
    if number not in {r.number for r in doc.rights}:
        raise VictimsError("right must be a number from 1 to 12", "number")
    if status not in ("given", "not_applicable", "declined", "outstanding"):
        raise VictimsError("status must be given, not_applicable, declined or outstanding", "status")
    if status in ("not_applicable", "declined") and not (note and note.strip()):
        raise VictimsError(f"a right marked {status.replace('_', ' ')} needs a note saying why", "note")
    victim = get_victim(session, victim_id, for_update=True)
    check_care(session, victim.crime_id, principal)
    now = clock.now()
    before = (victim.rights or {}).get(str(number))
    rights = dict(victim.rights or {})
    rights[str(number)] = {"status": status, "at": clock.iso(now), "by": principal.actor,
                           "note": (note or "").strip()[:500]}
    victim.rights = rights
    audit.record(session, principal.actor, "victim.right_updated", "victim", victim.id, before=before,
                 after={"right": number, "status": status})
    return victim


def assess_needs(session: Session, victim_id: int, principal: Principal, *, needs: dict[str, Any],
                 enhanced_categories: list[str], policy: Policy | None = None) -> Victim:
    """Record the needs assessment and enhanced-rights status; open clocks follow the new status."""
    policy = policy or load_policy()
    doc = code(policy)
    clean = model.check_needs(needs or {}, doc)
    victim = get_victim(session, victim_id, for_update=True)
    crime = _crime(session, victim.crime_id)
    check_care(session, crime, principal)
    assessed = list(enhanced_categories or [])
    model.enhanced_rights(model.EnhancedFacts(), assessed, None, doc)  # unknown categories are refused first
    now = clock.now()
    before = {"enhanced": victim.enhanced_reasons, "needs": sorted(victim.needs or {})}
    victim.needs, victim.needs_assessed_at = clean, now
    _work_out_enhanced(session, victim, crime, policy, assessed=assessed)
    reasons = victim.enhanced_reasons
    _tick_right(victim, 4, principal.actor, "needs assessed", now)
    audit.record(session, principal.actor, "victim.needs_assessed", "victim", victim.id, before=before,
                 after={"enhanced": reasons, "needs": sorted(clean)})
    return victim


def _open_clocks(session: Session, victim_id: int) -> list[Right6Clock]:
    return list(session.execute(select(Right6Clock).where(Right6Clock.victim_id == victim_id,
                                                          Right6Clock.status.in_(("open", "missed")))).scalars())


def set_contact_plan(session: Session, victim_id: int, principal: Principal, *, method: str, every_days: int,
                     policy: Policy | None = None) -> Victim:
    """The agreed contact plan: how the victim wants to be updated and how often."""
    doc = code(policy)
    if method not in doc.contact_methods:
        raise VictimsError(f"method must be one of {', '.join(doc.contact_methods)}", "method")
    if not 1 <= int(every_days) <= 90:
        raise VictimsError("every_days must be between 1 and 90", "every_days")
    victim = get_victim(session, victim_id, for_update=True)
    check_care(session, victim.crime_id, principal)
    now = clock.now()
    before = {"method": victim.contact_method, "every_days": victim.contact_every_days}
    victim.contact_method, victim.contact_every_days, victim.contact_agreed_at = method, int(every_days), now
    if victim.active:
        victim.next_update_due_at = (victim.last_update_at or now) + timedelta(days=int(every_days))
    audit.record(session, principal.actor, "victim.contact_plan_agreed", "victim", victim.id, before=before,
                 after={"method": method, "every_days": int(every_days),
                        "next_update_due_at": clock.iso(victim.next_update_due_at)})
    return victim


def record_event(session: Session, crime_id: int, principal: Principal, *, event: str, event_at: datetime | None,
                 policy: Policy | None = None) -> list[Right6Clock]:
    """An event in the case starts a Right 6 clock for every victim, and queues their letter to the bureau."""
    policy = policy or load_policy()
    doc = code(policy)
    if event not in doc.right6.events:
        raise VictimsError(f"unknown event {event!r}; events are: {', '.join(doc.right6.events)}", "event")
    crime = _crime(session, crime_id)
    check_care(session, crime, principal)
    if crime.status == "closed":
        raise VictimsError(f"crime {crime_id} is closed", "status", 409)
    now = clock.now()
    at = _when(event_at, now, "event_at", crime.reported_at)
    clocks = []
    for victim in victims_of(session, crime.id):
        if not victim.active:
            continue
        rule = model.right6_clock(event, at, victim.enhanced, doc.right6)
        row = Right6Clock(victim_id=victim.id, crime_id=crime.id, event=event, event_at=at, enhanced=victim.enhanced,
                          working_days=rule.working_days, due_at=rule.due_at, warn_at=rule.warn_at, status="open",
                          recorded_by=principal.actor)
        session.add(row)
        session.flush()
        letter = model.render_letter(doc.templates.get(event, ""), name=victim.name or "Sir or Madam",
                                     crime_ref=f"CR{crime.id}", event_date=clock.local(at).strftime("%d %B %Y"))
        bureau.create_task(session, "victim_update", actor=principal.actor, crime_id=crime.id, victim_id=victim.id,
                           clock_id=row.id, due_at=rule.due_at, dedupe_key=f"victim_update:clock:{row.id}",
                           detail={"letter": letter, "method": victim.contact_method or "letter", "event": event},
                           policy=policy)
        clocks.append(row)
    if not clocks:
        raise VictimsError(f"crime {crime_id} has no victim to inform", "crime_id", 409)
    audit.record(session, principal.actor, "victim.right6_started", "crime", crime.id, after={
        "event": event, "event_at": clock.iso(at), "clocks": [c.id for c in clocks],
        "due": [clock.iso(c.due_at) for c in clocks]})
    return clocks


def record_update(session: Session, victim_id: int, principal: Principal, *, at: datetime | None = None,
                  method: str = "phone", note: str | None = None, from_task: bool = False,
                  policy: Policy | None = None) -> VictimUpdate:
    """The victim was updated: meets every clock open at the time and restarts the contact plan."""
    doc = code(policy)
    if method not in doc.contact_methods:
        raise VictimsError(f"method must be one of {', '.join(doc.contact_methods)}", "method")
    victim = get_victim(session, victim_id, for_update=True)
    crime = _crime(session, victim.crime_id)
    if not from_task:  # a bureau letter task is the bureau's work on any crime
        check_care(session, crime, principal)
    now = clock.now()
    when = _when(at, now, "at", crime.reported_at)
    met = []
    for c in _open_clocks(session, victim.id):
        if c.event_at <= when:
            c.met_at = when
            c.status = "met" if when <= c.due_at else "met_late"
            met.append(c.id)
    row = VictimUpdate(victim_id=victim.id, at=when, method=method, by=principal.actor,
                       note=(note or "").strip()[:2000] or None, clocks_met=met)
    session.add(row)
    victim.last_update_at = max(when, victim.last_update_at) if victim.last_update_at else when
    if victim.active:
        victim.next_update_due_at = victim.last_update_at + timedelta(
            days=victim.contact_every_days or doc.default_contact_every_days)
    _tick_right(victim, 6, principal.actor, "updated", when)
    alerts.resolve(session, crime.id, ("right6", "contact_update"), now, subjects=[*met, victim.id])
    if not from_task:
        # The update was given directly: the bureau's letter for these clocks is no longer needed.
        bureau.cancel_victim_tasks(session, victim.id, principal.actor, now, kinds=("victim_contact_update",),
                                   clock_ids=met)
    session.flush()
    audit.record(session, principal.actor, "victim.updated", "victim", victim.id,
                 after={"at": clock.iso(when), "method": method, "clocks_met": met})
    return row


def offer_vps(session: Session, victim_id: int, principal: Principal, *, accepted: bool,
              at: datetime | None = None) -> Victim:
    """The Victim Personal Statement was offered (Right 7), and whether the victim made one."""
    victim = get_victim(session, victim_id, for_update=True)
    crime = _crime(session, victim.crime_id)
    check_care(session, crime, principal)
    now = clock.now()
    when = _when(at, now, "at", crime.reported_at)
    victim.vps_offered_at, victim.vps_accepted = when, bool(accepted)
    _tick_right(victim, 7, principal.actor, "VPS offered" + (" and made" if accepted else ", declined"), when)
    audit.record(session, principal.actor, "victim.vps_offered", "victim", victim.id,
                 after={"at": clock.iso(when), "accepted": bool(accepted)})
    return victim


def refer(session: Session, victim_id: int, principal: Principal, *, service: str, consent: bool,
          note: str | None = None, policy: Policy | None = None) -> VictimReferral:
    """Refer the victim to a support service (Right 4); it needs the victim's consent."""
    doc = code(policy)
    if service not in {s.id for s in doc.support_services}:
        raise VictimsError(f"unknown support service {service!r}", "service")
    if not consent:
        raise VictimsError("a referral needs the victim's consent (record a safeguarding referral instead)", "consent")
    victim = get_victim(session, victim_id, for_update=True)
    check_care(session, victim.crime_id, principal)
    now = clock.now()
    row = VictimReferral(victim_id=victim.id, service=service, consent=True, referred_at=now, by=principal.actor,
                         note=(note or "").strip()[:2000] or None)
    session.add(row)
    _tick_right(victim, 4, principal.actor, f"referred to {service}", now)
    session.flush()
    audit.record(session, principal.actor, "victim.referred", "victim", victim.id,
                 after={"referral_id": row.id, "service": service})
    return row


def crime_closed(session: Session, crime: Crime, outcome_name: str, *, letters: bool, actor: str,
                 policy: Policy | None = None, event: str | None = None) -> None:
    """The crime closed: each victim is told the outcome (Right 9) and the contact plan stops.

    When the outcome is a Right 6 event (a charge, an out-of-court disposal, a decision not to
    proceed), a Right 6 clock starts for each victim at the closure and the outcome letter is due by it.
    """
    doc = code(policy)
    now = clock.now()
    for victim in victims_of(session, crime.id):
        if not victim.active:
            continue
        victim.active, victim.next_update_due_at = False, None
        row = None
        if event is not None and event in doc.right6.events:
            rule = model.right6_clock(event, now, victim.enhanced, doc.right6)
            row = Right6Clock(victim_id=victim.id, crime_id=crime.id, event=event, event_at=now,
                              enhanced=victim.enhanced, working_days=rule.working_days, due_at=rule.due_at,
                              warn_at=rule.warn_at, status="open", recorded_by=actor)
            session.add(row)
            session.flush()
        if letters or row is not None:
            template = doc.templates.get(event or "", "") if row is not None else ""
            letter = model.render_letter(template or doc.templates.get("outcome", ""),
                                         name=victim.name or "Sir or Madam", crime_ref=f"CR{crime.id}",
                                         outcome=outcome_name, event_date=clock.local(now).strftime("%d %B %Y"))
            bureau.create_task(session, "victim_outcome_letter", actor=actor, crime_id=crime.id, victim_id=victim.id,
                               clock_id=row.id if row is not None else None,
                               due_at=row.due_at if row is not None else None,
                               dedupe_key=f"victim_outcome_letter:{victim.id}",
                               detail={"letter": letter, "method": victim.contact_method or "letter",
                                       "event": event}, policy=policy)
        if row is not None:
            audit.record(session, actor, "victim.right6_started", "crime", crime.id, after={
                "event": event, "event_at": clock.iso(now), "clocks": [row.id], "due": [clock.iso(row.due_at)]})
    alerts.resolve(session, crime.id, ("contact_update",), now)


@bureau.on_done("victim_update", "victim_contact_update", "victim_outcome_letter")
def _letter_done(session: Session, task: BureauTask, principal: Principal, now: datetime) -> None:
    """The bureau sent the victim's letter: that is an update, which meets the victim's open clocks."""
    if task.victim_id:
        method = str((task.detail or {}).get("method") or "letter")
        record_update(session, task.victim_id, principal, at=now, method=method,
                      note=f"bureau task {task.id}: {task.title}", from_task=True)
