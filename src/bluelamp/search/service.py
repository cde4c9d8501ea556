"""Search across people, contacts, incidents, crimes, chats and references, with each role's access rules.

A read model, like performance: it reads the other contexts' tables (never writes them) so one box can
find a BL contact reference, a WC chat, a CR crime, an incident number, a phone, a date of birth or a
name. What a role may find is the need-to-know policy (identity/access.py) record by record; a search of
people is a search in the security sense and needs a stated reason, kept in the access log with every
personal record the answer shows (the route logs them before answering, see `log_reads`).

The same matching rules as recording (contact/matching.py: name with date of birth, or name with
phone, links; a phone alone never links) give the call-taking screen its suggestions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.contact.matching import age_on, phone_key, text_key
from bluelamp.contact.store import Contact, ContactPerson, Person
from bluelamp.identity import access
from bluelamp.identity.model import Principal
from bluelamp.web.errors import AppError

MAX_QUERY = 200
PER_KIND = 10
SNIPPET = 140
REFERENCE = re.compile(r"^\s*(BL|WC|CR|INC)?[\s#-]*0*(\d{1,9})\s*$", re.IGNORECASE)
DOB_UK = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
DOB_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")

# Who may find what, besides the per-record need-to-know views (identity/access.py).
INCIDENT_READERS = ("dispatcher", "supervisor", "call_handler")
CRIME_READERS = ("investigator", "supervisor", "cab_officer", "victim_care", "auditor")
SEARCHERS = ("call_handler", "chat_operator", "dispatcher", "supervisor", "investigator", "cab_officer",
             "victim_care", "auditor")


class SearchError(AppError):
    """A search that cannot be run; `field` names what is wrong."""


@dataclass
class Found:
    """A search's answer: the hits, what was not searched and why, and the personal records shown."""

    q: str
    results: list[dict[str, Any]] = field(default_factory=list)
    withheld: list[dict[str, str]] = field(default_factory=list)
    reads: list[tuple[str, str]] = field(default_factory=list)  # (kind, record id) for the access log

    def to_dict(self) -> dict[str, Any]:
        return {"q": self.q, "results": self.results, "withheld": self.withheld,
                "people_need_reason": any(w["kind"] == "person" and w.get("field") == "reason"
                                          for w in self.withheld)}


