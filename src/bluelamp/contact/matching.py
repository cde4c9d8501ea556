"""Person matching: the same person across contacts, repeat callers and victims, the household check.

A person matches an existing record on name with date of birth, or on name with phone number; a
phone number alone never links two people (families and carers share one). Address is not an
identity (many people share one) but links a household: other people at the same address who carry
a vulnerability marker are listed on the contact, as the inspectorate asked.

What a contact gives is kept on the contact as given (`given_json`). A person's details are a history
(`PersonDetail`) with source and verified flag; only verified input (staff on a 999 or 101 call)
changes a person's current details or markers. An online report or a chat (unverified public
input) is recorded beside the person, never over them, and its address does not feed other
contacts' household checks until a verified contact confirms it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, or_, select
from sqlalchemy.orm import Session

from bluelamp.contact.model import ContactIn
from bluelamp.contact.model import Person as PersonIn
from bluelamp.contact.store import ContactPerson, Person, PersonDetail
from bluelamp.db.attach import insert_attached
from bluelamp.db.base import table
from bluelamp.policy import Policy

# Channels where a member of staff takes the details from the caller; the rest are public input.
VERIFIED_CHANNELS = ("999", "101")
DETAIL_FIELDS = ("name", "phone", "dob", "address")


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
    verified: bool = True          # the contact's details come from a verified channel
    created: set[int] = field(default_factory=set)   # people first created by this contact
    phones: dict[int, str] = field(default_factory=dict)  # person id -> phone key as given here
    addresses: set[str] = field(default_factory=set)      # address keys as given on this contact
    given: dict[str, Any] = field(default_factory=dict)   # the people as given (see given_json)
    pending: list[tuple[Person, PersonIn]] = field(default_factory=list)


def match_people(session: Session, contact: ContactIn, received_at: datetime, policy: Policy) -> MatchResult:
    """Find or create every person in the contact and work out the repeat flags and household."""
    result = MatchResult(verified=contact.channel in VERIFIED_CHANNELS)
    entries: list[tuple[PersonIn, str, bool]] = []
    if contact.caller is not None:
        entries.append((contact.caller, contact.caller_role(), True))
    entries.extend((p, p.role or "other", False) for p in contact.people)
    result.given = {"caller": None, "people": [], "channel": contact.channel, "verified": result.verified}
    known = _candidates(session, [data for data, _, _ in entries])
    for data, role, is_caller in entries:
        person = _find_or_create(session, data, result, known)
        given = {"name": data.name, "phone": data.phone, "dob": data.dob.isoformat() if data.dob else None,
                 "address": data.address, "role": role, "person_id": person.id if person else None}
        if is_caller:
            result.given["caller"] = given
        else:
            result.given["people"].append(given)
        if person is not None:
            result.people.append((person, role, is_caller))
            if data.phone and phone_key(data.phone):
                result.phones[person.id] = phone_key(data.phone) or ""
            if text_key(data.address):
                result.addresses.add(text_key(data.address) or "")
    _repeat_checks(session, result, received_at, policy)
    _household_check(session, result, received_at, policy)
    return result


def _candidates(session: Session, entries: list[PersonIn]) -> list[Person]:
    """Every stored person any entry could match, in one query (name with dob, or name with phone)."""
    shape: list[str] = []
    params: dict[str, Any] = {}
    for data in entries:
        pkey, nkey = phone_key(data.phone), text_key(data.name)
        if nkey and data.dob:
            params[f"n{len(shape)}"], params[f"d{len(shape)}"] = nkey, data.dob
            shape.append("dob")
        if nkey and pkey:
            params[f"n{len(shape)}"], params[f"p{len(shape)}"] = nkey, pkey
            shape.append("phone")
    if not shape:
        return []
    return list(session.execute(_candidates_query(tuple(shape)), params).scalars())


@lru_cache(maxsize=64)
def _candidates_query(shape: tuple[str, ...]) -> Any:
    """The candidates query for one shape of entries, built once (bound parameters n0, d0, p1, ...):
    it runs for every contact, and building a statement costs more CPU than running it."""
    conds = [and_(Person.name_key == bindparam(f"n{i}"),
                  Person.dob == bindparam(f"d{i}") if kind == "dob" else Person.phone_key == bindparam(f"p{i}"))
             for i, kind in enumerate(shape)]
    return select(Person).where(or_(*conds)).order_by(Person.id)


def _first_match(known: list[Person], nkey: str | None, pkey: str | None, dob: date | None) -> Person | None:
    """The lowest-id person matching on name with dob, else on name with phone (as two look-ups would)."""
    if not nkey:
        return None
    if dob:
        hit = min((p for p in known if p.name_key == nkey and p.dob == dob), key=lambda p: p.id, default=None)
        if hit is not None:
            return hit
    if pkey:
        return min((p for p in known if p.name_key == nkey and p.phone_key == pkey), key=lambda p: p.id,
                   default=None)
    return None


def _find_or_create(session: Session, data: PersonIn, result: MatchResult, known: list[Person]) -> Person | None:
    pkey, nkey, akey = phone_key(data.phone), text_key(data.name), text_key(data.address)
    if not (pkey or nkey or akey):
        return None
    # Name with date of birth, or name with phone. A phone alone never links two people. `known` holds
    # the stored candidates and the people this contact has created or updated so far, with their
    # current keys, so a second entry sees the first one's changes as a fresh query would.
    person = _first_match(known, nkey, pkey, data.dob)
    if person is None:
        person = Person(name=data.name, name_key=nkey, phone=data.phone, phone_key=pkey, dob=data.dob,
                        address=data.address, address_key=akey, markers=[], address_verified=result.verified)
        insert_attached(session, person)  # one INSERT ... RETURNING, no unit of work (db/attach.py)
        known.append(person)
        result.created.add(person.id)
        result.pending.append((person, data))
        return person
    result.pending.append((person, data))
    if not result.verified:
        # Unverified public input is kept as history and on the contact, never over the person.
        return person
    for attr, value in (("name", data.name), ("phone", data.phone), ("dob", data.dob), ("address", data.address)):
        if value:
            setattr(person, attr, value)
    if data.address:
        person.address_verified = True
    person.name_key = text_key(person.name)
    person.phone_key = phone_key(person.phone)
    person.address_key = text_key(person.address)
    return person


def record_details(session: Session, result: MatchResult, contact_id: int, actor: str, at: datetime) -> None:
    """Write each detail given on this contact into the people's history (source, verified, actor)."""
    rows = [{**row, "contact_id": contact_id} for row in detail_rows(result, actor, at)]
    if rows:  # one executemany in Core: nothing reads these rows back in this transaction
        session.execute(insert(table(PersonDetail)), rows)


