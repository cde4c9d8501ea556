"""JSON shapes of crimes and their parts, shared by the API and the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.crime import model, service
from bluelamp.crime.store import Crime
from bluelamp.policy import load_policy


def crime_summary(crime: Crime, now: datetime) -> dict[str, Any]:
    rules = load_policy().doc("investigation")
    due = crime.next_review_due_at
    return {
        "id": crime.id, "offence": crime.offence, "offence_group": crime.offence_group, "risk": crime.risk,
        "status": crime.status, "oic": crime.oic, "team": crime.team, "domestic": crime.domestic,
        "reported_at": clock.iso(crime.reported_at), "recorded_at": clock.iso(crime.recorded_at),
        "record_due_at": clock.iso(crime.record_due_at), "hate": crime.hate,
        "recording_restart": None if crime.original_record_due_at is None else {
            "original_record_due_at": clock.iso(crime.original_record_due_at),
            "reason": crime.recording_restart_reason},
        "recording": model.recording_state(crime.reported_at, crime.recorded_at, now, rules),
        "next_review_due_at": clock.iso(due), "review_overdue": bool(due and due < now and crime.status != "closed"),
        "plan_score": crime.plan_score, "outcome": crime.outcome,
    }


def crime_json(session: Session, crime: Crime, now: datetime) -> dict[str, Any]:
    from bluelamp.victims import service as victims

    body = crime_summary(crime, now)
    plan = service.get_plan(session, crime.id)
    body.update({
        "contact_id": crime.contact_id, "incident_id": crime.incident_id, "summary": crime.summary,
        "outcome_evidence": crime.outcome_evidence, "approved_by": crime.approved_by,
        "closed_at": clock.iso(crime.closed_at), "policy_version": crime.policy_version,
        "parties": [{"id": p.id, "role": p.role, "name": p.name, "dob": p.dob.isoformat() if p.dob else None,
                     "person_id": p.person_id} for p in service.parties_of(session, crime.id)],
        "plan": None if plan is None else {"elements": plan.elements, "score": plan.score, "band": plan.band,
                                           "reasons": plan.reasons, "version": plan.version,
                                           "updated_at": clock.iso(plan.updated_at)},
        "actions": [{"id": a.id, "element": a.element, "description": a.description, "due_at": clock.iso(a.due_at),
                     "done_at": clock.iso(a.done_at), "result": a.result} for a in service.actions_of(session, crime.id)],
        "reviews": [{"id": r.id, "reviewer": r.reviewer, "reviewed_at": clock.iso(r.reviewed_at),
                     "direction": r.direction, "risk": r.risk, "late": r.late, "next_due_at": clock.iso(r.next_due_at)}
                    for r in service.reviews_of(session, crime.id)],
        "victims": [{"id": v.id, "name": v.name, "enhanced": v.enhanced_reasons, "active": v.active}
                    for v in victims.victims_of(session, crime.id)],
        "alerts": [{"id": a.id, "kind": a.kind, "level": a.level, "role": a.role, "due_at": clock.iso(a.due_at)}
                   for a in service.open_alerts(session, crime.id)],
    })
    return body
