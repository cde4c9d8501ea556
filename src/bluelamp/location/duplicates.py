"""Many callers, one incident: possible duplicates of a new contact, linking it, merging incidents.

An incident keeps every contact about it: its own (`incident.contact_id`) and the linked ones
(`incident_contact`). A linked contact adds its flags and people to the incident, and a linked
contact of higher risk raises the incident's grade through the one regrade path (response.service).
An incident merged into another is kept, with status `merged` and a pointer to the one that stands,
so measures count the event once.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.contact.store import Contact, ContactPerson
from bluelamp.db.base import table
from bluelamp.identity.model import Principal
from bluelamp.location.model import LocationError, distance_m, flags_compatible, text_key
from bluelamp.location.store import IncidentContact
from bluelamp.policy import Policy, load_policy
from bluelamp.response.model import OPEN_STATUSES
from bluelamp.response.store import Assignment, Incident

MERGED = "merged"


_STATUS_PARAMS = tuple(f"status_{n}" for n in range(len(OPEN_STATUSES)))


@lru_cache(maxsize=4)
def _candidates_query(by_place: bool, by_words: bool) -> Any:
    """possible_duplicates' query for one shape, built once with bound parameters (it runs on every
    contact recorded, and building a statement cost more CPU than running it)."""
    i = table(Incident).c
    near: list[Any] = []
    if by_place:
        near.append(and_(i.lat.between(bindparam("lat0"), bindparam("lat1")),
                         i.lon.between(bindparam("lon0"), bindparam("lon1"))))
    if by_words:
        near.append(i.location_description.is_not(None))
    # The open statuses are fixed: one bound parameter each, not an expanding IN, which SQLAlchemy
    # renders into the SQL again on every execution (and this runs inside every contact's statement).
    statuses: list[Any] = [bindparam(name) for name in _STATUS_PARAMS]
    return (select(i.id, i.flags, i.received_at, i.lat, i.lon, i.location_description, i.grade, i.status)
            .where(i.status.in_(statuses), i.received_at >= bindparam("since"),
                   i.received_at <= bindparam("until"), or_(*near))
            .order_by(i.id))


def possible_duplicates(session: Session, *, lat: float | None, lon: float | None, description: str | None,
                        flags: list[str], received_at: datetime, exclude_incident: int | None = None,
                        policy: Policy | None = None) -> list[dict[str, Any]]:
    """Open incidents near this contact in place and time, with compatible flags, nearest first."""
    found = lookup(lat=lat, lon=lon, description=description, received_at=received_at, policy=policy)
    if found is None:
        return []
    query, params = found
    # One query, the few columns needed (this runs on every contact recorded): near in place, or with a
    # location given in words (compared below by its normalised text).
    session.flush()  # Core below: incidents changed in this transaction are written first
    return rank(session.execute(query, params).all(), lat=lat, lon=lon, description=description, flags=flags,
                received_at=received_at, exclude_incident=exclude_incident, policy=policy)


def lookup(*, lat: float | None, lon: float | None, description: str | None, received_at: datetime,
           policy: Policy | None = None) -> tuple[Any, dict[str, Any]] | None:
    """The candidates' query and its parameters for `possible_duplicates` (None: nothing to look up).
    Recording a contact on PostgreSQL runs it inside the statement that inserts the contact
    (contact/write.py), then ranks the rows with `rank`."""
    doc = (policy or load_policy()).doc("location").duplicates
    window = timedelta(minutes=doc.minutes)
    params: dict[str, Any] = {**dict(zip(_STATUS_PARAMS, OPEN_STATUSES, strict=True)),
                              "since": received_at - window, "until": received_at + window}
    by_place = False
    if lat is not None and lon is not None:
        by_place = True
        dlat = doc.distance_m / 111_320
        dlon = dlat / max(0.1, math.cos(math.radians(lat)))
        params.update(lat0=lat - dlat, lat1=lat + dlat, lon0=lon - dlon, lon1=lon + dlon)
    key = text_key(description) if description else ""
    if not (by_place or key):
        return None
    return _candidates_query(by_place, bool(key)), params


def rank(candidates: Any, *, lat: float | None, lon: float | None, description: str | None, flags: list[str],
         received_at: datetime, exclude_incident: int | None = None,
         policy: Policy | None = None) -> list[dict[str, Any]]:
    """The possible duplicates among the candidates' rows (in id order), nearest first."""
    doc = (policy or load_policy()).doc("location").duplicates
    key = text_key(description) if description else ""
    kinds = set(doc.kind_flags)
    found: list[dict[str, Any]] = []
    for inc in candidates:
        if inc.id == exclude_incident:
            continue
        if not flags_compatible(flags, inc.flags or [], kinds):
            continue
        minutes = abs((clock.as_utc(inc.received_at) - received_at).total_seconds()) / 60
        d = None
        if None not in (lat, lon, inc.lat, inc.lon):
            d = distance_m(lat, lon, inc.lat, inc.lon)  # type: ignore[arg-type]
        same_text = bool(key) and text_key(inc.location_description or "") == key
        if not (same_text or (d is not None and d <= doc.distance_m)):
            continue
        shared = sorted(set(flags) & set(inc.flags or []))
        why = [f"{round(d)} m away" if d is not None else "same location given", f"{round(minutes)} min apart"]
        if same_text and d is not None:
            why.append("same location given")
        if shared:
            why.append("both " + ", ".join(f.replace("_", " ") for f in shared))
        found.append({"incident_id": inc.id, "distance_m": None if d is None else round(d),
                      "minutes_apart": round(minutes, 1), "reason": "; ".join(why), "grade": inc.grade,
                      "status": inc.status})
    found.sort(key=lambda f: (f["distance_m"] is None, f["distance_m"] or 0, f["minutes_apart"]))
    return found[: doc.max_results]


