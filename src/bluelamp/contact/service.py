"""Use cases of the contact context: record a contact, decide on it, re-assess waiting ones."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.audit.model import canonical
from bluelamp.contact.matching import detail_rows, given_json, mark_people, match_people
from bluelamp.contact.model import ContactIn
from bluelamp.contact.store import Contact, ContactPerson, IdempotencyKey, Person, Reassessment
from bluelamp.contact.write import close_contact, insert_contact_rows
from bluelamp.identity import access
from bluelamp.identity.model import Principal
from bluelamp.jobs.runner import enqueue, handler
from bluelamp.location import duplicates
from bluelamp.location import service as location
from bluelamp.policy import Policy, controls, load_policy
from bluelamp.response import service as response
from bluelamp.telephony import service as telephony
from bluelamp.triage import service as triage

DEPLOYING_ROUTES = ("deploy", "appointment")


class ContactError(ValueError):
    """A request about a contact cannot be done; `field` names what is wrong."""

    def __init__(self, message: str, field: str = "body", status: int = 422) -> None:
        super().__init__(message)
        self.field, self.status = field, status


class IdempotencyConflict(ContactError):
    def __init__(self) -> None:
        super().__init__("Idempotency-Key was already used with a different request body",
                         field="Idempotency-Key", status=409)


def request_digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def find_replay(session: Session, key: str, principal: Principal, digest: str) -> IdempotencyKey | None:
    """The stored response for a repeated Idempotency-Key, or None; a different body is a conflict."""
    row = session.get(IdempotencyKey, _scoped(key, principal))
    if row is None:
        return None
    if row.request_digest != digest:
        raise IdempotencyConflict()
    return row


def _scoped(key: str, principal: Principal) -> str:
    # Keys are per user, so one client can never replay another's response.
    return f"{principal.user_id}:{key}"[:200]


def record_contact(
    session: Session,
    data: ContactIn,
    principal: Principal,
    *,
    idempotency: tuple[str, str] | None = None,
    source: str = "live",
    area: str | None = None,
    policy: Policy | None = None,
) -> dict[str, Any]:
    """Record a contact: match people, triage, apply the proposal, open an incident when it deploys.

    Returns the API response. Everything happens in the caller's transaction, so a failure leaves
    nothing half-written.
    """
    policy = policy or load_policy()
    now = clock.now()
    # A 999/101 contact recorded while the handler's answered call is open is linked to that call, and
    # its received and answered times come from the phone system (telephony/service.py), not typing.
    call = telephony.call_for_contact(session, principal.username, data.channel, now, policy)
    offered_at, phone_answered_at = telephony.phone_times(call)
    received_at = offered_at or (clock.as_utc(data.received_at) if data.received_at else now)
    # Where (issue 15): coordinates, grid reference, UPRN or gazetteer; the area and urban/rural follow.
    where = location.resolve(session, data.location, policy)
    if where.urban is not None and data.location is not None and data.location.urban is None:
        data = data.model_copy(update={"location": data.location.model_copy(update={"urban": where.urban})})
    area = area or where.area
    match = match_people(session, data, received_at, policy)
    assessment = triage.assess(data, policy=policy, now=received_at, history_flags=match.history_flags)
    proposal = assessment.to_dict()
    proposal["reasons"] = list(proposal["reasons"]) + [r for r in match.reasons if r not in proposal["reasons"]]
    description = data.location.description if data.location else None
    deploys = assessment.route in DEPLOYING_ROUTES
    incident = response.new_incident(
        contact_id=None, grade=assessment.grade, flags=list(assessment.flags), urban=data.is_urban,
        received_at=received_at, attend_by=assessment.attend_by, lat=where.lat, lon=where.lon,
        location_description=description, area=area) if deploys else None
    # The contact, its location, people, their details and its incident, and the look-up of possible
    # duplicates: one statement on PostgreSQL (contact/write.py); their audit entries and the incident's
    # first prompt follow, in the order the separate inserts made them.
    lookup = duplicates.lookup(lat=where.lat, lon=where.lon, description=description, received_at=received_at,
                               policy=policy)
    contact_id, candidates = insert_contact_rows(session, {
        "channel": data.channel, "agency": "police", "source": source, "external_ref": None,
        "received_at": received_at, "answered_at": phone_answered_at or now, "narrative": data.narrative,
        "lat": where.lat, "lon": where.lon, "location_description": description, "urban": data.is_urban,
        "area": area, "answers": data.answers.model_dump(exclude_none=True), "proposal": proposal,
        "grade": assessment.grade, "route": assessment.route, "flags": list(assessment.flags),
        "policy_version": assessment.policy_version, "household": match.household, "status": "awaiting_decision",
        "decision": None, "recorded_by": principal.actor, "given": given_json(match, principal.actor, now),
        "team": principal.team}, where.row(), _people_rows(match), detail_rows(match, principal.actor, now),
        incident, lookup)
    if call is not None:
        telephony.link_contact(session, call, contact_id, principal.actor)
    mark_people(match, list(assessment.flags), policy, received_at)
    incident_id = None
    if incident is not None:
        response.incident_opened(session, incident, principal.actor, defer_prompt=True)  # see close_contact
        incident_id = incident.id
    audit.record(session, principal.actor, "contact.recorded", "contact", contact_id, after={
        "channel": data.channel, "grade": assessment.grade, "route": assessment.route,
        "flags": list(assessment.flags), "policy_version": assessment.policy_version,
        "people": len(match.people), "household_alerts": len(match.household), "incident_id": incident_id,
        "received_at": clock.iso(received_at), "received_at_reason": (data.received_at_reason or "").strip() or None,
    })
    near: dict[str, Any] = dict(lat=where.lat, lon=where.lon, description=description,
                                flags=list(assessment.flags), received_at=received_at,
                                exclude_incident=incident_id, policy=policy)
    body = {"id": contact_id, "assessment": proposal, "incident_id": incident_id,
            "location": {"lat": where.lat, "lon": where.lon, "source": where.source, "label": where.label},
            # Looked up by the insert's own statement on PostgreSQL (contact/write.py), else here.
            "possible_duplicates": duplicates.rank(candidates, **near) if candidates is not None
            else duplicates.possible_duplicates(session, **near)}
    _take_key(session, idempotency, principal, body, now)
    return body


def _people_rows(match: Any) -> list[dict[str, Any]]:
    """Who was in the contact (contact_person rows but contact_id and received_at): the repeat counts
    read these rows by query."""
    return [{"person_id": person.id, "role": role, "is_caller": is_caller, "phone_key": match.phones.get(person.id)}
            for person, role, is_caller in match.people]


def _take_key(session: Session, idempotency: tuple[str, str] | None, principal: Principal, body: dict[str, Any],
              now: datetime) -> None:
    """Store the key with its response, last, in the closing statement (contact/write.py) with the
    incident's prompt and the audit entries: a twin that took the key first (a retry, or a concurrent
    request: on PostgreSQL it waits on the key's unique index until the first commits) fails here, this
    transaction rolls back whole, and the caller answers with the stored response."""
    row = None
    if idempotency is not None:
        key, digest = idempotency
        row = {"key": _scoped(key, principal), "principal": principal.actor, "request_digest": digest,
               "status_code": 201, "response": body, "created_at": now}
    try:
        close_contact(session, row)
    except IntegrityError:
        if row is None:
            raise
        raise ReplayRace() from None


class ReplayRace(Exception):
    """A concurrent request with the same Idempotency-Key won; the caller re-reads its response."""


def attend_by_for(grade: int, urban: bool, received_at: datetime, policy: Policy,
                  appointment_at: datetime | None = None) -> datetime | None:
    if grade == 3 and appointment_at is not None:
        return appointment_at
    minutes = policy.grades.get(grade).target_minutes(urban)
    return received_at + timedelta(minutes=minutes) if minutes is not None else None


def decide(
    session: Session,
    contact_id: int,
    principal: Principal,
    *,
    grade: int,
    route: str,
    reason: str | None = None,
    appointment_at: datetime | None = None,
    policy: Policy | None = None,
) -> Contact:
    """The handler accepts or changes the proposal. A downgrade waits for a supervisor's approval."""
    policy = policy or load_policy()
    contact = _get_for_update(session, contact_id)
    if contact.status not in ("awaiting_decision",):
        raise ContactError(f"contact {contact_id} is already {contact.status.replace('_', ' ')}", "status", 409)
    _check_route(route, policy)
    if grade not in (1, 2, 3, 4):
        raise ContactError("grade must be 1, 2, 3 or 4", "grade")
    if appointment_at is not None:
        appointment_at = clock.as_utc(appointment_at)
        limit = contact.received_at + timedelta(minutes=policy.grades.get(3).target_minutes(True) or 2880)
        if grade != 3 or not (contact.received_at <= appointment_at <= limit):
            raise ContactError("appointment_at must be for grade 3, after the call and within 48 hours",
                               "appointment_at")
    proposed = int(contact.proposal["grade"])
    changed = grade != proposed or route != contact.proposal["route"]
    if changed and not (reason and reason.strip()):
        raise ContactError("a reason is required when the grade or route differs from the proposal", "reason")
    reduced = controls.reduces_response(   # "reduces the response", defined once (policy/controls.py)
        controls.Response(proposed, str(contact.proposal["route"]),
                          attend_by_for(proposed, contact.urban, contact.received_at, policy)),
        controls.Response(grade, route, attend_by_for(grade, contact.urban, contact.received_at, policy,
                                                      appointment_at) if route in DEPLOYING_ROUTES else None))
    decision = {"grade": grade, "route": route, "reason": reason, "by": principal.actor,
                "at": clock.iso(clock.now()), "appointment_at": clock.iso(appointment_at),
                "downgrade": bool(reduced), "reduces": reduced}
    before = {"status": contact.status, "grade": contact.grade, "route": contact.route}
    if reduced:  # a supervisor's own downgrade waits for another supervisor (identity/access.py)
        contact.status = "awaiting_approval"
        contact.decision = decision
        audit.record(session, principal.actor, "contact.downgrade_requested", "contact", contact.id,
                     before=before, after=decision)
        return contact
    _apply(session, contact, decision, principal, policy)
    audit.record(session, principal.actor, "contact.decided", "contact", contact.id, before=before, after=decision)
    return contact


