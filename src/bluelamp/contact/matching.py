"""Person matching: the same person across contacts, repeat callers and victims, the household check.

A person matches an existing record on phone number, or on name with date of birth. Address is not
an identity (many people share one) but links a household: other people at the same address who
carry a vulnerability marker are listed on the contact, as the inspectorate asked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bluelamp.contact.model import ContactIn
from bluelamp.contact.model import Person as PersonIn
from bluelamp.contact.store import ContactPerson, Person
from bluelamp.policy import Policy


def phone_key(phone: str | None) -> str | None:
    """Digits only, UK numbers in national form (+44 7700 → 07700)."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits or None


def text_key(value: str | None) -> str | None:
    """Case, accents, punctuation and spacing removed, for names and addresses."""
    if not value:
        return None
    norm = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    norm = re.sub(r"[^a-z0-9]+", " ", norm).strip()
    return norm or None


def age_on(dob: date | None, day: date) -> int | None:
    if dob is None:
        return None
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass
class MatchResult:
    """What matching found for one contact."""

    people: list[tuple[Person, str, bool]] = field(default_factory=list)  # person, role, is_caller
    history_flags: set[str] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)
    household: list[dict[str, Any]] = field(default_factory=list)


def match_people(session: Session, contact: ContactIn, received_at: datetime, policy: Policy) -> MatchResult:
    """Find or create every person in the contact and work out the repeat flags and household."""
    result = MatchResult()
    entries: list[tuple[PersonIn, str, bool]] = []
    if contact.caller is not None:
        entries.append((contact.caller, contact.caller_role(), True))
    entries.extend((p, p.role or "other", False) for p in contact.people)
    for data, role, is_caller in entries:
        person = _find_or_create(session, data)
        if person is not None:
            result.people.append((person, role, is_caller))
    _repeat_checks(session, result, received_at, policy)
    _household_check(session, result, received_at, policy)
    return result


def _find_or_create(session: Session, data: PersonIn) -> Person | None:
    pkey, nkey, akey = phone_key(data.phone), text_key(data.name), text_key(data.address)
    if not (pkey or nkey or akey):
        return None
    person = None
    if pkey:
        person = session.execute(select(Person).where(Person.phone_key == pkey).limit(1)).scalar_one_or_none()
    if person is None and nkey and data.dob:
        person = session.execute(
            select(Person).where(Person.name_key == nkey, Person.dob == data.dob).limit(1)
        ).scalar_one_or_none()
    if person is None:
        person = Person(name=data.name, name_key=nkey, phone=data.phone, phone_key=pkey, dob=data.dob,
                        address=data.address, address_key=akey, markers=[])
        session.add(person)
        session.flush()
        return person
    # Keep the newest details given; an earlier one is not lost (it stays on the earlier contact).
    for attr, value in (("name", data.name), ("phone", data.phone), ("dob", data.dob), ("address", data.address)):
        if value:
            setattr(person, attr, value)
    person.name_key = text_key(person.name)
    person.phone_key = phone_key(person.phone)
    person.address_key = text_key(person.address)
    return person


def _earlier_counts(session: Session, person_id: int, received_at: datetime, policy: Policy) -> tuple[int, int]:
    """Earlier contacts as caller and as victim, each within its own policy window, in one query."""
    rc, rv = policy.matching.repeat_caller, policy.matching.repeat_victim
    caller_since = received_at - timedelta(days=rc.window_days)
    victim_since = received_at - timedelta(days=rv.window_days)
    cp = ContactPerson
    as_caller = case((and_(cp.is_caller.is_(True), cp.received_at >= caller_since), cp.contact_id))
    as_victim = case((and_(cp.role == "victim", cp.received_at >= victim_since), cp.contact_id))
    row = session.execute(
        select(func.count(func.distinct(as_caller)), func.count(func.distinct(as_victim))).where(
            cp.person_id == person_id, cp.received_at >= min(caller_since, victim_since), cp.received_at < received_at)
    ).one()
    return int(row[0]), int(row[1])


def _repeat_checks(session: Session, result: MatchResult, received_at: datetime, policy: Policy) -> None:
    rc, rv = policy.matching.repeat_caller, policy.matching.repeat_victim
    for person, role, is_caller in result.people:
        if not (is_caller or role == "victim"):
            continue
        as_caller, as_victim = _earlier_counts(session, person.id, received_at, policy)
        if is_caller and as_caller >= rc.min_earlier:
            result.history_flags.add("repeat_caller")
            result.reasons.append(f"repeat caller: {as_caller} earlier contacts in {rc.window_days} days")
        if role == "victim" and as_victim >= rv.min_earlier:
            result.history_flags.add("repeat_victim")
            result.reasons.append(
                f"repeat victim: victim in {as_victim} earlier contact{'s' if as_victim > 1 else ''} "
                f"in {rv.window_days} days"
            )


def _household_check(session: Session, result: MatchResult, received_at: datetime, policy: Policy) -> None:
    """Other people at the same address with a vulnerability marker (or a child's age)."""
    addresses = {p.address_key for p, _, _ in result.people if p.address_key}
    if not addresses:
        return
    involved = {p.id for p, _, _ in result.people}
    others = session.execute(
        select(Person).where(Person.address_key.in_(addresses), Person.id.not_in(involved or {0})).limit(50)
    ).scalars()
    markers_known = policy.flags.vulnerability_markers() | {"child", "older_person"}
    for other in others:
        markers = [m for m in (other.markers or []) if m in markers_known]
        age = age_on(other.dob, received_at.date())
        if age is not None and age < 18 and "child" not in markers:
            markers.append("child")
        if markers:
            result.household.append({"person_id": other.id, "name": other.name, "age": age, "markers": sorted(markers)})


def mark_people(result: MatchResult, flags: list[str], policy: Policy, received_at: datetime) -> None:
    """Carry the contact's vulnerability flags onto its victims (and ages onto everyone)."""
    vuln = [f for f in flags if f in policy.flags.vulnerability_markers()]
    for person, role, _ in result.people:
        markers = set(person.markers or [])
        if role == "victim":
            markers.update(vuln)
        age = age_on(person.dob, received_at.date())
        if age is not None and age < 18:
            markers.add("child")
        if age is not None and age >= 75:
            markers.add("older_person")
        if markers != set(person.markers or []):
            person.markers = sorted(markers)
