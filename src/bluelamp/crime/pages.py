"""HTML pages for investigators, supervisors and the bureau: my crimes, a crime, reviews due, the queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.crime import bureau, service, views
from bluelamp.crime.model import CrimeError
from bluelamp.identity.model import Principal
from bluelamp.policy import load_policy
from bluelamp.victims.model import VictimsError
from bluelamp.victims.portal_api import issued_codes
from bluelamp.web.auth import DbSession, page_roles
from bluelamp.web.errors import humane
from bluelamp.web.refused import reason_of, refused_page
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)
READERS = service.READERS
RECORDERS = service.RECORDERS
INVESTIGATORS = service.INVESTIGATORS
BUREAU = bureau.WORKERS
PAGE = 100  # the most urgent tasks; filters by type and "mine" narrow the rest


def _back(path: str, error: str | None = None) -> RedirectResponse:
    return RedirectResponse(f"{path}?error={quote(error[:300])}" if error else path, status_code=303)


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


def _int(form: Any, name: str) -> int | None:
    value = _text(form, name)
    return int(value) if value.isdigit() else None


@router.get("/crimes")
def my_crimes(request: Request, session: DbSession,
              principal: Annotated[Principal, Depends(page_roles(*READERS))]) -> HTMLResponse:
    now = clock.now()
    mine = [views.crime_summary(c, now) for c in service.my_crimes(session, principal.username)]
    # The same need-to-know list as the API: a team's crimes, or every one for the roles that read them all.
    others = [] if principal.roles == {"investigator"} else \
        [views.crime_summary(c, now) for c in service.list_for(session, principal, mine=False, limit=100)]
    return render(request, "crime/list.html", {"mine": mine, "others": others})


@router.get("/crimes/new")
def new_crime(request: Request, principal: Annotated[Principal, Depends(page_roles(*RECORDERS))],
              contact_id: int | None = None, incident_id: int | None = None) -> HTMLResponse:
    return render(request, "crime/new.html", {"groups": load_policy().doc("offences").groups, "errors": [],
                                              "form": {"contact_id": contact_id or "", "incident_id": incident_id or ""}})


@router.post("/crimes/new")
async def submit_crime(request: Request, principal: Annotated[Principal, Depends(page_roles(*RECORDERS))]) -> Response:
    form = await request.form()
    parties = [{"role": role, "name": _text(form, f"{role}_name"), "dob": _text(form, f"{role}_dob") or None}
               for role in ("victim", "suspect", "witness") if _text(form, f"{role}_name")]
    try:
        with request.app.state.db.unit_of_work() as session:
            crime = service.record_crime(
                session, principal, offence=_text(form, "offence"), risk=_text(form, "risk"),
                contact_id=_int(form, "contact_id"), incident_id=_int(form, "incident_id"),
                summary=_text(form, "summary"), domestic=form.get("domestic") == "on", parties=parties)
            crime_id = crime.id
            codes = issued_codes(session, crime_id)
    except CrimeError as exc:
        return render(request, "crime/new.html", {"groups": load_policy().doc("offences").groups,
                                                  "errors": [humane(f"{exc.field}: {exc}")], "form": dict(form)},
                      422)
    if codes:  # the victim's access code is shown this once (only its hash is kept): give it to the victim
        return render(request, "victims/portal_code_issued.html", {"codes": codes, "crime_id": crime_id}, 201)
    return RedirectResponse(f"/crimes/{crime_id}", status_code=303)


@router.get("/crimes/reviews")
def reviews_due(request: Request, session: DbSession,
                principal: Annotated[Principal, Depends(page_roles("supervisor"))]) -> HTMLResponse:
    now = clock.now()
    due = [views.crime_summary(c, now) for c in service.reviews_due(session, now + timedelta(days=2))]
    pending = [views.crime_summary(c, now) for c in service.pending_closures(session)]
    return render(request, "crime/reviews.html", {"due": due, "pending": pending})


@router.get("/crimes/{crime_id}")
def view_crime(crime_id: int, request: Request, session: DbSession,
               principal: Annotated[Principal, Depends(page_roles(*READERS))]) -> HTMLResponse:
    error = request.query_params.get("error")
    try:
        crime = service.get_crime(session, crime_id)
    except CrimeError as exc:
        raise HTTPException(404, detail=str(exc)) from None
    try:  # the API's read check (one definition); the access log middleware records the read and reason
        service.check_read(session, crime, principal, reason_of(request))
    except CrimeError as exc:
        return refused_page(request, exc, "crime")
    return _crime_page(request, session, crime_id, principal, [error] if error else [])


def _crime_page(request: Request, session: Any, crime_id: int, principal: Principal, errors: list[str],
                closure: dict[str, str] | None = None, invalid: set[str] | None = None,
                status: int = 200) -> HTMLResponse:
    """The crime's page; after a refused closure it carries every problem and what was typed."""
    try:
        crime = service.get_crime(session, crime_id)
    except CrimeError as exc:
        raise HTTPException(404, detail=str(exc)) from None
    policy = load_policy()
    return render(request, "crime/view.html", {
        "c": views.crime_json(session, crime, clock.now()), "elements": policy.doc("investigation").elements,
        "outcomes": policy.doc("outcomes"), "trail": audit.trail(session, "crime", crime.id),
        "error": errors[0] if len(errors) == 1 and closure is None else None,
        "closure_errors": errors if closure is not None else [], "closure": closure or {},
        "invalid": invalid or set(),
        "is_supervisor": principal.has_any("supervisor"), "can_investigate": principal.has_any(*INVESTIGATORS),
    }, status)