def detail_rows(result: MatchResult, actor: str, at: datetime) -> list[dict[str, Any]]:
    """The person_detail rows of a contact but their contact_id, in order (see `record_details`)."""
    source = f"contact:{result.given.get('channel', 'unknown')}"
    return [{"person_id": person.id, "field": name, "value": str(getattr(data, name))[:500], "source": source,
             "verified": result.verified, "actor": actor, "at": at}
            for person, data in result.pending for name in DETAIL_FIELDS if getattr(data, name)]


def given_json(result: MatchResult, actor: str, at: datetime) -> dict[str, Any]:
    """The people as this contact gave them, for Contact.given."""
    return {**result.given, "actor": actor, "at": at.isoformat().replace("+00:00", "Z")}


def person_json(session: Session, person: Person) -> dict[str, Any]:
    """A person's current details and their history, each value with its source and verified flag."""
    history = list(session.execute(
        select(PersonDetail).where(PersonDetail.person_id == person.id).order_by(PersonDetail.id)).scalars())
    current: dict[str, Any] = {}
    for name in DETAIL_FIELDS:
        value = getattr(person, name)
        shown = value.isoformat() if isinstance(value, date) else value
        rows = [h for h in history if h.field == name]
        match = next((h for h in reversed(rows) if h.verified and h.value == str(shown)), None) or \
            next((h for h in reversed(rows) if h.value == str(shown)), None)
        current[name] = {"value": shown, "source": match.source if match else ("record" if shown else None),
                         "verified": match.verified if match else shown is not None,
                         "at": match.at.isoformat().replace("+00:00", "Z") if match else None}
    return {
        "id": person.id, "current": current, "markers": list(person.markers or []),
        "history": [{"field": h.field, "value": h.value, "source": h.source, "verified": h.verified,
                     "contact_id": h.contact_id, "actor": h.actor,
                     "at": h.at.isoformat().replace("+00:00", "Z")} for h in history],
    }


