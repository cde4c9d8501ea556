"""The 101 call-back queue: items from abandoned calls and call-back offers, matched against history,
taken by handlers one at a time, each attempt and outcome recorded and audited.

An abandoned call on an alert line (999) is never a queue item: it raises an alert at once, through
the alerts context, for a call-back now. The number is personal data: it goes to the queue and the
page, never to a log or an audit entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.alerts import service as alerts
from bluelamp.audit import service as audit
from bluelamp.contact.store import Contact, ContactPerson, Person
from bluelamp.crime.store import Crime, CrimeParty
from bluelamp.identity.model import Principal
from bluelamp.policy import load_policy
from bluelamp.response.store import Incident
from bluelamp.telephony import model as m
from bluelamp.telephony.store import Call, Callback

ALERT_KIND = "call_999_abandoned"
ALERT_ROLE = "call_handler"
TAKEN_TIMEOUT = timedelta(minutes=15)  # a taken item with no outcome this long comes back to the queue
SUPERVISORS = ("supervisor",)


def follow_up(session: Session, call: Call, state: m.CallState, doc: Any, version: str, now: datetime,
              actor: str, item: Callback | None = None) -> Iterator[str]:
    """What the call's new state asks for: an alert, a call-back item, or closing an untried item.

    `item` is the call's call-back item if it has one (the caller looks them up for the whole batch).
    """
    unanswered = state.outcome in ("abandoned", "callback")
    if state.line in doc.alert_lines and unanswered:
        due = state.abandoned_at or state.callback_requested_at or state.ended_at or now
        alert = alerts.raise_call_alert(session, ALERT_KIND, call.id, due, ALERT_ROLE, now)
        if alert is not None:
            audit.record(session, actor, "telephony.alert_raised", "call", call.call_id,
                         after={"alert_id": alert.id, "kind": ALERT_KIND, "line": state.line})
            yield "alerts_raised"
        return
    if state.line not in doc.callback_lines:
        return
    if unanswered and item is None and call.number_key:
        yield from _create(session, call, state, doc, version, now, actor)
    elif state.outcome == "answered" and item is not None and item.status != "closed" and not item.attempts:
        item.status, item.outcome, item.closed_at, item.closed_by = "closed", "not_needed", now, actor
        item.note = "the call was answered (its events arrived out of order)"
        audit.record(session, actor, "callback.closed", "callback", item.id,
                     after={"outcome": "not_needed", "reason": "call answered"})
        yield "callbacks_closed"


def _create(session: Session, call: Call, state: m.CallState, doc: Any, version: str, now: datetime,
            actor: str) -> Iterator[str]:
    assert call.number_key is not None and call.number is not None
    kind = "callback_requested" if state.outcome == "callback" else "abandoned"
    start = state.callback_requested_at or state.abandoned_at or state.ended_at or now
    found = findings(session, call.number_key, start, doc, call.call_id)
    if kind == "callback_requested":
        found.add("callback_requested")
    tiers = [m.Tier(t.priority, t.deadline_minutes, tuple(t.when)) for t in doc.tiers]
    decided = m.triage_callback(found, tiers, start, {"recent_999_hours": doc.recent_999_hours})
    item = Callback(call_id=call.call_id, line=state.line, kind=kind, number=call.number, number_key=call.number_key,
                    started_at=start, created_at=now, priority=decided.priority, deadline=decided.deadline,
                    next_try_at=now, reasons=list(decided.reasons), findings=sorted(found), policy_version=version,
                    status="open", attempts=[])
    session.add(item)
    session.flush()
    audit.record(session, actor, "callback.created", "callback", item.id, after={
        "call_id": call.call_id, "kind": kind, "priority": item.priority, "deadline": clock.iso(item.deadline),
        "findings": sorted(found), "policy_version": version})
    yield "callbacks_created"


def findings(session: Session, key: str, at: datetime, doc: Any, call_id: str | None = None) -> set[str]:
    """What the force's records hold about this number (matched on the digits, UK national form)."""
    since = at - timedelta(days=doc.history_days)
    people = select(Person.id).where(Person.phone_key == key)
    by_phone = or_(ContactPerson.phone_key == key, ContactPerson.person_id.in_(people))
    found: set[str] = set()
    policy = load_policy()
    vulnerable = sorted((policy.flags.vulnerability_markers() | {"child", "older_person"}) - {"repeat_victim"})
    markers = cast(Person.markers, String)
    if session.execute(select(exists().where(Person.phone_key == key,
                                             or_(*[markers.like(f'%"{v}"%') for v in vulnerable])))).scalar():
        found.add("vulnerability")
    if session.execute(select(exists().where(by_phone, ContactPerson.role == "victim",
                                             ContactPerson.received_at >= since,
                                             ContactPerson.received_at < at))).scalar():
        found.add("repeat_victim")
    open_crime = exists().where(CrimeParty.crime_id == Crime.id, CrimeParty.role == "victim",
                                CrimeParty.person_id.in_(people), Crime.status != "closed")
    if session.execute(select(open_crime)).scalar():
        found.add("open_crime")
    open_incident = exists().where(Incident.contact_id == ContactPerson.contact_id, by_phone,
                                   Incident.status != "closed")
    if session.execute(select(open_incident)).scalar():
        found.add("open_incident")
    recent = at - timedelta(hours=doc.recent_999_hours)
    call_999 = exists().where(Call.number_key == key, Call.line.in_(("999", "sms")), Call.offered_at >= recent,
                              Call.offered_at <= at, Call.call_id != (call_id or ""))
    contact_999 = exists().where(Contact.id == ContactPerson.contact_id, by_phone, Contact.channel == "999",
                                 Contact.received_at >= recent, Contact.received_at <= at)
    if session.execute(select(or_(call_999, contact_999))).scalar():
        found.add("recent_999")
    return found


