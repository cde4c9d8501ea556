"""JSON routes of the victims context: rights, needs, contact plan, Right 6 events, updates, DASH, MARAC."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from bluelamp import clock
from bluelamp.identity.model import Principal
from bluelamp.victims import clocks, dash, service
from bluelamp.victims.store import Victim
from bluelamp.web.auth import DbSession, require_roles

router = APIRouter(tags=["victims"])
CARERS = service.CARERS
READERS = (*CARERS, "auditor")
DASH_ROLES = ("victim_care", "investigator", "supervisor")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def victim_json(session: Any, v: Victim) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": v.id, "crime_id": v.crime_id, "name": v.name, "active": v.active, "enhanced": v.enhanced,
        "enhanced_reasons": v.enhanced_reasons, "enhanced_basis": v.enhanced_basis or [],
        "enhanced_override": v.enhanced_override, "rights": v.rights, "needs": v.needs,
        "needs_assessed_at": clock.iso(v.needs_assessed_at),
        "contact_plan": {"method": v.contact_method, "every_days": v.contact_every_days,
                         "next_update_due_at": clock.iso(v.next_update_due_at)},
        "vps": {"offered_at": clock.iso(v.vps_offered_at), "accepted": v.vps_accepted},
        "clocks": [clocks.clock_json(c, now) for c in clocks.clocks_of(session, v.id)],
        "dash": [{"id": d.id, "level": d.level, "actuarial": d.actuarial, "yes": d.yes_count, "marac": d.marac,
                  "reasons": d.reasons, "assessed_at": clock.iso(d.assessed_at)}
                 for d in dash.assessments_of(session, v.id)],
        "marac": [{"id": m.id, "status": m.status, "criteria": m.criteria} for m in dash.marac_of(session, v.id)],
    }


@router.get("/victims/clocks/due")
def clocks_due(request: Request, session: DbSession,
               principal: Annotated[Principal, Depends(require_roles(*READERS))],
               within_hours: float = 48) -> dict[str, Any]:
    """Right 6 clocks and agreed updates due within the horizon (and every missed one), for the victims
    the caller reads (their team's; every one for supervisors and the bureau); each is access-logged."""
    now = clock.now()
    until = now + timedelta(hours=max(0.0, min(within_hours, 24 * 60)))
    due, updates = due_for(request, session, principal, until)
    return {
        "clocks": [{**clocks.clock_json(c, now), "victim": v.name} for c, v in due],
        "updates": [{"victim_id": v.id, "crime_id": v.crime_id, "name": v.name,
                     "next_update_due_at": clock.iso(v.next_update_due_at)} for v in updates],
    }


def due_for(request: Request, session: DbSession, principal: Principal,
            until: datetime) -> tuple[list[tuple[Any, Victim]], list[Victim]]:
    """The clocks and updates due that this principal may see, named for the access log (audit/access.py)."""
    due, updates = clocks.clocks_due(session, until), clocks.updates_due(session, until)
    shown = service.readable(session, principal, [v for _, v in due] + updates)
    due = [(c, v) for c, v in due if v.id in shown]
    updates = [v for v in updates if v.id in shown]
    request.state.access_reads = sorted({("victim", v.id) for v in [*(v for _, v in due), *updates]})
    return due, updates


@router.get("/victims/{victim_id}")
def get_victim(victim_id: int, session: DbSession, principal: Annotated[Principal, Depends(require_roles(*READERS))],
               reason: Annotated[str | None, Query(max_length=300)] = None) -> dict[str, Any]:
    """A victim with DASH and MARAC; read like the crime (the OIC's team, others with a `reason`)."""
    victim = service.get_victim(session, victim_id)
    service.check_read(session, victim, principal, reason)
    return victim_json(session, victim)


class RightIn(Strict):
    number: int = Field(ge=1, le=12)
    status: Literal["given", "not_applicable", "declined", "outstanding"]
    note: str | None = Field(default=None, max_length=500)


@router.post("/victims/{victim_id}/rights")
def set_right(victim_id: int, data: RightIn, session: DbSession,
              principal: Annotated[Principal, Depends(require_roles(*CARERS))]) -> dict[str, Any]:
    v = service.set_right(session, victim_id, principal, **data.model_dump())
    return {"id": v.id, "rights": v.rights}


class NeedsIn(Strict):
    needs: dict[str, str] = Field(default_factory=dict)
    enhanced_categories: list[str] = Field(default_factory=list, max_length=10)


@router.post("/victims/{victim_id}/needs")
def assess_needs(victim_id: int, data: NeedsIn, session: DbSession,
                 principal: Annotated[Principal, Depends(require_roles(*CARERS))]) -> dict[str, Any]:
    v = service.assess_needs(session, victim_id, principal, needs=data.needs,
                             enhanced_categories=data.enhanced_categories)
    return {"id": v.id, "enhanced": v.enhanced, "enhanced_reasons": v.enhanced_reasons,
            "enhanced_basis": v.enhanced_basis or []}


class EnhancedIn(Strict):
    enhanced: bool
    reason: str = Field(max_length=500)


@router.post("/victims/{victim_id}/enhanced")
def override_enhanced(victim_id: int, data: EnhancedIn, session: DbSession,
                      principal: Annotated[Principal, Depends(require_roles("victim_care", "supervisor"))]
                      ) -> dict[str, Any]:
    """Victim care decides enhanced rights against the facts, with a reason (audited)."""
    v = service.override_enhanced(session, victim_id, principal, enhanced=data.enhanced, reason=data.reason)
    return {"id": v.id, "enhanced": v.enhanced, "enhanced_reasons": v.enhanced_reasons,
            "enhanced_basis": v.enhanced_basis or []}


class ContactPlanIn(Strict):
    method: str = Field(max_length=16)
    every_days: int = Field(ge=1, le=90)


@router.put("/victims/{victim_id}/contact-plan")
def contact_plan(victim_id: int, data: ContactPlanIn, session: DbSession,
                 principal: Annotated[Principal, Depends(require_roles(*CARERS))]) -> dict[str, Any]:
    v = service.set_contact_plan(session, victim_id, principal, method=data.method, every_days=data.every_days)
    return {"id": v.id, "next_update_due_at": clock.iso(v.next_update_due_at)}


class UpdateIn(Strict):
    method: str = Field(max_length=16)
    at: datetime | None = None
    note: str | None = Field(default=None, max_length=2000)


@router.post("/victims/{victim_id}/updates", status_code=201)
def record_update(victim_id: int, data: UpdateIn, session: DbSession,
                  principal: Annotated[Principal, Depends(require_roles(*CARERS))]) -> dict[str, Any]:
    row = service.record_update(session, victim_id, principal, **data.model_dump())
    return {"id": row.id, "clocks_met": row.clocks_met}


class VpsIn(Strict):
    accepted: bool
    at: datetime | None = None


@router.post("/victims/{victim_id}/vps")
def offer_vps(victim_id: int, data: VpsIn, session: DbSession,
              principal: Annotated[Principal, Depends(require_roles(*CARERS))]) -> dict[str, Any]:
    v = service.offer_vps(session, victim_id, principal, accepted=data.accepted, at=data.at)
    return {"id": v.id, "vps_offered_at": clock.iso(v.vps_offered_at), "accepted": v.vps_accepted}


class ReferralIn(Strict):
    service: str = Field(max_length=40)
    consent: bool
    note: str | None = Field(default=None, max_length=2000)


@router.post("/victims/{victim_id}/referrals", status_code=201)
def refer(victim_id: int, data: ReferralIn, session: DbSession,
          principal: Annotated[Principal, Depends(require_roles(*CARERS))]) -> dict[str, Any]:
    row = service.refer(session, victim_id, principal, **data.model_dump())
    return {"id": row.id, "service": row.service}


class EventIn(Strict):
    event: str = Field(max_length=40)
    event_at: datetime | None = None


@router.post("/crimes/{crime_id}/victim-events", status_code=201)
def record_event(crime_id: int, data: EventIn, session: DbSession,
                 principal: Annotated[Principal, Depends(require_roles(*CARERS))]) -> list[dict[str, Any]]:
    """An arrest, interview, release, bail change or decision not to investigate: Right 6 clocks start."""
    rows = service.record_event(session, crime_id, principal, event=data.event, event_at=data.event_at)
    now = clock.now()
    return [clocks.clock_json(c, now) for c in rows]


class DashIn(Strict):
    answers: dict[str, str]
    judgement: Literal["standard", "medium", "high"] | None = None
    judgement_reason: str | None = Field(default=None, max_length=2000)
    other_incidents: int = Field(default=0, ge=0, le=100)
    assessed_at: datetime | None = None


@router.post("/victims/{victim_id}/dash", status_code=201)
def assess_dash(victim_id: int, data: DashIn, session: DbSession,
                principal: Annotated[Principal, Depends(require_roles(*DASH_ROLES))]) -> dict[str, Any]:
    row = dash.assess(session, victim_id, principal, **data.model_dump())
    return {"id": row.id, "yes": row.yes_count, "actuarial": row.actuarial, "level": row.level,
            "escalation": row.escalation, "marac": row.marac, "reasons": row.reasons}


class MaracIn(Strict):
    """A MARAC referral's progress; `withdrawn` needs a supervisor and a note."""

    status: Literal["to_submit", "submitted", "heard", "withdrawn"]
    meeting_date: datetime | None = None
    note: str | None = Field(default=None, max_length=2000)


@router.post("/marac/{referral_id}")
def update_marac(referral_id: int, data: MaracIn, session: DbSession,
                 principal: Annotated[Principal, Depends(require_roles(*DASH_ROLES))]) -> dict[str, Any]:
    ref = dash.update_marac(session, referral_id, principal, **data.model_dump())
    return {"id": ref.id, "status": ref.status}


# The victim's own page, victim care's side (access codes, a crime shown online): victims/portal_api.py.
from bluelamp.victims import portal_api as _portal_api  # noqa: E402

router.include_router(_portal_api.router)