def reassess_with_answers(session: Session, contact_id: int, principal: Principal, answers: dict[str, bool],
                          policy: Policy | None = None) -> Contact:
    """The handler's answers to the key questions: triage runs again and its result is the proposal.

    A proposal recomputed from answers is the engine's, not an override (issue #10): a provisional
    grade 1 that the answers settle at grade 3 needs no supervisor, and the incident follows it. What
    the answers established, and the proposal before them, are in the audit entry. If the handler
    has already decided something other than the proposal, that decision stands and only the
    proposal is updated.
    """
    policy = policy or load_policy()
    contact = _get_for_update(session, contact_id)
    if contact.status not in ("awaiting_decision", "decided"):
        raise ContactError(f"contact {contact_id} is {contact.status.replace('_', ' ')}: answers can be "
                           "recorded once the supervisor has decided", "status", 409)
    merged = {**(contact.answers or {}), **{k: v for k, v in answers.items() if v is not None}}
    history = [f for f in contact.proposal.get("flags", []) if f in ("repeat_victim", "repeat_caller")]
    data = ContactIn.model_validate({"channel": contact.channel, "narrative": contact.narrative,
                                     "answers": merged, "location": {"urban": contact.urban}})
    old = dict(contact.proposal)
    assessment = triage.assess(data, policy=policy, now=contact.received_at, history_flags=history)
    proposal = assessment.to_dict()
    kept = [r for r in old.get("reasons", []) if r.startswith(("repeat ", "household", "known "))]
    proposal["reasons"] = list(proposal["reasons"]) + [r for r in kept if r not in proposal["reasons"]]
    followed = contact.status == "awaiting_decision" or (
        contact.decision is not None and int(contact.decision.get("grade", 0)) == int(old["grade"])
        and contact.decision.get("route") == old["route"])
    contact.answers, contact.proposal, contact.flags = merged, proposal, list(assessment.flags)
    if followed:
        contact.grade, contact.route = assessment.grade, assessment.route
        attend_by = assessment.attend_by if assessment.route in DEPLOYING_ROUTES else None
        _follow_incident(session, contact, assessment.grade, assessment.route, attend_by,
                         f"answers settled it: {assessment.route}", principal.actor)
        if contact.decision is not None:
            contact.decision = {**contact.decision, "grade": assessment.grade, "route": assessment.route}
    audit.record(session, principal.actor, "contact.answers_recorded", "contact", contact.id,
                 before={"grade": old["grade"], "route": old["route"], "provisional": old.get("provisional")},
                 after={"answers": merged, "grade": assessment.grade, "route": assessment.route,
                        "provisional": assessment.provisional, "applied": followed})
    return contact