# --- the queue ------------------------------------------------------------------------------------


def _waiting(now: datetime) -> Any:
    """Open items, and taken ones left without an outcome too long (fail safe: nobody is forgotten)."""
    return or_(Callback.status == "open",
               and_(Callback.status == "taken", Callback.taken_at < now - TAKEN_TIMEOUT))


def _urgency(now: datetime) -> list[Any]:
    # Due now before those waiting for a retry; then the earliest deadline, then priority.
    return [case((Callback.next_try_at <= now, 0), else_=1), Callback.deadline, Callback.priority, Callback.id]


def queue(session: Session, status: str = "open", now: datetime | None = None, limit: int = 500) -> list[Callback]:
    now = now or clock.now()
    if status == "open":
        cond = _waiting(now)
        order = _urgency(now)
    elif status in ("taken", "closed"):
        cond = Callback.status == status
        order = [Callback.closed_at.desc(), Callback.id.desc()] if status == "closed" else [Callback.deadline]
    else:
        raise m.TelephonyError("status must be open, taken or closed", "status")
    return list(session.execute(select(Callback).where(cond).order_by(*order).limit(limit)).scalars())


def take_next(session: Session, principal: Principal, now: datetime | None = None) -> Callback | None:
    """Give the handler the most urgent item that is due now (locked, so two handlers never get the same)."""
    now = now or clock.now()
    q = select(Callback).where(_waiting(now), Callback.next_try_at <= now).order_by(*_urgency(now)).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    item = session.execute(q).scalar_one_or_none()
    if item is None:
        return None
    before = {"status": item.status, "taken_by": item.taken_by}
    item.status, item.taken_by, item.taken_at = "taken", principal.actor, now
    audit.record(session, principal.actor, "callback.taken", "callback", item.id, before=before,
                 after={"status": "taken", "taken_by": principal.actor})
    return item


def record_outcome(session: Session, item_id: int, outcome: str, principal: Principal,
                   contact_id: int | None = None, note: str | None = None, now: datetime | None = None) -> Callback:
    """One attempt's outcome: reached (with the contact recorded), no answer (retry up to the limit), not needed."""
    now = now or clock.now()
    doc = load_policy().doc("telephony")
    if outcome not in m.OUTCOMES:
        raise m.TelephonyError(f"outcome must be one of {', '.join(m.OUTCOMES)}", "outcome")
    item = session.get(Callback, item_id)
    if item is None:
        raise m.TelephonyError("no such call-back item", "id", 404)
    if item.status == "closed":
        raise m.TelephonyError(f"the item is already closed ({item.outcome})", "id", 409)
    if item.status == "taken" and item.taken_by != principal.actor and not principal.has_any(*SUPERVISORS):
        raise m.TelephonyError(f"the item is being called back by {item.taken_by}", "id", 409)
    if outcome == "reached":
        if contact_id is None:
            raise m.TelephonyError("a reached caller needs the contact recorded for the call", "contact_id")
        if session.get(Contact, contact_id) is None:
            raise m.TelephonyError("no such contact", "contact_id")
    elif contact_id is not None and session.get(Contact, contact_id) is None:
        raise m.TelephonyError("no such contact", "contact_id")
    before = {"status": item.status, "attempts": len(item.attempts or [])}
    attempts = [*(item.attempts or []), {"at": clock.iso(now), "by": principal.actor, "outcome": outcome}]
    item.attempts = attempts
    item.first_attempt_at = item.first_attempt_at or now
    item.note = (note or "").strip()[:500] or item.note
    item.contact_id = contact_id or item.contact_id
    if outcome == "no_answer" and len(attempts) < doc.max_attempts:
        item.status, item.taken_by, item.taken_at = "open", None, None
        item.next_try_at = now + timedelta(minutes=doc.retry_minutes)
    else:
        final = "not_reached" if outcome == "no_answer" else outcome
        item.status, item.outcome, item.closed_at, item.closed_by = "closed", final, now, principal.actor
    audit.record(session, principal.actor, "callback.attempted", "callback", item.id, before=before, after={
        "outcome": outcome, "attempts": len(attempts), "status": item.status, "final": item.outcome,
        "contact_id": item.contact_id})
    return item