def _earlier_counts(session: Session, person_id: int, received_at: datetime, policy: Policy,
                    phone: str | None = None) -> tuple[int, int]:
    """Earlier contacts as caller and as victim, each within its own policy window, in one query.

    The same caller is the same person or the same phone as given (CONTRACT: "phone, or name with
    date of birth"): a phone counts towards the repeat flags without linking the people."""
    rc, rv = policy.matching.repeat_caller, policy.matching.repeat_victim
    caller_since = received_at - timedelta(days=rc.window_days)
    victim_since = received_at - timedelta(days=rv.window_days)
    params = {"person_id": person_id, "caller_since": caller_since, "victim_since": victim_since,
              "since": min(caller_since, victim_since), "before": received_at, "phone": phone}
    row = session.execute(_earlier_counts_query(bool(phone)), params).one()
    return int(row[0]), int(row[1])


@lru_cache(maxsize=2)
def _earlier_counts_query(by_phone: bool) -> Any:
    """The repeat counts' query, built once with bound parameters (it runs for the caller of every
    contact recorded; Core on the table columns, no ORM layer)."""
    cp, people = table(ContactPerson).c, table(Person).c
    as_caller = case((and_(cp.is_caller.is_(True), cp.received_at >= bindparam("caller_since")), cp.contact_id))
    as_victim = case((and_(cp.role == "victim", cp.received_at >= bindparam("victim_since")), cp.contact_id))
    who = cp.person_id == bindparam("person_id")
    if by_phone:
        # Earlier contacts given with this phone, and those of people recorded with it (older rows).
        same_phone = select(people.id).where(people.phone_key == bindparam("phone")).scalar_subquery()
        who = or_(who, cp.phone_key == bindparam("phone"), cp.person_id.in_(same_phone))
    return select(func.count(func.distinct(as_caller)), func.count(func.distinct(as_victim))).where(
        who, cp.received_at >= bindparam("since"), cp.received_at < bindparam("before"))


def _repeat_checks(session: Session, result: MatchResult, received_at: datetime, policy: Policy) -> None:
    rc, rv = policy.matching.repeat_caller, policy.matching.repeat_victim
    for person, role, is_caller in result.people:
        if not (is_caller or role == "victim"):
            continue
        as_caller, as_victim = _earlier_counts(session, person.id, received_at, policy, result.phones.get(person.id))
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
    # The addresses as given on this contact (and the people's verified ones); other people count only
    # where their own address is verified, so a stranger's report cannot plant a "household".
    addresses = set(result.addresses) | {p.address_key for p, _, _ in result.people
                                         if p.address_key and p.address_verified}
    if not addresses:
        return
    involved = {p.id for p, _, _ in result.people}
    others = session.execute(_household_query(), {"addresses": sorted(addresses),
                                                  "involved": sorted(involved or {0})}).scalars()
    markers_known = policy.flags.vulnerability_markers() | {"child", "older_person"}
    for other in others:
        markers = [m for m in (other.markers or []) if m in markers_known]
        age = age_on(other.dob, received_at.date())
        if age is not None and age < 18 and "child" not in markers:
            markers.append("child")
        if markers:
            result.household.append({"person_id": other.id, "name": other.name, "age": age, "markers": sorted(markers)})


@lru_cache(maxsize=1)
def _household_query() -> Any:
    return select(Person).where(Person.address_key.in_(bindparam("addresses", expanding=True)),
                                Person.address_verified.is_(True),
                                Person.id.not_in(bindparam("involved", expanding=True))).limit(50)


def mark_people(result: MatchResult, flags: list[str], policy: Policy, received_at: datetime) -> None:
    """Carry the contact's vulnerability flags onto its victims (and ages onto everyone). Markers never
    flow from an unverified contact onto a person who existed before it."""
    vuln = [f for f in flags if f in policy.flags.vulnerability_markers()]
    for person, role, _ in result.people:
        if not result.verified and person.id not in result.created:
            continue
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
