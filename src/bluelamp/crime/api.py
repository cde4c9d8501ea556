"""JSON routes of the crime context: crimes, plans, actions, reviews, closure, the bureau."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from bluelamp import clock
from bluelamp.crime import bureau, service, sweep, views
from bluelamp.identity.model import Principal
from bluelamp.victims.portal_api import issued_codes
from bluelamp.web.auth import DbSession, require_roles

router = APIRouter(tags=["crimes"])
_ = sweep  # importing the sweep registers its job handler

RECORDERS = service.RECORDERS
INVESTIGATORS = service.INVESTIGATORS
READERS = service.READERS
SUPERVISORS = ("supervisor",)
BUREAU = bureau.WORKERS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartyIn(Strict):
    role: Literal["victim", "suspect", "witness"]
    name: str | None = Field(default=None, max_length=200)
    dob: str | None = Field(default=None, max_length=10)
    person_id: int | None = None


class CrimeIn(Strict):
    """A crime recorded from a contact or an incident."""

    offence: str = Field(max_length=64)
    risk: Literal["high", "medium", "low"]
    contact_id: int | None = None
    incident_id: int | None = None
    reported_at: datetime | None = None
    recorded: bool = True
    summary: str = Field(default="", max_length=10_000)
    domestic: bool = False
    hate: bool = False
    restart_reason: str | None = Field(default=None, max_length=2000)
    oic: str | None = Field(default=None, max_length=120)
    parties: list[PartyIn] = Field(default_factory=list, max_length=50)


@router.post("/crimes", status_code=201)
def record_crime(data: CrimeIn, session: DbSession,
                 principal: Annotated[Principal, Depends(require_roles(*RECORDERS))]) -> dict[str, Any]:
    crime = service.record_crime(session, principal, **data.model_dump(exclude={"parties"}),
                                 parties=[p.model_dump() for p in data.parties])
    body = views.crime_json(session, crime, clock.now())
    # Each victim's access code for their own page (/my-case): in this answer only, never stored plain.
    body["victim_access_codes"] = issued_codes(session, crime.id)
    return body


Reason = Annotated[str | None, Query(max_length=300)]


@router.get("/crimes")
def list_crimes(session: DbSession, principal: Annotated[Principal, Depends(require_roles(*READERS))],
                mine: bool = True, reason: Reason = None) -> list[dict[str, Any]]:
    """My open crimes (as officer in charge); with mine=false my team's open crimes, or every open crime
    for the roles that read every crime or with a stated `reason` (a search)."""
    now = clock.now()
    rows = service.list_for(session, principal, mine=mine, reason=reason)
    return [views.crime_summary(c, now) for c in rows]


@router.get("/crimes/{crime_id}")
def get_crime(crime_id: int, session: DbSession, principal: Annotated[Principal, Depends(require_roles(*READERS))],
              reason: Reason = None) -> dict[str, Any]:
    """One crime; investigators and victim care read their team's crimes, others with a `reason`."""
    crime = service.get_crime(session, crime_id)
    service.check_read(session, crime, principal, reason)
    return views.crime_json(session, crime, clock.now())


class OicIn(Strict):
    oic: str = Field(max_length=120)
    reason: str = Field(max_length=2000)


@router.put("/crimes/{crime_id}/oic")
def change_oic(crime_id: int, data: OicIn, session: DbSession,
               principal: Annotated[Principal, Depends(require_roles(*SUPERVISORS))]) -> dict[str, Any]:
    """The OIC's supervisor hands the crime to another investigator, with a reason (audited)."""
    crime = service.change_oic(session, crime_id, principal, oic=data.oic, reason=data.reason)
    return views.crime_summary(crime, clock.now())


@router.post("/crimes/{crime_id}/recording")
def confirm_recording(crime_id: int, session: DbSession,
                      principal: Annotated[Principal, Depends(require_roles("cab_officer", "supervisor"))]
                      ) -> dict[str, Any]:
    crime = service.confirm_recording(session, crime_id, principal)
    return views.crime_summary(crime, clock.now())


@router.post("/crimes/{crime_id}/parties", status_code=201)
def add_party(crime_id: int, data: PartyIn, session: DbSession,
              principal: Annotated[Principal, Depends(require_roles(*RECORDERS))]) -> dict[str, Any]:
    """Add a victim, suspect or witness after recording."""
    party = service.add_party(session, crime_id, principal, data.model_dump())
    return {"id": party.id, "crime_id": crime_id, "role": party.role,
            "victim_access_codes": issued_codes(session, crime_id)}


class PlanIn(Strict):
    elements: dict[str, str | dict[str, str]]


@router.put("/crimes/{crime_id}/plan")
def save_plan(crime_id: int, data: PlanIn, session: DbSession,
              principal: Annotated[Principal, Depends(require_roles(*INVESTIGATORS))]) -> dict[str, Any]:
    plan = service.save_plan(session, crime_id, principal, dict(data.elements))
    return {"crime_id": crime_id, "score": plan.score, "band": plan.band, "reasons": plan.reasons,
            "version": plan.version}


class ActionIn(Strict):
    element: str = Field(max_length=48)
    description: str = Field(max_length=5000)
    due_at: datetime | None = None


@router.post("/crimes/{crime_id}/actions", status_code=201)
def add_action(crime_id: int, data: ActionIn, session: DbSession,
               principal: Annotated[Principal, Depends(require_roles(*INVESTIGATORS))]) -> dict[str, Any]:
    action = service.add_action(session, crime_id, principal, **data.model_dump())
    return {"id": action.id, "element": action.element, "due_at": clock.iso(action.due_at)}


