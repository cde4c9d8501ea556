"""JSON routes of the performance context.

`GET /api/v1/measures` keeps the contract's JSON (CONTRACT.md "Measures") and adds `measures`, every
live measure for the same period. The rest is under `/api/v1/performance/`: the dashboard, the records
behind any figure, areas for improvement and case-file audits; `/api/v1/public/dashboard` is open.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from bluelamp.identity.model import Principal
from bluelamp.performance import casefile, improvement, public, report, rollup, service
from bluelamp.performance.measures import measures
from bluelamp.performance.model import CATALOGUE
from bluelamp.web.auth import DbSession, require_roles
from bluelamp.web.auth import public as public_access
from bluelamp.web.pools import pool

router = APIRouter(tags=["performance"])
READERS = ("leader", "analyst", "supervisor", "dispatcher", "auditor")
PLANNERS = ("leader",)
AUDITORS = ("leader", "supervisor", "analyst")

From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]
Area = Annotated[str | None, Query(max_length=64)]
Channel = Annotated[str | None, Query(max_length=16)]
Agency = Annotated[str, Query(max_length=32)]


@router.get("/measures", dependencies=[Depends(require_roles(*READERS))])
def get_measures(
    session: DbSession,
    date_from: From = None,
    date_to: To = None,
    area: Area = None,
    agency: Agency = "police",
    breaches: Annotated[int, Query(ge=0, le=1000)] = 50,
) -> dict[str, Any]:
    """Attendance per grade and urban/rural over a period (dates inclusive, force local time), and every measure."""
    result = measures(session, date_from, date_to, agency=agency, area=area, breaches_limit=breaches)
    return service.with_all_measures(session, result)


@router.get("/performance/dashboard", dependencies=[Depends(require_roles(*READERS))])
def get_dashboard(session: DbSession, date_from: From = None, date_to: To = None, area: Area = None,
                  channel: Channel = None, agency: Agency = "police",
                  min_records: Annotated[int | None, Query(ge=0, le=100000)] = None) -> dict[str, Any]:
    """Every measure for a period with target, RAG, the previous equal period and the trend."""
    return service.dashboard(session, date_from, date_to, area, channel, agency, min_records)


@router.get("/performance/records", dependencies=[Depends(require_roles(*READERS))])
def get_records(session: DbSession, measure: Annotated[str, Query(max_length=48)], date_from: From = None,
                date_to: To = None, area: Area = None, channel: Channel = None, agency: Agency = "police",
                met: bool | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """The records behind a figure: their ids and a line each (`met=true|false` for one side)."""
    out = service.records(session, measure, date_from, date_to, area, channel, agency, met, limit, offset)
    out["rows"] = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in out["rows"]]
    return out


@router.post("/performance/rollup", dependencies=[Depends(require_roles("leader", "analyst"))])
def refresh_rollup(session: DbSession, date_from: From = None, date_to: To = None) -> dict[str, Any]:
    """Recount the daily roll-up of contact figures over a period (default: the last 28 days)."""
    d_from, d_to = service.resolve_period(date_from, date_to)
    days = rollup.refresh(session, d_from, d_to, service.zone())
    return {"from": d_from.isoformat(), "to": d_to.isoformat(), "days_recounted": days}


@router.get("/performance/definitions", dependencies=[Depends(require_roles(*READERS))])
def get_definitions() -> list[dict[str, Any]]:
    """What each measure counts, its unit, direction and target."""
    return [{"key": s.key, "label": s.label, "section": s.section, "unit": s.unit, "definition": s.definition,
             "direction": s.direction, "target": s.target, "no_data_reason": s.no_data_reason} for s in CATALOGUE]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ItemIn(Strict):
    kind: str = Field(pattern="^(cause_of_concern|recommendation|afi)$")
    reference: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=300)
    owner: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=10000)
    source: str = Field("", max_length=300)
    due_date: date | None = None
    raised_on: date | None = None
    measures: list[str] = Field(default_factory=list, max_length=20)
    parent_id: int | None = None
    status: str = "awaiting_review"


class ItemPatch(Strict):
    title: str | None = Field(None, min_length=1, max_length=300)
    owner: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=10000)
    source: str | None = Field(None, max_length=300)
    due_date: date | None = None
    status: str | None = None
    measures: list[str] | None = Field(None, max_length=20)


class ActionIn(Strict):
    description: str = Field(min_length=1, max_length=5000)
    owner: str = Field(min_length=1, max_length=120)
    due_date: date | None = None


class DoneIn(Strict):
    note: str | None = Field(None, max_length=5000)


def _item_out(session: DbSession, item_id: int) -> dict[str, Any]:
    item = improvement.get_item(session, item_id)
    prog = improvement.progress(session, [item])
    return improvement.item_json(item, improvement.actions_of(session, [item.id])[item.id], prog[item.id])


@router.get("/performance/improvements", dependencies=[Depends(require_roles(*READERS))])
def list_improvements(session: DbSession, status: Annotated[str | None, Query(max_length=24)] = None) -> dict[str, Any]:
    """Causes of concern, recommendations and areas for improvement, with actions and measures."""
    items = improvement.list_items(session, status)
    acts = improvement.actions_of(session, [i.id for i in items])
    return {"items": [improvement.item_json(i, acts[i.id]) for i in items]}


@router.post("/performance/improvements", status_code=201)
def create_improvement(data: ItemIn, session: DbSession,
                       principal: Principal = Depends(require_roles(*PLANNERS))) -> dict[str, Any]:
    item = improvement.create_item(session, principal, **data.model_dump())
    return _item_out(session, item.id)


@router.get("/performance/improvements/{item_id}", dependencies=[Depends(require_roles(*READERS))])
def get_improvement(item_id: int, session: DbSession) -> dict[str, Any]:
    return _item_out(session, item_id)


@router.patch("/performance/improvements/{item_id}")
def patch_improvement(item_id: int, data: ItemPatch, session: DbSession,
                      principal: Principal = Depends(require_roles(*PLANNERS))) -> dict[str, Any]:
    improvement.update_item(session, item_id, principal, **data.model_dump())
    return _item_out(session, item_id)


@router.post("/performance/improvements/{item_id}/actions", status_code=201)
def add_improvement_action(item_id: int, data: ActionIn, session: DbSession,
                           principal: Principal = Depends(require_roles(*PLANNERS))) -> dict[str, Any]:
    improvement.add_action(session, item_id, principal, **data.model_dump())
    return _item_out(session, item_id)


@router.post("/performance/improvements/{item_id}/actions/{action_id}/done")
def complete_improvement_action(item_id: int, action_id: int, data: DoneIn, session: DbSession,
                                principal: Principal = Depends(require_roles(*PLANNERS))) -> dict[str, Any]:
    improvement.complete_action(session, item_id, action_id, principal, data.note)
    return _item_out(session, item_id)


@router.get("/performance/progress-report", dependencies=[Depends(require_roles(*READERS))])
def progress_report(session: DbSession, as_of: Annotated[date | None, Query()] = None) -> dict[str, Any]:
    """The progress report's content as JSON (the page and the PDF show the same)."""
    return improvement.report(session, as_of)


