"""HTML pages of the performance context: the dashboard, the records behind a figure, areas for
improvement and their progress report, case-file audits, and the public dashboard."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bluelamp import clock
from bluelamp.identity.model import Principal
from bluelamp.performance import casefile, improvement, public, report, service
from bluelamp.performance.model import CATALOGUE, SPECS, PeriodError
from bluelamp.web.auth import DbSession, page_roles
from bluelamp.web.auth import public as public_access
from bluelamp.web.pools import pool
from bluelamp.web.templating import render

router = APIRouter(tags=["performance pages"])
VIEWERS = ("leader", "analyst")
PLANNERS = ("leader",)
AUDITORS = ("leader", "analyst", "supervisor")
VIEW = [Depends(page_roles(*VIEWERS))]


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


@router.get("/performance/plotly.js", dependencies=VIEW)
def plotly_js() -> Response:
    """plotly's JavaScript from the installed package: nothing is fetched from the internet."""
    return Response(_plotly_js(), media_type="application/javascript",
                    headers={"Cache-Control": "private, max-age=86400"})


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PeriodError(f"must be a date like 2026-01-31, not {value[:20]!r}", name) from None


def _chart_data(board: dict[str, Any]) -> dict[str, Any]:
    """What the charts draw: shares against target, 999 against the national lines, the grade and outcome mix."""
    by = {m["key"]: m for m in board["measures"]}
    targeted = [m for m in board["measures"] if m["unit"] == "share" and m["target"] is not None
                and m["value"] is not None]
    return {
        "targets": {"labels": [m["label"] for m in targeted], "values": [m["value"] for m in targeted],
                    "targets": [m["target"] for m in targeted], "rag": [m["rag"] for m in targeted],
                    "keys": [m["key"] for m in targeted]},
        "call999": {"value": by["call_999_within_10s"]["value"], "previous": by["call_999_within_10s"]["previous"]},
        "grades": {"labels": [by[f"grade_{g}"]["label"] for g in (1, 2, 3, 4)],
                   "values": [by[f"grade_{g}"]["numerator"] for g in (1, 2, 3, 4)]},
        "outcomes": {"labels": [by[k]["label"] for k in ("outcome_charged", "outcome_evidential", "outcome_no_suspect")],
                     "values": [by[k]["value"] for k in ("outcome_charged", "outcome_evidential", "outcome_no_suspect")]},
    }


@router.get("/performance", dependencies=VIEW, response_class=HTMLResponse)
def dashboard_page(request: Request, session: DbSession, date_from: Annotated[str | None, Query(alias="from")] = None,
                   date_to: Annotated[str | None, Query(alias="to")] = None, area: str | None = None,
                   channel: str | None = None) -> HTMLResponse:
    """Every measure at a glance: RAG against target, trend, charts, and a link to the records."""
    try:
        board = service.dashboard(session, _date(date_from, "from"), _date(date_to, "to"), area or None,
                                  channel or None)
    except PeriodError as exc:
        return render(request, "performance/dashboard.html",
                      {"error": f"{exc.field}: {exc}", "board": None, "area": area, "channel": channel,
                       "date_from": date_from, "date_to": date_to, "channels": service.CHANNELS}, 422)
    return render(request, "performance/dashboard.html", {
        "board": board, "chart_json": json.dumps(_chart_data(board)), "area": board["area"],
        "channel": board["channel"], "date_from": board["from"], "date_to": board["to"],
        "channels": service.CHANNELS, "error": None, "calls": _calls_panel(session, board)})


def _calls_panel(session: Any, board: dict[str, Any]) -> dict[str, Any] | None:
    """The call measures panel (telephony/pages.py), force-wide: phone lines have no area or channel filter."""
    from bluelamp.telephony.pages import dashboard_panel

    return dashboard_panel(session, board["from"], board["to"])


