"""The victim's own page (/my-case): what a signed-in victim sees, and what they can do there.

Only the victim's own record is read: the crime's offence, status and team, their Right 6 updates and
clocks, rights and referrals. Never another party of the crime (suspects, other victims, witnesses),
never a staff note (an update's note may name people), never an officer's own details. A crime that is
sensitive (its offence is listed in policy, or it is domestic abuse and no suspect is known to live
elsewhere, or victim care marked it) is shown online only once victim care enables it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.alerts import service as alerts
from bluelamp.audit import service as audit
from bluelamp.crime.store import Crime, CrimeParty
from bluelamp.identity.model import Principal
from bluelamp.policy import Policy, load_policy
from bluelamp.victims import model
from bluelamp.victims.model import VictimsError
from bluelamp.victims.portal_codes import reference_of, rules
from bluelamp.victims.portal_store import CrimeOnline, PortalUpdateRead
from bluelamp.victims.store import Right6Clock, Victim, VictimReferral, VictimUpdate

# Information a victim adds is recorded as a contact by this system principal (user id 0 scopes nothing).
PUBLIC_PORTAL = Principal(user_id=0, username="public-portal", roles=frozenset({"call_handler"}))
CALL_REQUEST = "victim_call_request"
INFORMATION = "victim_information"


def _same_address(a: Any, b: Any) -> bool:
    return bool(a and b) and " ".join(str(a).lower().split()) == " ".join(str(b).lower().split())


def sensitive_reasons(session: Session, crime: Crime, policy: Policy | None = None) -> list[str]:
    """Why a crime is not shown online by default (empty: it is shown)."""
    policy = policy or load_policy()
    why: list[str] = []
    if crime.offence in rules(policy).sensitive_offences:
        why.append("the offence is one the force never shows online by default")
    if crime.domestic:
        parties = list(session.execute(select(CrimeParty).where(CrimeParty.crime_id == crime.id)).scalars())
        victims = [p for p in parties if p.role == "victim"]
        suspects = [p for p in parties if p.role == "suspect"]
        # Fail safe: unless every suspect is known to live somewhere other than every victim, assume the
        # suspect may share the victim's address (and may read the victim's letters).
        elsewhere = bool(suspects) and all(
            (s.details or {}).get("address") and not any(
                _same_address((s.details or {}).get("address"), (v.details or {}).get("address")) for v in victims)
            for s in suspects)
        if not elsewhere:
            why.append("domestic abuse: the suspect may share the victim's address")
    setting = session.get(CrimeOnline, crime.id)
    if setting is not None and setting.sensitive:
        why.append("marked sensitive by victim care")
    return why


def shown_online(session: Session, crime_id: int) -> bool:
    crime = session.get(Crime, crime_id)
    if crime is None:
        return False
    setting = session.get(CrimeOnline, crime_id)
    return not sensitive_reasons(session, crime) or (setting is not None and setting.enabled)


def online_state(session: Session, crime: Crime) -> dict[str, Any]:
    setting = session.get(CrimeOnline, crime.id)
    why = sensitive_reasons(session, crime)
    return {"shown": not why or bool(setting and setting.enabled), "sensitive_reasons": why,
            "enabled": bool(setting and setting.enabled), "marked_sensitive": bool(setting and setting.sensitive),
            "reason": setting.reason if setting else None}


def set_online(session: Session, crime: Crime, actor: str, *, enabled: bool, sensitive: bool,
               reason: str) -> dict[str, Any]:
    """Victim care marks a crime sensitive or enables it online despite the facts (with a reason; audited)."""
    text = (reason or "").strip()
    if len(text) < 10:
        raise VictimsError("say why (at least 10 characters)", "reason")
    setting = session.get(CrimeOnline, crime.id)
    before = online_state(session, crime)
    if setting is None:
        setting = CrimeOnline(crime_id=crime.id, sensitive=False, enabled=False, by=actor, at=clock.now())
        session.add(setting)
    setting.enabled, setting.sensitive, setting.reason = bool(enabled), bool(sensitive), text[:2000]
    setting.by, setting.at = actor, clock.now()
    session.flush()
    after = online_state(session, crime)
    audit.record(session, actor, "crime.online_set", "crime", crime.id,
                 before={"shown": before["shown"], "enabled": before["enabled"],
                         "marked_sensitive": before["marked_sensitive"]},
                 after={"shown": after["shown"], "enabled": after["enabled"],
                        "marked_sensitive": after["marked_sensitive"], "reason": text[:500]})
    return after


# --- what the victim sees ------------------------------------------------------------------------


def status_words(crime: Crime, policy: Policy) -> str:
    """The investigation's status in plain words."""
    if crime.status == "closed":
        found = policy.doc("outcomes").get(crime.outcome) if crime.outcome else None
        name = found.name.lower() if found else "closed"
        return f"The investigation has finished. The outcome: {name}."
    if crime.status == "pending_closure":
        return "The investigation is being checked by a supervisor before it is closed."
    if crime.recorded_at is None:
        return "Your report is being recorded as a crime."
    return "Your crime is being investigated."