@router.get("/performance/progress-report.pdf", dependencies=[Depends(require_roles(*READERS))])
def progress_report_pdf(session: DbSession, as_of: Annotated[date | None, Query()] = None) -> Response:
    """The progress report for the oversight meeting, as PDF."""
    try:
        pdf = report.progress_pdf(session, as_of)
    except report.PdfUnavailable as exc:
        raise HTTPException(503, detail=f"pdf: {exc}") from None
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="progress-report.pdf"'})


class AuditIn(Strict):
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    per_group: int = Field(5, ge=1, le=casefile.MAX_PER_GROUP)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    groups: list[str] | None = Field(None, max_length=50)
    title: str | None = Field(None, max_length=200)


class FindingIn(Strict):
    finding: str = Field(pattern="^(yes|no|n/a)$")
    note: str | None = Field(None, max_length=5000)


@router.post("/performance/case-audits", status_code=201)
def start_case_audit(data: AuditIn, session: DbSession,
                     principal: Principal = Depends(require_roles(*AUDITORS))) -> dict[str, Any]:
    """Draw a seeded random sample of crimes by offence group and pre-fill its checklists."""
    case = casefile.start_audit(session, principal, d_from=data.date_from, d_to=data.date_to,
                                per_group=data.per_group, seed=data.seed, groups=data.groups, title=data.title)
    return casefile.rollup(session, case.id)


@router.get("/performance/case-audits", dependencies=[Depends(require_roles(*AUDITORS, "auditor"))])
def list_case_audits(session: DbSession) -> dict[str, Any]:
    return {"audits": [{"id": a.id, "title": a.title, "from": a.period_from.isoformat(),
                        "to": a.period_to.isoformat(), "seed": a.seed, "per_group": a.per_group,
                        "created_by": a.created_by} for a in casefile.list_audits(session)]}


@router.get("/performance/case-audits/{audit_id}", dependencies=[Depends(require_roles(*AUDITORS, "auditor"))])
def get_case_audit(audit_id: int, session: DbSession) -> dict[str, Any]:
    """The roll-up (quality-of-service report) and every checklist item."""
    out = casefile.rollup(session, audit_id)
    out["checklist"] = [{"id": i.id, "crime_id": i.crime_id, "offence_group": i.offence_group, "stage": i.stage,
                         "check": i.check, "prefilled": i.prefilled, "evidence": i.evidence, "finding": i.finding,
                         "note": i.note, "reviewed_by": i.reviewed_by} for i in casefile.items_of(session, audit_id)]
    return out


@router.post("/performance/case-audits/{audit_id}/items/{item_id}")
def review_case_audit_item(audit_id: int, item_id: int, data: FindingIn, session: DbSession,
                           principal: Principal = Depends(require_roles(*AUDITORS))) -> dict[str, Any]:
    """Confirm (same answer) or correct (another answer, with a note) one checklist item."""
    item = casefile.review_item(session, audit_id, item_id, principal, finding=data.finding, note=data.note)
    return {"id": item.id, "check": item.check, "prefilled": item.prefilled, "finding": item.finding,
            "note": item.note}


@router.get("/public/dashboard", dependencies=[Depends(public_access)])
async def public_dashboard(request: Request, date_from: From = None, date_to: To = None) -> Response:
    """Force-level figures for the public: aggregated, small numbers suppressed, nothing personal
    (cached for a few minutes and sent as the bytes serialised when counted, on the event loop; a
    miss is counted in a pool of its own, so it never takes a request thread)."""
    cache = public.app_cache(request.app)
    key = public.cache_key(date_from, date_to)
    entry = public.cached(cache, key)
    if entry is None:
        db = request.app.state.db
        entry = await pool("public").run(lambda: public.cached_entry(cache, db, key[0], key[1]))
    return Response(entry[1], media_type="application/json")