def approve_downgrade(session: Session, contact_id: int, principal: Principal, approve: bool,
                      note: str | None = None, policy: Policy | None = None) -> Contact:
    """A supervisor who did not ask for it approves (or refuses) a requested downgrade; refusing keeps
    the proposal in force."""
    if not principal.has_any("supervisor"):
        raise ContactError("only a supervisor may approve a downgrade", "role", 403)
    policy = policy or load_policy()
    contact = _get_for_update(session, contact_id)
    if contact.status != "awaiting_approval" or not contact.decision:
        raise ContactError(f"contact {contact_id} has no downgrade awaiting approval", "status", 409)
    try:
        access.check_not_requester(principal, str(contact.decision.get("by") or ""), "approve a downgrade")
    except access.AccessDenied as exc:
        raise ContactError(str(exc), exc.field, 403) from None
    before = {"status": contact.status, "grade": contact.grade, "route": contact.route}
    decision = dict(contact.decision)
    if approve:
        decision["approved_by"] = principal.actor
        decision["approval_note"] = note
        _apply(session, contact, decision, principal, policy)
        action = "contact.downgrade_approved"
    else:
        decision = {"grade": contact.proposal["grade"], "route": contact.proposal["route"],
                    "reason": "downgrade refused", "refused_by": principal.actor, "refusal_note": note,
                    "requested": contact.decision, "by": principal.actor, "at": clock.iso(clock.now())}
        _apply(session, contact, decision, principal, policy)
        action = "contact.downgrade_refused"
    audit.record(session, principal.actor, action, "contact", contact.id, before=before, after=decision)
    return contact