def item_json(c: Callback, now: datetime | None = None) -> dict[str, Any]:
    now = now or clock.now()
    return {"id": c.id, "call_id": c.call_id, "line": c.line, "kind": c.kind, "number": c.number,
            "priority": c.priority, "deadline": clock.iso(c.deadline), "reasons": list(c.reasons or []),
            "findings": list(c.findings or []), "status": c.status, "started_at": clock.iso(c.started_at),
            "created_at": clock.iso(c.created_at), "next_try_at": clock.iso(c.next_try_at),
            "overdue": c.status != "closed" and c.deadline < now, "taken_by": c.taken_by,
            "attempts": list(c.attempts or []), "outcome": c.outcome, "contact_id": c.contact_id,
            "policy_version": c.policy_version}


# --- abandoned 999 calls: alerts ------------------------------------------------------------------


def open_alerts(session: Session) -> list[dict[str, Any]]:
    rows = alerts.open_call_alerts(session, (ALERT_KIND,))
    calls = {c.id: c for c in session.execute(select(Call).where(Call.id.in_([a.subject_id for a in rows]))).scalars()}
    out = []
    for a in rows:
        call = calls.get(a.subject_id)
        out.append({"id": a.id, "kind": a.kind, "level": a.level, "raised_at": clock.iso(a.raised_at),
                    "abandoned_at": clock.iso(a.due_at), "call_id": call.call_id if call else None,
                    "line": call.line if call else None, "number": call.number if call else None,
                    "wait_s": call.wait_s if call else None,
                    "detail": "abandoned emergency call: call back now" if call and call.number
                    else "abandoned emergency call with no number presented: follow the force's procedure"})
    return out


def resolve_alert(session: Session, alert_id: int, outcome: str, principal: Principal,
                  note: str | None = None) -> None:
    if outcome not in m.OUTCOMES:
        raise m.TelephonyError(f"outcome must be one of {', '.join(m.OUTCOMES)}", "outcome")
    alert = alerts.resolve_call_alert(session, alert_id, (ALERT_KIND,), clock.now())
    if alert is None:
        raise m.TelephonyError("no such open alert", "id", 404)
    audit.record(session, principal.actor, "telephony.alert_resolved", "alert", alert_id,
                 after={"outcome": outcome, "note": (note or "").strip()[:500] or None})


# --- measures -------------------------------------------------------------------------------------


def measures(session: Session, start: datetime, end: datetime, now: datetime | None = None) -> dict[str, Any]:
    """Call-back items that started in [start, end): called back within deadline, attempts, outcomes.

    `within_deadline` counts items whose first attempt was at or before the deadline, as a share of the
    items that have fallen due (deadline passed, or attempted): a deadline not yet reached is not a figure.
    """
    now = now or clock.now()
    base = [Callback.started_at >= start, Callback.started_at < end]
    due = or_(Callback.deadline <= now, Callback.first_attempt_at.is_not(None))
    within = and_(Callback.first_attempt_at.is_not(None), Callback.first_attempt_at <= Callback.deadline)
    row = session.execute(select(
        func.count(), func.count().filter(due), func.count().filter(within),
        func.count().filter(Callback.status != "closed"),
    ).where(*base)).one()
    items, fell_due, in_time, still_open = (int(v or 0) for v in row)
    outcomes = {k: 0 for k in ("reached", "not_reached", "not_needed")}
    for outcome, n in session.execute(select(Callback.outcome, func.count()).where(
            *base, Callback.outcome.is_not(None)).group_by(Callback.outcome)):
        outcomes[str(outcome)] = int(n)
    attempts = [len(a or []) for (a,) in session.execute(select(Callback.attempts).where(*base))]
    tried = [a for a in attempts if a]
    return {"items": items, "open": still_open, "due": fell_due, "within_deadline": in_time,
            "share_within_deadline": round(in_time / fell_due, 4) if fell_due else None,
            "attempts": sum(attempts), "mean_attempts": round(sum(tried) / len(tried), 2) if tried else None,
            "outcomes": outcomes}
