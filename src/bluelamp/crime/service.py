"""Use cases of the crime context: record a crime, plan, act, review, close.

Each function validates first, then changes state in the caller's transaction and writes the audit
entry, so a refused request leaves nothing behind. The bureau lives in `bureau.py`, the clock sweep
in `sweep.py`, the JSON shapes in `views.py`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.alerts import service as alerts
from bluelamp.audit import service as audit
from bluelamp.contact.matching import text_key
from bluelamp.contact.store import Contact
from bluelamp.crime import bureau, model, sweep
from bluelamp.crime.model import CLOSED, OPEN, PENDING_CLOSURE, CrimeError, PlanContext
from bluelamp.crime.store import (
    Crime,
    CrimeAlert,
    CrimeParty,
    InvestigationAction,
    InvestigationPlan,
    ReviewDue,
    SupervisoryReview,
)
from bluelamp.identity import access
from bluelamp.identity import service as identity
from bluelamp.identity.model import Principal
from bluelamp.policy import Policy, load_policy
from bluelamp.response.store import Incident
from bluelamp.victims import service as victims

RECORDERS = ("investigator", "supervisor", "cab_officer")
INVESTIGATORS = ("investigator", "supervisor")
READERS = ("investigator", "supervisor", "cab_officer", "victim_care", "auditor")


def _clean_party(raw: dict[str, Any]) -> dict[str, Any]:
    role = str(raw.get("role") or "")
    if role not in model.PARTY_ROLES:
        raise CrimeError(f"a party's role must be one of {', '.join(model.PARTY_ROLES)}", "parties.role")
    name = (str(raw.get("name") or "").strip() or None)
    if name and len(name) > 200:
        raise CrimeError("a party's name is too long", "parties.name")
    dob = raw.get("dob")
    if isinstance(dob, str) and dob:
        try:
            dob = date.fromisoformat(dob)
        except ValueError:
            raise CrimeError("dob must be a date (YYYY-MM-DD)", "parties.dob") from None
    if dob is not None and not isinstance(dob, date):
        raise CrimeError("dob must be a date (YYYY-MM-DD)", "parties.dob")
    if isinstance(dob, date) and dob > clock.now().date():
        raise CrimeError("dob is in the future", "parties.dob")
    details = raw.get("details") or {}
    return {"role": role, "name": name, "dob": dob or None, "person_id": raw.get("person_id"), "details": details}


def _oic_team(session: Session, principal: Principal, oic: str | None) -> tuple[str, str | None]:
    """The officer in charge (a real, active user with the investigator role) and their team."""
    name = (oic or "").strip()
    if not name or name == principal.username:
        if access.OIC_ROLE not in principal.roles:
            raise CrimeError("name the officer in charge (oic): a user with the investigator role", "oic")
        return principal.username, principal.team
    found = identity.team_of(session, name)
    if found is None:
        raise CrimeError(f"oic {name!r} is not an active user", "oic")
    team, roles = found
    if access.OIC_ROLE not in roles:
        raise CrimeError(f"oic {name!r} does not hold the investigator role", "oic")
    return name, team


def crime_team(session: Session, crime: Crime) -> str | None:
    """The crime's team; a crime recorded before teams follows its OIC's current team."""
    return identity.effective_team(session, crime.oic, crime.team)


def check_change(session: Session, crime: Crime, principal: Principal, kind: str = "crime") -> str:
    """Its OIC, their team or their supervisor may change the crime (identity/access.py), else 403."""
    try:
        return access.check_change(kind, principal, crime.oic, crime_team(session, crime))
    except access.AccessDenied as exc:
        raise CrimeError(str(exc), exc.field, 403) from None


def _not_requester(principal: Principal, requested_by: str | None, what: str) -> None:
    try:
        access.check_not_requester(principal, requested_by, what)
    except access.AccessDenied as exc:
        raise CrimeError(str(exc), exc.field, 403) from None


def _source_time(session: Session, contact_id: int | None, incident_id: int | None) -> datetime:
    if contact_id is None and incident_id is None:
        raise CrimeError("a crime is recorded from a contact or an incident: give contact_id or incident_id",
                         "contact_id")
    times = []
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise CrimeError(f"contact {contact_id} not found", "contact_id", 404)
        times.append(contact.received_at)
    if incident_id is not None:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise CrimeError(f"incident {incident_id} not found", "incident_id", 404)
        if contact_id is not None and incident.contact_id not in (None, contact_id):
            raise CrimeError("the incident belongs to a different contact", "incident_id")
        times.append(incident.received_at)
    return min(times)


def _add_party(session: Session, crime: Crime, p: dict[str, Any], principal: Principal, policy: Policy) -> CrimeParty:
    """A cleaned party stored against the crime; a victim also gets their victim record (Victims' Code)."""
    party = CrimeParty(crime_id=crime.id, role=p["role"], name=p["name"], name_key=text_key(p["name"]),
                       dob=p["dob"], person_id=p["person_id"], details=p["details"])
    session.add(party)
    session.flush()
    if party.role == "victim":
        victims.open_victim(session, crime, party, principal.actor, policy=policy)
    return party


def record_crime(
    session: Session,
    principal: Principal,
    *,
    offence: str,
    risk: str,
    contact_id: int | None = None,
    incident_id: int | None = None,
    reported_at: datetime | None = None,
    recorded: bool = True,
    summary: str = "",
    domestic: bool = False,
    hate: bool = False,
    oic: str | None = None,
    parties: list[dict[str, Any]] | None = None,
    restart_reason: str | None = None,
    policy: Policy | None = None,
) -> Crime:
    """Record a crime from a contact or incident; the NCRS clock runs from the report."""
    policy = policy or load_policy()
    rules = policy.doc("investigation")
    now = clock.now()
    found = policy.doc("offences").find(offence)
    if found is None:
        raise CrimeError(f"unknown offence {offence!r}", "offence")
    group, off = found
    model.check_risk(risk)
    oic_name, team = _oic_team(session, principal, oic)
    source_at = _source_time(session, contact_id, incident_id)
    if reported_at is None:
        reported_at = source_at
    model.check_not_future(reported_at, now, "reported_at")
    reported_at = clock.as_utc(reported_at)
    model.check_order(source_at, reported_at, "the contact or incident", "reported_at")
    restart = model.check_restart(source_at, reported_at, restart_reason, rules)
    cleaned = [_clean_party(p) for p in (parties or [])]
    recorded_at = now if recorded else None
    crime = Crime(
        contact_id=contact_id, incident_id=incident_id, offence=off.id, offence_group=group.id,
        most_serious=off.most_serious, domestic=bool(domestic), hate=bool(hate), summary=(summary or "").strip()[:10_000],
        reported_at=reported_at, record_due_at=model.recording_due(reported_at, rules), recorded_at=recorded_at,
        original_record_due_at=model.recording_due(source_at, rules) if restart else None,
        plan_due_at=reported_at + timedelta(hours=rules.plan_within_hours),
        recording_restart_reason=restart,
        recorded_by=principal.actor if recorded else None, oic=oic_name, team=team, risk=risk,
        status=OPEN, policy_version=policy.version, created_at=now,
        next_review_due_at=model.first_review_due(recorded_at, risk, rules) if recorded_at else None,
    )
    session.add(crime)
    session.flush()
    _review_falls_due(session, crime)
    for p in cleaned:
        _add_party(session, crime, p, principal, policy)
    audit.record(session, principal.actor, "crime.recorded", "crime", crime.id, after={
        "offence": crime.offence, "group": crime.offence_group, "risk": risk, "reported_at": clock.iso(reported_at),
        "recorded_at": clock.iso(recorded_at), "record_due_at": clock.iso(crime.record_due_at),
        "contact_id": contact_id, "incident_id": incident_id, "parties": [p["role"] for p in cleaned],
        "oic": oic_name, "team": team,
        "original_record_due_at": clock.iso(crime.original_record_due_at), "restart_reason": restart,
        "policy_version": policy.version,
    })
    bureau.create_task(session, "recording_check", actor=principal.actor, crime_id=crime.id,
                       due_at=crime.record_due_at, dedupe_key=f"recording_check:{crime.id}", policy=policy)
    sweep.ensure_scheduled(session, now, policy)
    return crime


def get_crime(session: Session, crime_id: int, for_update: bool = False) -> Crime:
    q = select(Crime).where(Crime.id == crime_id)
    if for_update:
        q = q.with_for_update()
    crime = session.execute(q).scalar_one_or_none()
    if crime is None:
        raise CrimeError(f"crime {crime_id} not found", "id", 404)
    return crime


def check_read(session: Session, crime: Crime, principal: Principal, reason: str | None = None) -> str:
    """The view the principal gets on this crime (identity/access.py: investigators and victim care read
    their team's crimes; wider is a search with a stated reason), else 403 naming `reason` or `role`."""
    own = access.reads_crime_as_own(principal, crime.oic, crime_team(session, crime))
    try:
        return access.view_for("crime", principal, own=own, reason=reason)
    except access.AccessDenied as exc:
        raise CrimeError(str(exc), exc.field, 403) from None


def list_for(session: Session, principal: Principal, *, mine: bool, reason: str | None = None,
             limit: int = 500) -> list[Crime]:
    """The crimes list: mine (as OIC); else my team's, or every open crime for roles that read every
    crime or with a stated reason (a search)."""
    if mine:
        return my_crimes(session, principal.username, limit=limit)
    try:
        access.view_for("crime", principal, own=False, reason=reason)
        return open_crimes(session, limit=limit)
    except access.AccessDenied:
        if principal.team is None:
            return my_crimes(session, principal.username, limit=limit)
        return team_crimes(session, principal.team, limit=limit)


def _open(crime: Crime) -> None:
    if crime.status == CLOSED:
        raise CrimeError(f"crime {crime.id} is closed", "status", 409)


def confirm_recording(session: Session, crime_id: int, principal: Principal,
                      policy: Policy | None = None) -> Crime:
    """The recording decision for a reported crime: starts the review schedule, stops the NCRS clock."""
    policy = policy or load_policy()
    crime = get_crime(session, crime_id, for_update=True)
    _open(crime)
    if crime.recorded_at is not None:
        raise CrimeError(f"crime {crime_id} is already recorded", "recorded_at", 409)
    now = clock.now()
    crime.recorded_at, crime.recorded_by = now, principal.actor
    crime.next_review_due_at = model.first_review_due(now, crime.risk, policy.doc("investigation"))
    _review_falls_due(session, crime)
    _resolve_alerts(session, crime.id, ("recording",), now)
    audit.record(session, principal.actor, "crime.recording_confirmed", "crime", crime.id, after={
        "recorded_at": clock.iso(now), "state": model.recording_state(crime.reported_at, now, now,
                                                                      policy.doc("investigation"))})
    return crime


def _review_falls_due(session: Session, crime: Crime) -> None:
    """Record the review the crime's schedule now expects (the denominator of reviews_on_time)."""
    if crime.next_review_due_at is not None:
        session.add(ReviewDue(crime_id=crime.id, due_at=crime.next_review_due_at, risk=crime.risk, cancelled=False))


def parties_of(session: Session, crime_id: int) -> list[CrimeParty]:
    return list(session.execute(select(CrimeParty).where(CrimeParty.crime_id == crime_id)
                                .order_by(CrimeParty.id)).scalars())


def _identified(p: CrimeParty) -> bool:
    """A party is identified by a name or a matched person; an empty row is not an identification."""
    return bool((p.name or "").strip()) or p.person_id is not None


def plan_context(session: Session, crime: Crime) -> PlanContext:
    parties = parties_of(session, crime.id)
    return PlanContext(suspect_known=any(p.role == "suspect" and _identified(p) for p in parties),
                       domestic=crime.domestic, has_victim=any(p.role == "victim" for p in parties))


def add_party(session: Session, crime_id: int, principal: Principal, raw: dict[str, Any],
              policy: Policy | None = None) -> CrimeParty:
    """Add a victim, suspect or witness after recording (a suspect identified later, a second victim)."""
    if not principal.has_any(*RECORDERS):
        raise CrimeError("only an investigator, a supervisor or the bureau may add a party", "role", 403)
    policy = policy or load_policy()
    p = _clean_party(raw)
    if not p["name"] and p["person_id"] is None:
        raise CrimeError("a party added to a crime needs a name or a matched person", "parties.name")
    crime = get_crime(session, crime_id, for_update=True)
    _open(crime)
    party = _add_party(session, crime, p, principal, policy)
    _rescore(session, crime, policy)
    audit.record(session, principal.actor, "crime.party_added", "crime", crime.id,
                 after={"party_id": party.id, "role": party.role})
    return party


def _action_count(session: Session, crime_id: int) -> int:
    return int(session.execute(select(func.count()).select_from(InvestigationAction)
                               .where(InvestigationAction.crime_id == crime_id)).scalar_one())


def save_plan(session: Session, crime_id: int, principal: Principal, elements: dict[str, Any],
              policy: Policy | None = None) -> InvestigationPlan:
    """Write (or rewrite) the plan and score it; the reasons say what is missing."""
    policy = policy or load_policy()
    rules = policy.doc("investigation")
    crime = get_crime(session, crime_id, for_update=True)
    _open(crime)
    check_change(session, crime, principal)
    clean = model.clean_elements(elements or {}, rules)
    score = model.score_plan(clean, plan_context(session, crime), _action_count(session, crime.id), rules)
    plan = session.execute(select(InvestigationPlan).where(InvestigationPlan.crime_id == crime.id)).scalar_one_or_none()
    before = {"score": plan.score, "version": plan.version} if plan else None
    now = clock.now()
    if plan is None:
        plan = InvestigationPlan(crime_id=crime.id, version=1)
        session.add(plan)
    else:
        plan.version += 1
    plan.elements, plan.score, plan.band, plan.reasons = clean, score.score, score.band, score.reasons
    plan.updated_at, plan.updated_by, plan.policy_version = now, principal.actor, policy.version
    crime.plan_score = score.score
    if crime.first_plan_at is None:
        crime.first_plan_at = now
    session.flush()
    _resolve_alerts(session, crime.id, ("no_plan",), now)
    audit.record(session, principal.actor, "crime.plan_saved", "crime", crime.id, before=before,
                 after={"version": plan.version, **score.to_dict()})
    return plan


def get_plan(session: Session, crime_id: int) -> InvestigationPlan | None:
    return session.execute(select(InvestigationPlan).where(InvestigationPlan.crime_id == crime_id)).scalar_one_or_none()


def _rescore(session: Session, crime: Crime, policy: Policy) -> None:
    plan = get_plan(session, crime.id)
    if plan is None:
        return
    rules = policy.doc("investigation")
    score = model.score_plan(plan.elements, plan_context(session, crime), _action_count(session, crime.id), rules)
    plan.score, plan.band, plan.reasons = score.score, score.band, score.reasons
    crime.plan_score = score.score


def add_action(session: Session, crime_id: int, principal: Principal, *, element: str, description: str,
               due_at: datetime | None = None, policy: Policy | None = None) -> InvestigationAction:
    policy = policy or load_policy()
    rules = policy.doc("investigation")
    if element not in {e.id for e in rules.elements}:
        raise CrimeError(f"unknown plan element {element!r}", "element")
    text = (description or "").strip()
    if len(text) < 5:
        raise CrimeError("an action needs a description", "description")
    crime = get_crime(session, crime_id, for_update=True)
    _open(crime)
    check_change(session, crime, principal)
    now = clock.now()
    if due_at is not None:
        model.check_aware(due_at, "due_at")
        model.check_order(now, clock.as_utc(due_at), "now", "due_at")
    action = InvestigationAction(crime_id=crime.id, element=element, description=text[:5000], created_at=now,
                                 created_by=principal.actor, due_at=due_at)
    session.add(action)
    session.flush()
    _rescore(session, crime, policy)
    audit.record(session, principal.actor, "crime.action_added", "crime", crime.id,
                 after={"action_id": action.id, "element": element, "due_at": clock.iso(due_at)})
    return action


BUREAU_EVENTS = ("classification_query", "property_seized")


def raise_bureau_event(session: Session, crime_id: int, principal: Principal, event: str,
                       policy: Policy | None = None) -> list[Any]:
    """An officer hands work to the bureau: a classification query, or property seized."""
    if event not in BUREAU_EVENTS:
        raise CrimeError(f"event must be one of {', '.join(BUREAU_EVENTS)}", "event")
    crime = get_crime(session, crime_id)
    _open(crime)
    return bureau.tasks_for_event(session, event, actor=principal.actor, crime_id=crime.id, policy=policy)


def complete_action(session: Session, crime_id: int, action_id: int, principal: Principal, *,
                    result: str | None = None, done_at: datetime | None = None) -> InvestigationAction:
    crime = get_crime(session, crime_id, for_update=True)
    _open(crime)
    check_change(session, crime, principal)
    action = session.get(InvestigationAction, action_id)
    if action is None or action.crime_id != crime.id:
        raise CrimeError(f"action {action_id} not found on crime {crime_id}", "action_id", 404)
    if action.done_at is not None:
        raise CrimeError(f"action {action_id} is already done", "done_at", 409)
    now = clock.now()
    when = clock.as_utc(model.check_not_future(done_at, now, "done_at")) if done_at else now
    model.check_order(action.created_at, when, "the action was created", "done_at")
    action.done_at, action.done_by, action.result = when, principal.actor, (result or "").strip()[:5000] or None
    audit.record(session, principal.actor, "crime.action_done", "crime", crime.id,
                 after={"action_id": action.id, "done_at": clock.iso(when)})
    return action


def review(session: Session, crime_id: int, principal: Principal, *, direction: str, risk: str | None = None,
           reviewed_at: datetime | None = None, policy: Policy | None = None) -> SupervisoryReview:
    """The OIC's supervisor (in their team, not the OIC) reviews the crime with written direction; the
    next review is set by risk."""
    if not principal.has_any("supervisor"):
        raise CrimeError("only a supervisor may review a crime", "role", 403)
    policy = policy or load_policy()
    rules = policy.doc("investigation")
    text = model.check_direction(direction, rules)
    new_risk = model.check_risk(risk) if risk else None
    crime = get_crime(session, crime_id, for_update=True)
    _open(crime)
    _not_requester(principal, crime.oic, "review a crime")
    if check_change(session, crime, principal) not in ("supervisor", "admin"):
        raise CrimeError("only the officer in charge's supervisor may review the crime", "role", 403)
    now = clock.now()
    when = clock.as_utc(model.check_not_future(reviewed_at, now, "reviewed_at")) if reviewed_at else now
    model.check_order(crime.reported_at, when, "reported_at", "reviewed_at")
    if crime.last_review_at is not None:
        model.check_order(crime.last_review_at, when, "the previous review", "reviewed_at")
    risk_now = new_risk or crime.risk
    was_due = crime.next_review_due_at
    nxt = model.next_review_due(when, risk_now, rules)
    row = SupervisoryReview(crime_id=crime.id, reviewer=principal.actor, reviewed_at=when, direction=text[:10_000],
                            risk=risk_now, plan_score=crime.plan_score, was_due_at=was_due,
                            late=bool(was_due and when > was_due), next_due_at=nxt)
    session.add(row)
    before = {"risk": crime.risk, "next_review_due_at": clock.iso(was_due)}
    crime.risk, crime.last_review_at, crime.next_review_due_at = risk_now, when, nxt
    session.flush()
    session.execute(update(ReviewDue).where(ReviewDue.crime_id == crime.id, ReviewDue.done_at.is_(None),
                                            ReviewDue.cancelled.is_(False)).values(done_at=when, review_id=row.id))
    _review_falls_due(session, crime)
    _resolve_alerts(session, crime.id, ("review_missed",), now)
    audit.record(session, principal.actor, "crime.reviewed", "crime", crime.id, before=before, after={
        "review_id": row.id, "risk": risk_now, "late": row.late, "next_review_due_at": clock.iso(nxt),
        "plan_score": crime.plan_score})
    return row


def raise_risk(session: Session, crime_id: int, risk: str, reason: str, actor: str,
               policy: Policy | None = None) -> Crime:
    """Raise (never lower) a crime's review risk for a reason (a high DASH); the next review comes sooner
    when the new risk's schedule asks for it. A review not yet due moves; one already missed stays missed."""
    policy = policy or load_policy()
    rules = policy.doc("investigation")
    model.check_risk(risk)
    crime = get_crime(session, crime_id, for_update=True)
    if crime.status == CLOSED or model.RISKS.index(risk) >= model.RISKS.index(crime.risk):
        return crime
    now = clock.now()
    before = {"risk": crime.risk, "next_review_due_at": clock.iso(crime.next_review_due_at)}
    crime.risk = risk
    if crime.recorded_at is not None:
        sooner = model.first_review_due(now, risk, rules)
        if crime.next_review_due_at is None or crime.next_review_due_at > sooner:
            session.execute(update(ReviewDue).where(ReviewDue.crime_id == crime.id, ReviewDue.done_at.is_(None),
                                                    ReviewDue.cancelled.is_(False), ReviewDue.due_at > now)
                            .values(cancelled=True))
            crime.next_review_due_at = sooner
            _review_falls_due(session, crime)
    audit.record(session, actor, "crime.risk_raised", "crime", crime.id, before=before, after={
        "risk": risk, "next_review_due_at": clock.iso(crime.next_review_due_at), "reason": reason[:500]})
    return crime


def reviews_of(session: Session, crime_id: int) -> list[SupervisoryReview]:
    return list(session.execute(select(SupervisoryReview).where(SupervisoryReview.crime_id == crime_id)
                                .order_by(SupervisoryReview.reviewed_at)).scalars())


def actions_of(session: Session, crime_id: int) -> list[InvestigationAction]:
    return list(session.execute(select(InvestigationAction).where(InvestigationAction.crime_id == crime_id)
                                .order_by(InvestigationAction.id)).scalars())


def _resolve_alerts(session: Session, crime_id: int, kinds: tuple[str, ...], now: datetime) -> None:
    alerts.resolve(session, crime_id, kinds, now)


def request_closure(session: Session, crime_id: int, principal: Principal, *, outcome: str | None,
                    evidence: dict[str, Any] | None, policy: Policy | None = None) -> Crime:
    """Propose an outcome with its evidence; an outcome that needs approval waits for a supervisor who
    is not the requester (a supervisor's own proposal is not its own approval)."""
    if not principal.has_any(*INVESTIGATORS):
        raise CrimeError("only the investigator or a supervisor may close a crime", "role", 403)
    policy = policy or load_policy()
    crime = get_crime(session, crime_id, for_update=True)
    if crime.status != OPEN:
        raise CrimeError(f"crime {crime_id} is {crime.status.replace('_', ' ')}", "status", 409)
    check_change(session, crime, principal)
    if crime.recorded_at is None:
        raise CrimeError("a crime must be recorded before it closes", "recorded_at", 409)
    if get_plan(session, crime.id) is None:
        raise CrimeError("a crime cannot close without an investigation plan", "plan", 409)
    ctx = plan_context(session, crime)
    out, clean = model.check_outcome(outcome, evidence, ctx.suspect_known, policy.doc("outcomes"))
    element = policy.doc("outcomes").withdrawal_needs_plan_element
    if crime.domestic and out.victim_withdrawal and element:
        plan = get_plan(session, crime.id)
        written = ((plan.elements or {}).get(element, {}) if plan else {}).get("text", "")
        spec = next((e for e in policy.doc("investigation").elements if e.id == element), None)
        if len(written) < (spec.min_chars if spec else 15):
            label = (spec.label if spec else element.replace("_", " ")).lower()
            raise CrimeError(f"a domestic crime closing on outcome {out.code} (the victim does not support action) "
                             f"needs \"{label}\" written in the plan first", f"elements.{element}", 409)
    still_open = [a.id for a in actions_of(session, crime.id) if a.done_at is None]
    if still_open:
        raise CrimeError(f"a crime cannot close with {len(still_open)} open action(s) (ids "
                         f"{', '.join(map(str, still_open))}): record their results first", "actions", 409)
    now = clock.now()
    crime.outcome, crime.outcome_evidence = out.code, clean
    crime.closure_requested_by, crime.closure_requested_at = principal.actor, now
    crime.status = PENDING_CLOSURE
    audit.record(session, principal.actor, "crime.closure_requested", "crime", crime.id,
                 after={"outcome": out.code, "evidence": sorted(clean)})
    if not out.supervisor_approval:
        _close(session, crime, principal, policy, note="outcome needs no approval")
    return crime


def decide_closure(session: Session, crime_id: int, principal: Principal, *, approve: bool,
                   note: str | None = None, policy: Policy | None = None) -> Crime:
    """The OIC's supervisor, not the one who asked, approves the proposed outcome (the crime closes) or
    refuses it with a reason."""
    if not principal.has_any("supervisor"):
        raise CrimeError("only a supervisor may approve a closure", "role", 403)
    policy = policy or load_policy()
    crime = get_crime(session, crime_id, for_update=True)
    if crime.status != PENDING_CLOSURE:
        raise CrimeError(f"crime {crime_id} has no closure awaiting approval", "status", 409)
    _not_requester(principal, crime.closure_requested_by, "approve a closure")
    if check_change(session, crime, principal) not in ("supervisor", "admin"):
        raise CrimeError("only the officer in charge's supervisor may approve the closure", "role", 403)
    if approve:
        _close(session, crime, principal, policy, note=note)
        return crime
    if not (note and note.strip()):
        raise CrimeError("refusing a closure needs a reason for the investigator", "note")
    before = {"status": crime.status, "outcome": crime.outcome}
    crime.status, crime.outcome, crime.outcome_evidence = OPEN, None, None
    crime.closure_requested_by = crime.closure_requested_at = None
    audit.record(session, principal.actor, "crime.closure_refused", "crime", crime.id, before=before,
                 after={"status": OPEN, "note": note.strip()[:2000]})
    return crime


def _close(session: Session, crime: Crime, principal: Principal, policy: Policy, note: str | None) -> None:
    now = clock.now()
    crime.status, crime.closed_at, crime.approved_by, crime.next_review_due_at = CLOSED, now, principal.actor, None
    # A review not yet due when the crime closes never fell due; an overdue one stays missed.
    session.execute(update(ReviewDue).where(ReviewDue.crime_id == crime.id, ReviewDue.done_at.is_(None),
                                            ReviewDue.due_at > now).values(cancelled=True))
    _resolve_alerts(session, crime.id, ("review_missed", "recording", "no_plan"), now)
    audit.record(session, principal.actor, "crime.closed", "crime", crime.id, after={
        "outcome": crime.outcome, "approved_by": principal.actor, "note": (note or "")[:2000] or None})
    out = policy.doc("outcomes").get(crime.outcome or "")
    for kind in (out.bureau_tasks if out else []):
        if kind == "victim_outcome_letter":
            continue  # one per victim, written by the victims context
        bureau.create_task(session, kind, actor=principal.actor, crime_id=crime.id,
                           dedupe_key=f"{kind}:{crime.id}", policy=policy)
    bureau.tasks_for_event(session, "crime_closed", actor=principal.actor, crime_id=crime.id, policy=policy)
    victims.crime_closed(session, crime, out.name if out else str(crime.outcome),
                         letters=bool(out and "victim_outcome_letter" in out.bureau_tasks),
                         actor=principal.actor, policy=policy, event=out.right6_event if out else None)


def change_oic(session: Session, crime_id: int, principal: Principal, *, oic: str, reason: str) -> Crime:
    """A supervisor of the crime's team (not the OIC) hands the crime to another investigator, with a
    reason; the crime moves to the new OIC's team. Audited."""
    if not principal.has_any("supervisor"):
        raise CrimeError("only a supervisor may change the officer in charge", "role", 403)
    text = (reason or "").strip()
    if len(text) < 5:
        raise CrimeError("changing the officer in charge needs a reason", "reason")
    crime = get_crime(session, crime_id, for_update=True)
    _open(crime)
    _not_requester(principal, crime.oic, "change the officer in charge of a crime")
    if check_change(session, crime, principal) not in ("supervisor", "admin"):
        raise CrimeError("only the officer in charge's supervisor may hand the crime on", "role", 403)
    name = (oic or "").strip()
    if not name:
        raise CrimeError("name the new officer in charge", "oic")
    if name == crime.oic:
        raise CrimeError(f"{name} is already the officer in charge", "oic", 409)
    found = identity.team_of(session, name)
    if found is None:
        raise CrimeError(f"oic {name!r} is not an active user", "oic")
    if access.OIC_ROLE not in found[1]:
        raise CrimeError(f"oic {name!r} does not hold the investigator role", "oic")
    before = {"oic": crime.oic, "team": crime.team}
    crime.oic, crime.team = name, found[0]
    audit.record(session, principal.actor, "crime.oic_changed", "crime", crime.id, before=before,
                 after={"oic": name, "team": crime.team, "reason": text[:2000]})
    return crime


def team_crimes(session: Session, team: str, include_closed: bool = False, limit: int = 500) -> list[Crime]:
    """The open crimes of a team (the team of each crime, or of its OIC for crimes before teams)."""
    from bluelamp.identity.store import User

    members = select(User.username).where(User.team == team)
    q = select(Crime).where((Crime.team == team) | (Crime.team.is_(None) & Crime.oic.in_(members)))
    if not include_closed:
        q = q.where(Crime.status != CLOSED)
    return list(session.execute(q.order_by(Crime.next_review_due_at.is_(None), Crime.next_review_due_at)
                                .limit(limit)).scalars())


def my_crimes(session: Session, username: str, include_closed: bool = False, limit: int = 500) -> list[Crime]:
    q = select(Crime).where(Crime.oic == username)
    if not include_closed:
        q = q.where(Crime.status != CLOSED)
    return list(session.execute(q.order_by(Crime.next_review_due_at.is_(None), Crime.next_review_due_at)
                                .limit(limit)).scalars())


def open_crimes(session: Session, limit: int = 500) -> list[Crime]:
    return list(session.execute(select(Crime).where(Crime.status != CLOSED)
                                .order_by(Crime.reported_at.desc()).limit(limit)).scalars())


def reviews_due(session: Session, until: datetime, limit: int = 500) -> list[Crime]:
    """Open crimes whose next review is due by `until`, most overdue first (partial index on the due time)."""
    return list(session.execute(
        select(Crime).where(Crime.status != CLOSED, Crime.next_review_due_at <= until)
        .order_by(Crime.next_review_due_at).limit(limit)).scalars())


def pending_closures(session: Session, limit: int = 200) -> list[Crime]:
    return list(session.execute(select(Crime).where(Crime.status == PENDING_CLOSURE)
                                .order_by(Crime.closure_requested_at).limit(limit)).scalars())


def open_alerts(session: Session, crime_id: int | None = None, limit: int = 500) -> list[CrimeAlert]:
    return alerts.open_alerts(session, crime_id, limit)