def parse_dob(text: str) -> date | None:
    """dd/mm/yyyy (as said on the phone) or yyyy-mm-dd; None when it is not a date of either form."""
    m = DOB_UK.match(text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = DOB_ISO.match(text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


def _like(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _has(principal: Principal, roles: tuple[str, ...]) -> bool:
    return principal.has_any(*roles)


def search(session: Session, principal: Principal, q: str, reason: str | None = None) -> Found:
    """Everything the principal may find for `q`, at most PER_KIND of each kind, newest first."""
    q = (q or "").strip()
    if not q:
        raise SearchError("type a reference (BL..., WC..., CR...), a name, a phone, a date of birth or a place", "q")
    if len(q) > MAX_QUERY:
        raise SearchError(f"at most {MAX_QUERY} characters", "q")
    reason = (reason or "").strip() or None
    found = Found(q=q)
    ref = REFERENCE.match(q)
    if ref is None and len(q) < 3 and parse_dob(q) is None:
        raise SearchError("type at least 3 characters", "q")
    _people(session, principal, q, reason, found)
    _contacts(session, principal, q, ref, reason, found)
    _incidents(session, principal, q, ref, found)
    _crimes(session, principal, q, ref, found)
    _chats(session, principal, ref, found)
    return found


def _people(session: Session, principal: Principal, q: str, reason: str | None, found: Found) -> None:
    try:
        access.view_for("person", principal, own=False)
    except access.AccessDenied:
        found.withheld.append({"kind": "person", "field": "role", "detail": "people are not searched for your roles"})
        return
    if reason is None:
        found.withheld.append({"kind": "person", "field": "reason",
                               "detail": "a search of people needs a stated reason (kept in the access log)"})
        return
    dob, digits = parse_dob(q), phone_key(q)
    query = select(Person)
    if dob is not None:
        query = query.where(Person.dob == dob)
    elif digits and len(digits) >= 6 and not re.search(r"[A-Za-z]", q):
        query = query.where(Person.phone_key == digits)
    else:
        key = text_key(q)
        if not key or len(key) < 3:
            return
        query = query.where(Person.name_key.like(_like(key), escape="\\"))
    people = list(session.execute(query.order_by(Person.id.desc()).limit(PER_KIND)).scalars())
    if not people:
        return
    links: dict[int, list[int]] = {}
    rows = session.execute(select(ContactPerson.person_id, ContactPerson.contact_id)
                           .where(ContactPerson.person_id.in_([p.id for p in people]))
                           .order_by(ContactPerson.received_at.desc())).all()
    for pid, cid in rows:
        links.setdefault(pid, [])
        if len(links[pid]) < 5:
            links[pid].append(cid)
    today = clock.local(clock.now()).date()
    for p in people:
        age = age_on(p.dob, today)
        found.results.append({
            "kind": "person", "id": p.id, "ref": f"person {p.id}", "title": p.name or "no name recorded",
            "detail": " · ".join(x for x in (
                f"born {p.dob.strftime('%d/%m/%Y')} (age {age})" if p.dob else "", p.phone or "", p.address or "",
                ", ".join(m.replace("_", " ") for m in (p.markers or []))) if x),
            "url": f"/contacts/{links[p.id][0]}" if links.get(p.id) else None,
            "contacts": [{"id": c, "ref": f"BL{c:07d}", "url": f"/contacts/{c}"} for c in links.get(p.id, [])],
        })
        found.reads.append(("person", str(p.id)))


def _contact_hit(c: Contact, view: str) -> dict[str, Any]:
    shows_text = view == access.FULL or "narrative" in (access.VIEWS.get(view) or ())
    text = (c.narrative or "").replace("\n", " ")
    return {"kind": "contact", "id": c.id, "ref": f"BL{c.id:07d}",
            "title": f"{c.channel} contact, grade {c.grade}, {c.status.replace('_', ' ')}",
            "detail": (text[:SNIPPET] + ("…" if len(text) > SNIPPET else "")) if shows_text else "",
            "at": clock.iso(c.received_at), "location": c.location_description, "url": f"/contacts/{c.id}"}


def _contacts(session: Session, principal: Principal, q: str, ref: re.Match[str] | None, reason: str | None,
              found: Found) -> None:
    if not principal.has_any(*access.POLICY["contact"]):
        found.withheld.append({"kind": "contact", "field": "role", "detail": "contacts are not searched for your roles"})
        return
    if ref is not None:
        if ref.group(1) and ref.group(1).upper() != "BL":
            return
        query = select(Contact).where(Contact.id == int(ref.group(2)))
    else:
        like = _like(q)
        query = select(Contact).where(or_(func.lower(Contact.narrative).like(like, escape="\\"),
                                          func.lower(Contact.location_description).like(like, escape="\\")))
    for c in session.execute(query.order_by(Contact.received_at.desc()).limit(PER_KIND)).scalars():
        try:
            # A role whose reads of contacts are searches (auditor) sees them only with the stated reason.
            view = access.view_for("contact", principal, own=access.contact_relation(principal, c), reason=reason)
        except access.AccessDenied:
            continue  # not this role's record: left out, and nothing says it exists
        found.results.append(_contact_hit(c, view))
        found.reads.append(("contact", str(c.id)))


def _incidents(session: Session, principal: Principal, q: str, ref: re.Match[str] | None, found: Found) -> None:
    from bluelamp.response.store import Incident

    if not _has(principal, INCIDENT_READERS):
        return
    if ref is not None:
        if ref.group(1) and ref.group(1).upper() != "INC":
            return
        query = select(Incident).where(Incident.id == int(ref.group(2)))
    else:
        query = select(Incident).where(func.lower(Incident.location_description).like(_like(q), escape="\\"))
    for i in session.execute(query.order_by(Incident.received_at.desc()).limit(PER_KIND)).scalars():
        found.results.append({"kind": "incident", "id": i.id, "ref": f"incident {i.id}",
                              "title": f"grade {i.grade}, {i.status.replace('_', ' ')}",
                              "detail": i.location_description or "", "at": clock.iso(i.received_at),
                              "url": f"/incidents/{i.id}"})


def _crimes(session: Session, principal: Principal, q: str, ref: re.Match[str] | None, found: Found) -> None:
    from bluelamp.crime.store import Crime

    if not _has(principal, CRIME_READERS):
        return
    if ref is not None:
        if ref.group(1) and ref.group(1).upper() != "CR":
            return
        query = select(Crime).where(Crime.id == int(ref.group(2)))
    else:
        like = _like(q)
        query = select(Crime).where(or_(func.lower(Crime.summary).like(like, escape="\\"),
                                        func.lower(Crime.offence).like(like, escape="\\")))
    for c in session.execute(query.order_by(Crime.reported_at.desc()).limit(PER_KIND)).scalars():
        found.results.append({"kind": "crime", "id": c.id, "ref": f"CR{c.id}",
                              "title": f"{c.offence.replace('_', ' ')}, {c.status.replace('_', ' ')}",
                              "detail": (c.summary or "")[:SNIPPET], "at": clock.iso(c.reported_at),
                              "url": f"/crimes/{c.id}"})
        found.reads.append(("crime", str(c.id)))


def _chats(session: Session, principal: Principal, ref: re.Match[str] | None, found: Found) -> None:
    from bluelamp.chat.store import Chat

    if ref is None or (ref.group(1) or "").upper() != "WC":
        return
    chat = session.get(Chat, int(ref.group(2)))
    if chat is None:
        return
    try:
        access.view_for("chat", principal, own=chat.operator_id == principal.user_id)
    except access.AccessDenied:
        return
    found.results.append({"kind": "chat", "id": chat.id, "ref": chat.reference,
                          "title": f"live chat, {chat.status}", "detail": "",
                          "at": clock.iso(chat.started_at),
                          "url": f"/contacts/{chat.contact_id}" if chat.contact_id else None})
    found.reads.append(("chat", str(chat.id)))


def log_reads(db: Any, principal: Principal, reads: list[tuple[str, str]], route: str, address: str | None,
              reason: str | None) -> None:
    """Every personal record a search showed, in the access log, in one short transaction of its own.

    Raises if the rows cannot be written: the caller then answers 503 and shows nothing."""
    from bluelamp.audit.access import write_many

    write_many(db, principal.actor, reads, route, address, reason)


def suggestions(session: Session, principal: Principal, name: str | None, dob: date | None,
                phone: str | None) -> dict[str, Any]:
    """People already known who match what the handler has typed, each with what recording will do.

    Name with date of birth, or name with phone, links on recording (contact/matching.py); a name
    alone is a suggestion the handler confirms with the caller (the date of birth then links); a phone
    alone never links, and is only said."""
    try:
        access.view_for("person", principal, own=False)
    except access.AccessDenied:
        return {"matches": [], "note": "person matching runs when the contact is recorded", "reads": []}
    nkey, pkey = text_key(name), phone_key(phone)
    clauses = []
    if nkey and len(nkey) >= 3:
        clauses.append(Person.name_key == nkey)
    if pkey and len(pkey) >= 6:
        clauses.append(Person.phone_key == pkey)
    if not clauses:
        return {"matches": [], "note": None, "reads": []}
    people = list(session.execute(select(Person).where(or_(*clauses)).order_by(Person.id.desc()).limit(6)).scalars())
    counts = dict(session.execute(select(ContactPerson.person_id, func.count(ContactPerson.id))
                                  .where(ContactPerson.person_id.in_([p.id for p in people] or [0]))
                                  .group_by(ContactPerson.person_id)).all())
    out = []
    for p in people:
        same_name = bool(nkey) and p.name_key == nkey
        same_phone = bool(pkey) and p.phone_key == pkey
        if same_name and dob is not None and p.dob == dob:
            links, reason, confirm = True, "same name and date of birth: this record is linked when you record", False
        elif same_name and same_phone:
            links, reason, confirm = True, "same name and phone: this record is linked when you record", False
        elif same_name and dob is not None and p.dob is not None:
            continue  # a different date of birth: a different person
        elif same_name:
            links, reason, confirm = False, "same name: confirm the date of birth with the caller to link", p.dob is not None
        else:
            links, reason, confirm = False, "same phone, different name: not linked (a phone alone never links)", False
        out.append({"person_id": p.id, "name": p.name, "dob": p.dob.strftime("%d/%m/%Y") if p.dob else None,
                    "dob_display": p.dob.strftime("%d/%m/%Y") if p.dob else None,
                    "phone": p.phone if same_phone or links else None,
                    "address": p.address if links or confirm else None,
                    "markers": list(p.markers or []), "contacts": int(counts.get(p.id, 0)),
                    "links": links, "confirm": confirm, "reason": reason})
    out.sort(key=lambda m: (not m["links"], not m["confirm"]))
    return {"matches": out, "note": None if out else "no one known by these details",
            "reads": [("person", str(m["person_id"])) for m in out]}