def _events_by_clock(session: Session, victim_id: int) -> dict[int, Right6Clock]:
    return {c.id: c for c in session.execute(select(Right6Clock).where(Right6Clock.victim_id == victim_id)).scalars()}


def case_view(session: Session, victim: Victim, policy: Policy | None = None) -> dict[str, Any]:
    """Everything the victim's page shows, and nothing else."""
    policy = policy or load_policy()
    doc = policy.doc("victims_code")
    crime = session.get(Crime, victim.crime_id)
    assert crime is not None
    found = policy.doc("offences").find(crime.offence)
    clocks = _events_by_clock(session, victim.id)
    updates = list(session.execute(select(VictimUpdate).where(VictimUpdate.victim_id == victim.id)
                                   .order_by(VictimUpdate.at.desc())).scalars())
    open_due = sorted(c.due_at for c in clocks.values() if c.status in ("open", "missed"))
    next_due = [d for d in (open_due[0] if open_due else None, victim.next_update_due_at) if d is not None]
    team = rules(policy).team_contacts.get(crime.team or "") or rules(policy).default_contact
    given = victim.rights or {}
    return {
        "reference": reference_of(crime.id), "offence": found[1].name if found else crime.offence,
        "reported_at": crime.reported_at, "status": status_words(crime, policy), "closed": crime.status == "closed",
        "team": team.model_dump(),
        "updates": [{"id": u.id, "at": u.at, "method": u.method,
                     "about": [doc.right6.events.get(clocks[c].event, clocks[c].event) for c in u.clocks_met
                               if c in clocks]} for u in updates],
        "next_update_due": min(next_due) if next_due and victim.active else None,
        "enhanced": victim.enhanced,
        "enhanced_categories": [doc.enhanced_categories.get(c, c) for c in victim.enhanced_reasons or []],
        "update_days": doc.right6.enhanced_working_days if victim.enhanced else doc.right6.standard_working_days,
        "rights": [{"number": r.number, "title": r.title,
                    "status": (given.get(str(r.number)) or {}).get("status", "outstanding")} for r in doc.rights],
        "referrals": [{"service": next((s.name for s in doc.support_services if s.id == ref.service), ref.service),
                       "at": ref.referred_at} for ref in session.execute(
                           select(VictimReferral).where(VictimReferral.victim_id == victim.id)
                           .order_by(VictimReferral.referred_at)).scalars()],
        "contact_method": victim.contact_method, "contact_methods": list(doc.contact_methods),
    }


def mark_read(session: Session, victim_id: int, update_ids: list[int], now: datetime) -> int:
    """The updates shown to the victim, first time only (the measure of updates read online)."""
    if not update_ids:
        return 0
    seen = set(session.execute(select(PortalUpdateRead.update_id).where(
        PortalUpdateRead.update_id.in_(update_ids))).scalars())
    new = [u for u in update_ids if u not in seen]
    for u in new:
        session.add(PortalUpdateRead(update_id=u, victim_id=victim_id, first_read_at=now))
    return len(new)