@router.get("/performance/records", dependencies=VIEW, response_class=HTMLResponse)
def records_page(request: Request, session: DbSession, measure: str = "",
                 date_from: Annotated[str | None, Query(alias="from")] = None,
                 date_to: Annotated[str | None, Query(alias="to")] = None, area: str | None = None,
                 channel: str | None = None, agency: str = "police", met: str | None = None,
                 offset: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    """The records behind one figure, newest first, each linked to its own page."""
    met_flag = {"true": True, "false": False}.get(met or "")
    try:
        data = service.records(session, measure, _date(date_from, "from"), _date(date_to, "to"), area or None,
                               channel or None, agency, met_flag, 100, offset)
    except PeriodError as exc:
        return render(request, "performance/records.html", {"error": f"{exc.field}: {exc}", "data": None}, 422)
    base = service.records_link(measure, date.fromisoformat(data["from"]), date.fromisoformat(data["to"]),
                                data["area"], data["channel"], data["agency"])
    return render(request, "performance/records.html", {"error": None, "data": data, "base": base,
                                                        "met": met or "", "spec": SPECS[measure]})


def _items_context(session: DbSession) -> dict[str, Any]:
    data = improvement.report(session)
    return {"report": data, "catalogue": CATALOGUE, "kinds": improvement.KINDS, "statuses": improvement.STATUSES}


@router.get("/performance/improvements", dependencies=VIEW, response_class=HTMLResponse)
def improvements_page(request: Request, session: DbSession) -> HTMLResponse:
    """Causes of concern, recommendations and AFIs with owner, due date, status, actions and measures."""
    return render(request, "performance/improvements.html", {**_items_context(session), "error": None})


def _split(values: list[str] | None) -> list[str]:
    return [v for v in (values or []) if v]


@router.post("/performance/improvements", response_class=HTMLResponse)
def improvements_create(request: Request, session: DbSession,
                        principal: Principal = Depends(page_roles(*PLANNERS)),
                        kind: str = Form(...), reference: str = Form(...), title: str = Form(...),
                        owner: str = Form(...), due_date: str = Form(""), description: str = Form(""),
                        source: str = Form(""), measures: list[str] | None = Form(None)) -> Response:
    try:
        item = improvement.create_item(session, principal, kind=kind, reference=reference, title=title, owner=owner,
                                       due_date=_date(due_date, "due_date"), description=description, source=source,
                                       measures=_split(measures))
    except (improvement.ImprovementError, PeriodError) as exc:
        return render(request, "performance/improvements.html",
                      {**_items_context(session), "error": f"{exc.field}: {exc}"}, 422)
    return RedirectResponse(f"/performance/improvements/{item.id}", status_code=303)


@router.get("/performance/improvements/{item_id}", dependencies=VIEW, response_class=HTMLResponse)
def improvement_page(request: Request, item_id: int, session: DbSession, error: str | None = None) -> HTMLResponse:
    try:
        item = improvement.get_item(session, item_id)
    except improvement.ImprovementError as exc:
        return render(request, "performance/improvement.html", {"item": None, "error": str(exc)}, 404)
    prog = improvement.progress(session, [item])
    data = improvement.item_json(item, improvement.actions_of(session, [item.id])[item.id], prog[item.id])
    return render(request, "performance/improvement.html", {
        "item": data, "error": error, "catalogue": CATALOGUE, "statuses": improvement.STATUSES})


@router.post("/performance/improvements/{item_id}", response_class=HTMLResponse)
def improvement_update(request: Request, item_id: int, session: DbSession,
                       principal: Principal = Depends(page_roles(*PLANNERS)),
                       status: str = Form(...), owner: str = Form(...), due_date: str = Form(""),
                       measures: list[str] | None = Form(None)) -> Response:
    try:
        improvement.update_item(session, item_id, principal, status=status, owner=owner,
                                due_date=_date(due_date, "due_date"), measures=_split(measures))
    except (improvement.ImprovementError, PeriodError) as exc:
        return improvement_page(request, item_id, session, f"{exc.field}: {exc}")
    return RedirectResponse(f"/performance/improvements/{item_id}", status_code=303)


@router.post("/performance/improvements/{item_id}/actions", response_class=HTMLResponse)
def improvement_action(request: Request, item_id: int, session: DbSession,
                       principal: Principal = Depends(page_roles(*PLANNERS)),
                       description: str = Form(...), owner: str = Form(...), due_date: str = Form("")) -> Response:
    try:
        improvement.add_action(session, item_id, principal, description=description, owner=owner,
                               due_date=_date(due_date, "due_date"))
    except (improvement.ImprovementError, PeriodError) as exc:
        return improvement_page(request, item_id, session, f"{exc.field}: {exc}")
    return RedirectResponse(f"/performance/improvements/{item_id}", status_code=303)


@router.post("/performance/improvements/{item_id}/actions/{action_id}/done", response_class=HTMLResponse)
def improvement_action_done(request: Request, item_id: int, action_id: int, session: DbSession,
                            principal: Principal = Depends(page_roles(*PLANNERS)),
                            note: str = Form("")) -> Response:
    try:
        improvement.complete_action(session, item_id, action_id, principal, note or None)
    except improvement.ImprovementError as exc:
        return improvement_page(request, item_id, session, f"{exc.field}: {exc}")
    return RedirectResponse(f"/performance/improvements/{item_id}", status_code=303)


@router.get("/performance/report", dependencies=VIEW, response_class=HTMLResponse)
def report_page(session: DbSession) -> HTMLResponse:
    """The progress report, as the PDF prints it (a standalone page)."""
    return HTMLResponse(report.progress_html(session))


@router.get("/performance/report.pdf", dependencies=VIEW)
def report_pdf(session: DbSession) -> Response:
    try:
        pdf = report.progress_pdf(session)
    except report.PdfUnavailable as exc:
        return Response(str(exc), status_code=503, media_type="text/plain")
    stamp = clock.now().astimezone(service.zone()).date().isoformat()
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="progress-report-{stamp}.pdf"'})


@router.get("/performance/case-audits", dependencies=[Depends(page_roles(*AUDITORS))], response_class=HTMLResponse)
def audits_page(request: Request, session: DbSession, error: str | None = None) -> HTMLResponse:
    d_from, d_to = casefile.default_period(clock.now().astimezone(service.zone()).date())
    return render(request, "performance/audits.html", {
        "audits": casefile.list_audits(session), "error": error, "default_from": d_from.isoformat(),
        "default_to": d_to.isoformat()}, 422 if error else 200)


@router.post("/performance/case-audits", response_class=HTMLResponse)
def audits_start(request: Request, session: DbSession, principal: Principal = Depends(page_roles(*AUDITORS)),
                 date_from: str = Form(..., alias="from"), date_to: str = Form(..., alias="to"),
                 per_group: int = Form(5), seed: str = Form("")) -> Response:
    try:
        d_from, d_to = _date(date_from, "from"), _date(date_to, "to")
        if d_from is None or d_to is None:
            raise PeriodError("both dates are required", "from")
        case = casefile.start_audit(session, principal, d_from=d_from, d_to=d_to, per_group=per_group,
                                    seed=int(seed) if seed.strip().isdigit() else None)
    except (casefile.CaseAuditError, PeriodError) as exc:
        return audits_page(request, session, f"{exc.field}: {exc}")
    return RedirectResponse(f"/performance/case-audits/{case.id}", status_code=303)


@router.get("/performance/case-audits/{audit_id}", dependencies=[Depends(page_roles(*AUDITORS))],
            response_class=HTMLResponse)
def audit_page(request: Request, audit_id: int, session: DbSession, error: str | None = None) -> HTMLResponse:
    try:
        roll = casefile.rollup(session, audit_id)
    except casefile.CaseAuditError as exc:
        return render(request, "performance/audit.html", {"roll": None, "error": str(exc)}, 404)
    items = casefile.items_of(session, audit_id)
    crimes: dict[int, list[Any]] = {}
    for it in items:
        crimes.setdefault(it.crime_id, []).append(it)
    return render(request, "performance/audit.html", {
        "roll": roll, "crimes": crimes, "checks": casefile.CHECKS, "stages": casefile.STAGES, "error": error},
        422 if error else 200)


@router.post("/performance/case-audits/{audit_id}/items/{item_id}", response_class=HTMLResponse)
def audit_review(request: Request, audit_id: int, item_id: int, session: DbSession,
                 principal: Principal = Depends(page_roles(*AUDITORS)),
                 finding: str = Form(...), note: str = Form("")) -> Response:
    try:
        casefile.review_item(session, audit_id, item_id, principal, finding=finding, note=note or None)
    except casefile.CaseAuditError as exc:
        return audit_page(request, audit_id, session, f"{exc.field}: {exc}")
    return RedirectResponse(f"/performance/case-audits/{audit_id}#item-{item_id}", status_code=303)


@router.get("/public/dashboard", dependencies=[Depends(public_access)], response_class=HTMLResponse)
async def public_page(request: Request) -> HTMLResponse:
    """Open to everyone: force-level figures, aggregated, small numbers withheld, nothing personal.
    A cached month is rendered on the event loop; a miss is counted in the `public` pool."""
    cache = public.app_cache(request.app)
    entry = public.cached(cache, public.cache_key())
    if entry is None:
        db = request.app.state.db
        entry = await pool("public").run(lambda: public.cached_entry(cache, db))
    return render(request, "performance/public.html", {"data": entry[0], "principal": None})