def _apply(session: Session, contact: Contact, decision: dict[str, Any], principal: Principal, policy: Policy) -> None:
    grade, route = int(decision["grade"]), str(decision["route"])
    appointment = decision.get("appointment_at")
    appointment_at = datetime.fromisoformat(appointment.replace("Z", "+00:00")) if appointment else None
    contact.grade, contact.route, contact.decision, contact.status = grade, route, decision, "decided"
    attend_by = attend_by_for(grade, contact.urban, contact.received_at, policy, appointment_at) \
        if route in DEPLOYING_ROUTES else None
    _follow_incident(session, contact, grade, route, attend_by, f"route changed to {route}", principal.actor,
                     approved_by=decision.get("approved_by"), requested_by=decision.get("by"))


def _follow_incident(session: Session, contact: Contact, grade: int, route: str, attend_by: datetime | None,
                     stand_down_reason: str, actor: str, approved_by: str | None = None,
                     requested_by: str | None = None) -> None:
    """The one place a contact's incident follows its grade and route: opened, regraded or stood down."""
    existing = response.incident_for_contact(session, contact.id)
    if route in DEPLOYING_ROUTES:
        if existing is None:
            response.open_incident(
                session, contact_id=contact.id, grade=grade, flags=list(contact.flags), urban=contact.urban,
                received_at=contact.received_at, attend_by=attend_by, lat=contact.lat, lon=contact.lon,
                location_description=contact.location_description, area=contact.area, actor=actor)
        else:
            response.regrade_for_contact(session, contact.id, grade, attend_by, actor)
    elif existing is not None:
        # a grade 1 or 2 stood down before arrival waits for a second person unless one approved it
        response.stand_down_for_contact(session, contact.id, stand_down_reason, actor, approved_by=approved_by,
                                        requested_by=requested_by)


def _check_route(route: str, policy: Policy) -> None:
    if route in policy.routes.routes:
        return
    if route.startswith("refer:") and route[6:] in policy.routes.agency_ids():
        return
    raise ContactError(f"unknown route {route!r}", "route")


def _get_for_update(session: Session, contact_id: int) -> Contact:
    contact = session.execute(select(Contact).where(Contact.id == contact_id).with_for_update()).scalar_one_or_none()
    if contact is None:
        raise ContactError(f"contact {contact_id} not found", "id", 404)
    return contact


def get_contact(session: Session, contact_id: int) -> Contact | None:
    return session.get(Contact, contact_id)


def get_person(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)