class ActionDoneIn(Strict):
    result: str | None = Field(default=None, max_length=5000)
    done_at: datetime | None = None


@router.post("/crimes/{crime_id}/actions/{action_id}/done")
def complete_action(crime_id: int, action_id: int, data: ActionDoneIn, session: DbSession,
                    principal: Annotated[Principal, Depends(require_roles(*INVESTIGATORS))]) -> dict[str, Any]:
    action = service.complete_action(session, crime_id, action_id, principal, **data.model_dump())
    return {"id": action.id, "done_at": clock.iso(action.done_at)}


class ReviewIn(Strict):
    direction: str = Field(max_length=10_000)
    risk: Literal["high", "medium", "low"] | None = None
    reviewed_at: datetime | None = None


@router.post("/crimes/{crime_id}/reviews", status_code=201)
def review(crime_id: int, data: ReviewIn, session: DbSession,
           principal: Annotated[Principal, Depends(require_roles(*SUPERVISORS))]) -> dict[str, Any]:
    row = service.review(session, crime_id, principal, **data.model_dump())
    return {"id": row.id, "late": row.late, "next_due_at": clock.iso(row.next_due_at), "risk": row.risk}


@router.get("/reviews/due", dependencies=[Depends(require_roles(*SUPERVISORS))])
def reviews_due(session: DbSession, within_hours: float = 24) -> list[dict[str, Any]]:
    now = clock.now()
    rows = service.reviews_due(session, now + timedelta(hours=max(0.0, min(within_hours, 24 * 90))))
    return [views.crime_summary(c, now) for c in rows]


class ClosureIn(Strict):
    outcome: str = Field(max_length=8)
    evidence: dict[str, str] = Field(default_factory=dict)


@router.post("/crimes/{crime_id}/closure")
def request_closure(crime_id: int, data: ClosureIn, session: DbSession,
                    principal: Annotated[Principal, Depends(require_roles(*INVESTIGATORS))]) -> dict[str, Any]:
    crime = service.request_closure(session, crime_id, principal, outcome=data.outcome, evidence=data.evidence)
    return views.crime_summary(crime, clock.now())


class ClosureDecisionIn(Strict):
    approve: bool
    note: str | None = Field(default=None, max_length=2000)


@router.post("/crimes/{crime_id}/closure/decision")
def decide_closure(crime_id: int, data: ClosureDecisionIn, session: DbSession,
                   principal: Annotated[Principal, Depends(require_roles(*SUPERVISORS))]) -> dict[str, Any]:
    crime = service.decide_closure(session, crime_id, principal, approve=data.approve, note=data.note)
    return views.crime_summary(crime, clock.now())


class BureauEventIn(Strict):
    event: Literal["classification_query", "property_seized"]


@router.post("/crimes/{crime_id}/bureau-events", status_code=201)
def bureau_event(crime_id: int, data: BureauEventIn, session: DbSession,
                 principal: Annotated[Principal, Depends(require_roles(*RECORDERS))]) -> list[dict[str, Any]]:
    tasks = service.raise_bureau_event(session, crime_id, principal, data.event)
    now = clock.now()
    return [bureau.task_json(t, now) for t in tasks]


@router.get("/bureau/tasks", dependencies=[Depends(require_roles(*BUREAU))])
def bureau_queue(request: Request, session: DbSession, status: str = "open", assignee: str | None = None,
                 kind: str | None = None, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    now = clock.now()
    rows = bureau.queue(session, status=status, assignee=assignee, kind=kind, limit=max(1, min(limit, 1000)),
                        offset=max(0, offset))
    request.state.access_reads = bureau.victims_shown(rows)  # the letters name the victims
    return [bureau.task_json(t, now) for t in rows]


@router.get("/bureau/summary", dependencies=[Depends(require_roles(*BUREAU, "leader"))])
def bureau_summary(session: DbSession) -> dict[str, Any]:
    return bureau.summary(session)


class AssignIn(Strict):
    assignee: str | None = Field(default=None, max_length=120)


@router.post("/bureau/tasks/{task_id}/assign")
def assign_task(task_id: int, data: AssignIn, session: DbSession,
                principal: Annotated[Principal, Depends(require_roles(*BUREAU))]) -> dict[str, Any]:
    task = bureau.assign(session, task_id, principal, data.assignee)
    return bureau.task_json(task, clock.now())


class DoneIn(Strict):
    note: str | None = Field(default=None, max_length=2000)


@router.post("/bureau/tasks/{task_id}/done")
def complete_task(task_id: int, data: DoneIn, session: DbSession,
                  principal: Annotated[Principal, Depends(require_roles(*BUREAU))]) -> dict[str, Any]:
    task = bureau.complete(session, task_id, principal, data.note)
    return bureau.task_json(task, clock.now())


@router.get("/crime-alerts", dependencies=[Depends(require_roles(*READERS))])
def alerts(session: DbSession) -> list[dict[str, Any]]:
    return [{"id": a.id, "kind": a.kind, "level": a.level, "role": a.role, "crime_id": a.crime_id,
             "subject_id": a.subject_id, "due_at": clock.iso(a.due_at), "raised_at": clock.iso(a.raised_at)}
            for a in service.open_alerts(session)]


@router.post("/crime-sweep", dependencies=[Depends(require_roles("supervisor"))])
def run_sweep(session: DbSession) -> dict[str, int]:
    """Run the clock sweep now (it also runs on its own schedule)."""
    return sweep.sweep(session)