def contact_ids_for(session: Session, incidents: list[Incident]) -> dict[int, list[int]]:
    """Every contact of each incident: its own first, then the linked ones in the order linked."""
    out = {i.id: ([i.contact_id] if i.contact_id is not None else []) for i in incidents}
    if not incidents:
        return out
    rows = session.execute(select(IncidentContact.incident_id, IncidentContact.contact_id)
                           .where(IncidentContact.incident_id.in_(list(out))).order_by(IncidentContact.id)).all()
    for incident_id, contact_id in rows:
        if contact_id not in out[incident_id]:
            out[incident_id].append(contact_id)
    return out


def _open_target(session: Session, incident_id: int, field: str = "incident_id") -> Incident:
    inc = session.execute(select(Incident).where(Incident.id == incident_id).with_for_update()).scalar_one_or_none()
    if inc is None:
        raise LocationError(f"incident {incident_id} not found", field, 404)
    if inc.status not in OPEN_STATUSES:
        raise LocationError(f"incident {incident_id} is {inc.status}: link to an open incident", field, 409)
    return inc


def _active_units(session: Session, incident_id: int) -> int:
    return len(session.execute(select(Assignment.id).where(Assignment.incident_id == incident_id,
                                                           Assignment.cleared_at.is_(None))).all())


def _absorb(session: Session, target: Incident, contact: Contact, principal: Principal, reason: str) -> dict[str, Any]:
    """The target takes the contact's flags and people, and its grade when that is higher risk."""
    added = sorted(set(contact.flags or []) - set(target.flags or []))
    target.flags = list(target.flags or []) + added
    people = [p for (p,) in session.execute(select(ContactPerson.person_id)
                                            .where(ContactPerson.contact_id == contact.id)).all()]
    known = list((target.extra or {}).get("people") or [])
    new_people = [p for p in people if p not in known]
    target.extra = {**(target.extra or {}), "people": known + new_people}
    regraded = None
    if contact.grade < target.grade and contact.route in ("deploy", "appointment"):
        from bluelamp.response import service as response

        regraded = (target.grade, contact.grade)
        response.regrade(session, target.id, contact.grade, f"{reason}: contact {contact.id} is grade "
                         f"{contact.grade}", principal)
    return {"flags_added": added, "people_added": new_people, "regraded": regraded}