def contact_json(session: Session, contact: Contact) -> dict[str, Any]:
    incident = response.incident_for_contact(session, contact.id)
    people = session.execute(
        select(ContactPerson).where(ContactPerson.contact_id == contact.id).order_by(ContactPerson.id)
    ).scalars()
    return {
        "id": contact.id, "channel": contact.channel, "agency": contact.agency, "source": contact.source,
        "received_at": clock.iso(contact.received_at), "answered_at": clock.iso(contact.answered_at),
        "narrative": contact.narrative,
        "location": {"lat": contact.lat, "lon": contact.lon, "description": contact.location_description,
                     "urban": contact.urban,
                     **location.location_json(location.location_of(session, contact.id), contact.lat is not None)},
        "area": contact.area, "answers": contact.answers, "assessment": contact.proposal,
        "status": contact.status, "decision": contact.decision, "grade": contact.grade, "route": contact.route,
        "flags": contact.flags, "policy_version": contact.policy_version, "household": contact.household,
        **_as_given(contact, list(people)),
        "incident_id": incident.id if incident else None, "recorded_by": contact.recorded_by,
    }


def _as_given(contact: Contact, links: list[ContactPerson]) -> dict[str, Any]:
    """`caller` and `people` as this contact gave them (CONTRACT: name, phone, dob, address, role)."""
    given = contact.given or {}
    if given:
        return {"caller": given.get("caller"), "people": list(given.get("people") or []),
                "details_verified": bool(given.get("verified"))}
    # Contacts recorded before details were kept as given (or seeded in bulk): the links only.
    caller = next(({"person_id": p.person_id, "role": p.role} for p in links if p.is_caller), None)
    return {"caller": caller, "people": [{"person_id": p.person_id, "role": p.role} for p in links
                                         if not p.is_caller], "details_verified": None}


def queue(session: Session, limit: int = 200, principal: Principal | None = None) -> list[Contact]:
    """Contacts awaiting a decision or a supervisor's approval, most urgent first. With a principal whose
    roles do not read other rooms' contacts, narrowed in the query to what they may read (their team's,
    no team's, their own, the online queue, and approvals, which the caller's read check narrows), so
    another room's queue cannot push theirs off the page."""
    query = select(Contact).where(Contact.status.in_(("awaiting_decision", "awaiting_approval")))
    if principal is not None and not access.reads_other_teams("contact", principal):
        query = query.where(or_(
            Contact.status == "awaiting_approval", Contact.team.is_(None), Contact.recorded_by == principal.actor,
            Contact.channel == "online", *((Contact.team == principal.team,) if principal.team else ())))
    return list(session.execute(query.order_by(Contact.grade, Contact.received_at).limit(limit)).scalars())


def open_reassessments(session: Session, contact_id: int | None = None) -> list[Reassessment]:
    query = select(Reassessment).where(Reassessment.done_at.is_(None)).order_by(Reassessment.due_at)
    if contact_id is not None:
        query = query.where(Reassessment.contact_id == contact_id)
    return list(session.execute(query).scalars())


def complete_reassessment(session: Session, reassessment_id: int, principal: Principal, note: str) -> Reassessment:
    item = session.get(Reassessment, reassessment_id)
    if item is None:
        raise ContactError(f"re-assessment {reassessment_id} not found", "id", 404)
    if item.done_at is not None:
        raise ContactError("this re-assessment is already done", "status", 409)
    if not note.strip():
        raise ContactError("record what the re-assessment found", "note")
    item.done_at, item.done_by, item.note = clock.now(), principal.actor, note
    audit.record(session, principal.actor, "contact.reassessed", "contact", item.contact_id,
                 after={"reassessment_id": item.id, "note": note})
    return item


@handler("incident.rethrive")
def _rethrive(session: Session, payload: dict[str, Any]) -> None:
    """An incident still waits for a unit: prompt a re-THRIVE, and come back after the policy interval."""
    incident_id = int(payload["incident_id"])
    incident = response.get_incident(session, incident_id)
    if incident is None or incident.arrived_at is not None or incident.status not in response.OPEN_STATUSES:
        return
    if incident.contact_id is None:
        return
    rules = load_policy().reassessment
    now = clock.now()
    session.add(Reassessment(contact_id=incident.contact_id, due_at=now,
                             reason="attend-by time passed without an arrival"
                             if incident.attend_by and now >= incident.attend_by else "waiting incident review"))
    audit.record(session, "system:jobs", "contact.reassessment_due", "contact", incident.contact_id,
                 after={"incident_id": incident_id})
    count = int(payload.get("n", 0)) + 1
    enqueue(session, "incident.rethrive", {"incident_id": incident_id, "n": count},
            now + timedelta(hours=rules.every_hours), dedupe_key=f"rethrive:{incident_id}:{count}")
