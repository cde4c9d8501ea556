"""Contact and chat measures: answer times, risk checks, grading and routing (see docs/measures.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, exists, false, or_
from sqlalchemy.orm import Session

from bluelamp.chat.store import Chat
from bluelamp.contact.store import Contact, ContactPerson, Person
from bluelamp.performance.figures import Def, Scope, seconds
from bluelamp.policy import load_policy


def contact_scope(scope: Scope) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [Contact.received_at >= scope.start, Contact.received_at < scope.end]
    if scope.agency:  # empty: every agency (the daily roll-up groups by agency instead)
        conds.append(Contact.agency == scope.agency)
    if scope.area:
        conds.append(Contact.area == scope.area)
    if scope.channel:
        conds.append(Contact.channel == scope.channel)
    return conds


def vulnerability_flags() -> list[str]:
    return sorted(load_policy().flags.vulnerability_markers() - {"repeat_victim"})


def contacts(session: Session, scope: Scope) -> tuple[list[ColumnElement[bool]], list[Def]]:
    """One family: every contact received in the period (and area, channel)."""
    answered = Contact.answered_at.is_not(None)
    wait = seconds(session, Contact.answered_at, Contact.received_at)
    c999, c101 = Contact.channel == "999", Contact.channel == "101"
    every = Contact.id.is_not(None)
    # Correlated EXISTS: an index probe per contact (ix on contact_person.contact_id), cheap for a day
    # or two; a long period is counted from the daily roll-up, never row by row (rollup.py).
    people = exists().where(ContactPerson.contact_id == Contact.id)
    addressed = exists().where(ContactPerson.contact_id == Contact.id, Person.id == ContactPerson.person_id,
                               Person.address_key.is_not(None))
    flags_text = cast(Contact.flags, String)
    vulnerable = or_(*[flags_text.like(f'%"{flag}"%') for flag in vulnerability_flags()])
    decided = Contact.status == "decided"
    downgrade_request = or_(Contact.decision["downgrade"].as_boolean(),
                            Contact.decision["refused_by"].as_string().is_not(None))
    judged = or_(Contact.decision["approved_by"].as_string().is_not(None),
                 Contact.decision["refused_by"].as_string().is_not(None))
    when = Contact.received_at
    defs = [
        Def("call_999_within_10s", Contact, and_(c999, answered), wait <= 10, order=when),
        Def("call_999_mean_answer_s", Contact, and_(c999, answered), value=wait, kind="mean", order=when),
        Def("call_101_mean_wait_s", Contact, and_(c101, answered), value=wait, kind="mean", order=when),
        Def("thrive_recorded", Contact, every, Contact.proposal["thrive"]["risk"].as_string().is_not(None),
            order=when),
        Def("repeat_victim_checked", Contact, every, people, order=when),
        Def("household_checked", Contact, every, addressed, order=when),
        Def("vulnerability_identified", Contact, every, vulnerable, order=when),
        *[Def(f"grade_{g}", Contact, decided, Contact.grade == g, order=when) for g in (1, 2, 3, 4)],
        Def("downgraded", Contact, Contact.status.in_(("decided", "awaiting_approval")), downgrade_request,
            order=when),
        Def("downgrade_approved", Contact, and_(Contact.status.in_(("decided", "awaiting_approval")),
                                                downgrade_request), judged, order=when),
        Def("routed_to_partner", Contact, every, Contact.route.like("refer:%"), order=when),
    ]
    return contact_scope(scope), defs


def chats(session: Session, scope: Scope) -> tuple[list[ColumnElement[bool]], list[Def]]:
    """Chats started in the period. Chats carry no area: with an area filter there is no data."""
    base: list[ColumnElement[bool]] = [Chat.started_at >= scope.start, Chat.started_at < scope.end]
    if scope.area or (scope.channel and scope.channel != "chat") or scope.agency != "police":
        base.append(false())
    answered = and_(Chat.answered_at.is_not(None), Chat.queued_at.is_not(None))
    closed = Chat.status == "closed"
    abandoned = and_(Chat.answered_at.is_(None), Chat.queued_at.is_not(None))
    wait = seconds(session, Chat.answered_at, Chat.queued_at)
    return base, [
        Def("chat_mean_wait_s", Chat, answered, value=wait, kind="mean", order=Chat.started_at),
        Def("chat_abandoned", Chat, closed, abandoned, order=Chat.started_at),
    ]


def contact_row(c: Contact) -> dict[str, Any]:
    """A contact as a line of a record list: what it was and its times, no personal details."""
    wait = (c.answered_at - c.received_at).total_seconds() if c.answered_at else None
    return {"id": c.id, "kind": "contact", "link": f"/contacts/{c.id}", "channel": c.channel,
            "received_at": c.received_at, "answer_s": None if wait is None else round(wait, 1),
            "grade": c.grade, "route": c.route, "area": c.area, "status": c.status,
            "flags": list(c.flags or [])}


def chat_row(c: Chat) -> dict[str, Any]:
    wait = (c.answered_at - c.queued_at).total_seconds() if c.answered_at and c.queued_at else None
    return {"id": c.id, "kind": "chat", "link": None, "channel": "chat", "received_at": c.started_at,
            "answer_s": None if wait is None else round(wait, 1), "grade": c.risk_grade,
            "route": c.suggested_route, "area": None, "status": c.status, "flags": list(c.flags or []),
            "reference": c.reference, "outcome": c.outcome}