def link_contact(session: Session, contact_id: int, incident_id: int, principal: Principal,
                 reason: str | None = None) -> dict[str, Any]:
    """Link a contact to an open incident about the same event (its own incident, if any, is merged)."""
    contact = session.execute(select(Contact).where(Contact.id == contact_id).with_for_update()).scalar_one_or_none()
    if contact is None:
        raise LocationError(f"contact {contact_id} not found", "id", 404)
    target = _open_target(session, incident_id)
    if target.contact_id == contact.id:
        raise LocationError(f"incident {incident_id} is this contact's own incident", "incident_id", 409)
    existing = session.execute(select(IncidentContact).where(IncidentContact.contact_id == contact.id)).scalar_one_or_none()
    if existing is not None:
        raise LocationError(f"contact {contact_id} is already linked to incident {existing.incident_id}",
                            "incident_id", 409)
    own = session.execute(select(Incident).where(Incident.contact_id == contact.id,
                                                 Incident.status.in_(OPEN_STATUSES))).scalar_one_or_none()
    if own is not None and _active_units(session, own.id):
        raise LocationError(f"this contact's incident {own.id} has units: a supervisor merges incidents with "
                            "units", "incident_id", 409)
    now = clock.now()
    session.add(IncidentContact(incident_id=target.id, contact_id=contact.id, linked_at=now,
                                linked_by=principal.actor, reason=reason))
    session.flush()
    changes = _absorb(session, target, contact, principal, "linked contact")
    if own is not None:
        _retire(session, own, target, principal, now)
    audit.record(session, principal.actor, "incident.contact_linked", "incident", target.id, after={
        "contact_id": contact.id, "reason": reason, "merged_incident": own.id if own else None, **changes})
    return {"incident_id": target.id, "contact_id": contact.id, "merged_incident_id": own.id if own else None,
            **changes}


def _retire(session: Session, old: Incident, into: Incident, principal: Principal, now: datetime) -> None:
    before = {"status": old.status}
    old.status, old.closed_at = MERGED, now
    old.extra = {**(old.extra or {}), "merged_into": into.id, "closure_reason": f"duplicate of incident {into.id}"}
    audit.record(session, principal.actor, "incident.merged", "incident", old.id, before=before,
                 after={"status": MERGED, "merged_into": into.id})


def merge_incidents(session: Session, keep_id: int, merge_id: int, principal: Principal,
                    reason: str) -> dict[str, Any]:
    """A supervisor merges incident `merge_id` into `keep_id`: its contacts, flags and people move over."""
    if not principal.has_any("supervisor"):
        raise LocationError("only a supervisor may merge incidents", "role", 403)
    if keep_id == merge_id:
        raise LocationError("an incident cannot be merged into itself", "merge_id")
    if not reason.strip():
        raise LocationError("give a reason for the merge", "reason")
    keep = _open_target(session, keep_id, "keep_id")
    old = _open_target(session, merge_id, "merge_id")
    if _active_units(session, old.id):
        raise LocationError(f"incident {old.id} still has units: clear or dispatch them to {keep.id} first",
                            "merge_id", 409)
    now = clock.now()
    moved = []
    for contact_id in contact_ids_for(session, [old])[old.id]:
        link = session.execute(select(IncidentContact).where(IncidentContact.contact_id == contact_id)).scalar_one_or_none()
        if link is None:
            session.add(IncidentContact(incident_id=keep.id, contact_id=contact_id, linked_at=now,
                                        linked_by=principal.actor, reason=f"merged from incident {old.id}"))
        else:
            link.incident_id = keep.id
        moved.append(contact_id)
    session.flush()
    changes: dict[str, Any] = {"flags_added": [], "people_added": [], "regraded": None}
    for contact in session.execute(select(Contact).where(Contact.id.in_(moved))).scalars():
        step = _absorb(session, keep, contact, principal, f"merged incident {old.id}")
        changes["flags_added"] += step["flags_added"]
        changes["people_added"] += step["people_added"]
        changes["regraded"] = step["regraded"] or changes["regraded"]
    if old.grade < keep.grade:
        from bluelamp.response import service as response

        changes["regraded"] = (keep.grade, old.grade)
        response.regrade(session, keep.id, old.grade, f"merged incident {old.id} is grade {old.grade}", principal)
    _retire(session, old, keep, principal, now)
    audit.record(session, principal.actor, "incident.merge", "incident", keep.id,
                 after={"merged_incident": old.id, "contacts": moved, "reason": reason.strip(), **changes})
    return {"incident_id": keep.id, "merged_incident_id": old.id, "contact_ids": moved, **changes}