@router.post("/crimes/{crime_id}/plan")
async def save_plan(crime_id: int, request: Request,
                    principal: Annotated[Principal, Depends(page_roles(*INVESTIGATORS))]) -> Response:
    form = await request.form()
    elements: dict[str, Any] = {}
    for e in load_policy().doc("investigation").elements:
        text, na = _text(form, f"el_{e.id}"), _text(form, f"na_{e.id}")
        if text or na:
            elements[e.id] = {"text": text, "not_applicable": na}
    return _act(request, crime_id, lambda s: service.save_plan(s, crime_id, principal, elements))


@router.post("/crimes/{crime_id}/actions")
async def add_action(crime_id: int, request: Request,
                     principal: Annotated[Principal, Depends(page_roles(*INVESTIGATORS))]) -> Response:
    form = await request.form()
    return _act(request, crime_id, lambda s: service.add_action(
        s, crime_id, principal, element=_text(form, "element"), description=_text(form, "description")))


@router.post("/crimes/{crime_id}/actions/{action_id}/done")
async def complete_action(crime_id: int, action_id: int, request: Request,
                          principal: Annotated[Principal, Depends(page_roles(*INVESTIGATORS))]) -> Response:
    form = await request.form()
    return _act(request, crime_id, lambda s: service.complete_action(
        s, crime_id, action_id, principal, result=_text(form, "result") or None))


@router.post("/crimes/{crime_id}/reviews")
async def review(crime_id: int, request: Request,
                 principal: Annotated[Principal, Depends(page_roles("supervisor"))]) -> Response:
    form = await request.form()
    return _act(request, crime_id, lambda s: service.review(
        s, crime_id, principal, direction=_text(form, "direction"), risk=_text(form, "risk") or None))


@router.post("/crimes/{crime_id}/closure")
async def request_closure(crime_id: int, request: Request,
                          principal: Annotated[Principal, Depends(page_roles(*INVESTIGATORS))]) -> Response:
    form = await request.form()
    fields = load_policy().doc("outcomes").evidence_fields
    typed = {"outcome": _text(form, "outcome"), **{f"ev_{k}": _text(form, f"ev_{k}") for k in fields}}
    evidence = {k: typed[f"ev_{k}"] for k in fields if typed[f"ev_{k}"]}
    try:
        with request.app.state.db.unit_of_work() as session:
            service.request_closure(session, crime_id, principal, outcome=typed["outcome"] or None, evidence=evidence)
    except (CrimeError, VictimsError) as exc:
        if exc.status == 404:
            raise HTTPException(404, detail=str(exc)) from None
        # The service decides (and stops at its first refusal); the page lists every problem it can see
        # at once, so nobody fixes one field, submits, and meets the next. What was typed is kept.
        with request.app.state.db.unit_of_work(write=False) as session:
            problems = _closure_problems(session, crime_id, typed["outcome"], evidence)
            first = (_field_id(exc.field), humane(f"{_field_words(exc.field)}: {exc}"))
            if first[0] not in {f for f, _ in problems}:
                problems.insert(0, first)
            return _crime_page(request, session, crime_id, principal, [m for _, m in problems], closure=typed,
                               invalid={f for f, _ in problems}, status=exc.status)
    return _back(f"/crimes/{crime_id}")