# --- what the victim can do ----------------------------------------------------------------------


def _actor(victim: Victim) -> str:
    return f"victim:{victim.id}"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: str, field: str, limit: int) -> str:
    """Typed text from the public: no control characters (PostgreSQL cannot store a NUL), at most `limit`."""
    text = (value or "").strip()
    if _CONTROL.search(text):
        raise VictimsError("remove the unusual characters and try again", field)
    if len(text) > limit:
        raise VictimsError(f"at most {limit} characters", field)
    return text


def ask_for_call(session: Session, victim: Victim, *, when: str, policy: Policy | None = None) -> datetime:
    """The victim asks the OIC's team for a call: an alert on the crime, due within policy's working days."""
    when = _text(when, "when", 200)
    policy = policy or load_policy()
    doc = policy.doc("victims_code")
    now = clock.now()
    cal = model.calendar_for(doc.right6.holiday_country, doc.right6.holiday_subdiv)
    due = cal.add_working_days(now, rules(policy).call_request_working_days, "end_of_day")
    alerts.raise_crime_alert(session, CALL_REQUEST, victim.id, victim.crime_id, due, "investigator", now)
    audit.record(session, _actor(victim), "portal.call_requested", "victim", victim.id,
                 after={"due_at": clock.iso(due), "when": when or None})
    return due


def set_contact_method(session: Session, victim: Victim, method: str, policy: Policy | None = None) -> None:
    doc = (policy or load_policy()).doc("victims_code")
    if method not in doc.contact_methods:
        raise VictimsError(f"choose one of: {', '.join(doc.contact_methods)}", "contact_method")
    before = victim.contact_method
    victim.contact_method = method
    audit.record(session, _actor(victim), "victim.contact_method_changed", "victim", victim.id,
                 before={"method": before}, after={"method": method, "by": "the victim, online"})


MAX_INFORMATION = 5000
MAX_MESSAGES_A_DAY = 10  # information added online: each becomes a contact, so a flood is capped


def _sent_today(session: Session, victim: Victim, now: datetime) -> int:
    from sqlalchemy import func

    from bluelamp.audit.store import AuditEntry, AuditPending

    # Chained entries and any committed but not chained yet (the sealer runs just after each commit).
    return sum(int(session.execute(select(func.count()).select_from(t).where(
        t.action == "portal.information_added", t.entity == "victim",
        t.entity_id == str(victim.id), t.at >= now - timedelta(days=1))).scalar_one())
        for t in (AuditEntry, AuditPending))


def add_information(session: Session, victim: Victim, text: str) -> int:
    """What the victim adds lands as a contact (triaged as any online contact is, so an emergency in it is
    not missed) and an alert on the crime for the OIC's team."""
    from bluelamp.contact import service as contacts
    from bluelamp.contact.model import ContactIn

    body = _text(text, "information", MAX_INFORMATION)
    if not body:
        raise VictimsError("write what you want to tell us", "information")
    if _sent_today(session, victim, clock.now()) >= MAX_MESSAGES_A_DAY:
        raise VictimsError(f"you have sent {MAX_MESSAGES_A_DAY} messages today; call 101 if it cannot wait",
                           "information", 429)
    narrative = f"Information added online by a victim of crime {reference_of(victim.crime_id)}: {body}"
    result = contacts.record_contact(session, ContactIn.model_validate({"channel": "online", "narrative": narrative}),
                                     PUBLIC_PORTAL)
    now = clock.now()
    alerts.raise_crime_alert(session, INFORMATION, result["id"], victim.crime_id, now, "investigator", now)
    audit.record(session, _actor(victim), "portal.information_added", "victim", victim.id,
                 after={"contact_id": result["id"], "chars": len(body)})
    return int(result["id"])