def _field_id(field: str) -> str:
    """The form field a service error names (evidence.victim_wishes -> ev_victim_wishes)."""
    return "ev_" + field.split(".", 1)[1] if field.startswith("evidence.") else field


def _field_words(field: str) -> str:
    return field.split(".")[-1].replace("_", " ").capitalize()


def _closure_problems(session: Any, crime_id: int, outcome: str, evidence: dict[str, str]) -> list[tuple[str, str]]:
    """Every problem with a closure that can be seen from the record and the policy, in form order."""
    doc = load_policy().doc("outcomes")
    problems: list[tuple[str, str]] = []
    code = outcome.strip().upper()
    chosen = doc.get(code) if code else None
    if not code:
        problems.append(("outcome", "Home Office outcome: choose one"))
    elif chosen is None:
        problems.append(("outcome", "Home Office outcome: not one of the outcome types listed"))
    else:
        for key in chosen.evidence:
            if len(evidence.get(key, "")) < doc.min_evidence_chars:
                problems.append((f"ev_{key}", f"{_field_words(key)}: outcome {chosen.code} needs "
                                 f"{doc.evidence_fields[key]}, at least {doc.min_evidence_chars} characters"))
    if service.get_plan(session, crime_id) is None:
        problems.append(("plan", "Investigation plan: write and save the plan before closing"))
    still_open = [a for a in service.actions_of(session, crime_id) if a.done_at is None]
    if still_open:
        problems.append(("actions", f"Actions: {len(still_open)} still open; record their results first"))
    return problems


@router.post("/crimes/{crime_id}/closure/decision")
async def decide_closure(crime_id: int, request: Request,
                         principal: Annotated[Principal, Depends(page_roles("supervisor"))]) -> Response:
    form = await request.form()
    return _act(request, crime_id, lambda s: service.decide_closure(
        s, crime_id, principal, approve=form.get("approve") == "yes", note=_text(form, "note") or None))


def _act(request: Request, crime_id: int, do: Any) -> Response:
    return _run(request, do, f"/crimes/{crime_id}", lambda exc: humane(f"{exc.field}: {exc}"))


def _run(request: Request, do: Any, back: str, say: Any) -> Response:
    """A page's change in its own unit of work, then back to `back`; a refusal is said there (`say`),
    an unknown record stays a 404."""
    try:
        with request.app.state.db.unit_of_work() as session:
            do(session)
    except (CrimeError, VictimsError) as exc:
        if exc.status == 404:
            raise HTTPException(404, detail=str(exc)) from None
        return _back(back, say(exc))
    return _back(back)


@router.get("/bureau")
def bureau_queue(request: Request, session: DbSession,
                 principal: Annotated[Principal, Depends(page_roles(*BUREAU))], kind: str | None = None,
                 mine: bool = False) -> HTMLResponse:
    now = clock.now()
    tasks = bureau.queue(session, kind=kind or None, assignee=principal.username if mine else None, limit=PAGE)
    request.state.access_reads = bureau.victims_shown(tasks)  # the letters name the victims
    return render(request, "crime/bureau.html", {
        "tasks": tasks, "now": now, "summary": bureau.summary(session, now), "kind": kind,
        "types": load_policy().doc("bureau").task_types, "page": PAGE, "error": request.query_params.get("error")})


@router.post("/bureau/{task_id}/assign")
async def assign_task(task_id: int, request: Request,
                      principal: Annotated[Principal, Depends(page_roles(*BUREAU))]) -> Response:
    return _bureau(request, lambda s: bureau.assign(s, task_id, principal))


@router.post("/bureau/{task_id}/done")
async def complete_task(task_id: int, request: Request,
                        principal: Annotated[Principal, Depends(page_roles(*BUREAU))]) -> Response:
    return _bureau(request, lambda s: bureau.complete(s, task_id, principal))


def _bureau(request: Request, do: Any) -> Response:
    return _run(request, do, "/bureau", str)
