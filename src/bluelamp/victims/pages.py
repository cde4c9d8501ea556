"""HTML pages for victim care: victims' clocks due, a victim's rights, clocks, updates and DASH."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bluelamp import clock
from bluelamp.identity.model import Principal
from bluelamp.policy import load_policy
from bluelamp.victims import clocks, dash, portal_care, service
from bluelamp.victims.api import READERS, due_for, victim_json
from bluelamp.victims.model import VictimsError
from bluelamp.web.auth import DbSession, page_roles
from bluelamp.web.refused import reason_of, refused_page
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)
CARERS = service.CARERS


@router.get("/victims/clocks")
def clocks_due(request: Request, session: DbSession,
               principal: Annotated[Principal, Depends(page_roles(*READERS))]) -> HTMLResponse:
    now = clock.now()
    due, updates = due_for(request, session, principal, now + timedelta(days=2))
    return render(request, "victims/clocks.html", {
        "clocks": [(clocks.clock_json(c, now), v) for c, v in due], "updates": updates, "now": now})


@router.get("/victims/{victim_id}")
def view_victim(victim_id: int, request: Request, session: DbSession,
                principal: Annotated[Principal, Depends(page_roles(*READERS))]) -> HTMLResponse:
    try:
        victim = service.get_victim(session, victim_id)
    except VictimsError as exc:
        raise HTTPException(404, detail=str(exc)) from None
    try:  # the API's read check (one definition); the access log middleware records the read and reason
        service.check_read(session, victim, principal, reason_of(request))
    except VictimsError as exc:
        return refused_page(request, exc, "victim")
    return _render_victim(request, session, victim, request.query_params.get("error"), {})


def _view(request: Request, victim_id: int, *, error: str, status_code: int, form: dict[str, Any]) -> HTMLResponse:
    """The victim's page again, with the refused form's values kept and the reason shown."""
    with request.app.state.db.unit_of_work() as session:
        victim = service.get_victim(session, victim_id)
        return _render_victim(request, session, victim, error, form, status_code)


def _render_victim(request: Request, session: Any, victim: Any, error: str | None, form: dict[str, Any],
                   status_code: int = 200) -> HTMLResponse:
    policy = load_policy()
    return render(request, "victims/view.html", {
        "v": victim_json(session, victim), "code": policy.doc("victims_code"), "dash": policy.doc("dash"),
        "error": error, "form": form, "portal": portal_care.state(session, victim.id)}, status_code=status_code)


def _act(request: Request, victim_id: int, do: Any) -> Response:
    try:
        with request.app.state.db.unit_of_work() as session:
            do(session)
    except VictimsError as exc:
        if exc.status == 404:
            raise HTTPException(404, detail=str(exc)) from None
        return RedirectResponse(f"/victims/{victim_id}?error={quote(f'{exc.field}: {exc}'[:300])}", status_code=303)
    return RedirectResponse(f"/victims/{victim_id}", status_code=303)


def _submit(request: Request, victim_id: int, section: str, values: dict[str, str], do: Any) -> Response:
    """Run a victim-care form; when refused, show the page again with what was typed and why (422)."""
    try:
        with request.app.state.db.unit_of_work() as session:
            do(session)
    except VictimsError as exc:
        if exc.status == 404:
            raise HTTPException(404, detail=str(exc)) from None
        return _view(request, victim_id, error=f"{exc.field.replace('_', ' ')}: {exc}", status_code=422,
                     form={section: values})
    return RedirectResponse(f"/victims/{victim_id}", status_code=303)


def _values(form: Any) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k != "csrf_token"}


@router.post("/victims/{victim_id}/event")
async def record_event(victim_id: int, request: Request,
                       principal: Annotated[Principal, Depends(page_roles(*CARERS))]) -> Response:
    """A Right 6 event in the case (arrest, charge, ...): starts the clock of every victim of the crime."""
    form = _values(await request.form())

    def do(s: Any) -> None:
        victim = service.get_victim(s, victim_id)
        service.record_event(s, victim.crime_id, principal, event=form.get("event", ""), event_at=None)
    return _submit(request, victim_id, "event", form, do)


@router.post("/victims/{victim_id}/rights")
async def set_right(victim_id: int, request: Request,
                    principal: Annotated[Principal, Depends(page_roles(*CARERS))]) -> Response:
    form = _values(await request.form())
    number = form.get("number", "")
    return _submit(request, victim_id, "right", form, lambda s: service.set_right(
        s, victim_id, principal, number=int(number) if number.isdigit() else 0, status=form.get("status", ""),
        note=form.get("note") or None))


@router.post("/victims/{victim_id}/needs")
async def assess_needs(victim_id: int, request: Request,
                       principal: Annotated[Principal, Depends(page_roles(*CARERS))]) -> Response:
    raw = await request.form()
    form = _values(raw)
    needs = {k[5:]: v for k, v in form.items() if k.startswith("need_") and v.strip()}
    categories = [str(c) for c in raw.getlist("category")]
    return _submit(request, victim_id, "needs", form, lambda s: service.assess_needs(
        s, victim_id, principal, needs=needs, enhanced_categories=categories))


@router.post("/victims/{victim_id}/referral")
async def refer(victim_id: int, request: Request,
                principal: Annotated[Principal, Depends(page_roles(*CARERS))]) -> Response:
    form = _values(await request.form())
    return _submit(request, victim_id, "referral", form, lambda s: service.refer(
        s, victim_id, principal, service=form.get("service", ""), consent=form.get("consent") == "yes",
        note=form.get("note") or None))


@router.post("/victims/{victim_id}/vps")
async def offer_vps(victim_id: int, request: Request,
                    principal: Annotated[Principal, Depends(page_roles(*CARERS))]) -> Response:
    form = _values(await request.form())
    return _submit(request, victim_id, "vps", form, lambda s: service.offer_vps(
        s, victim_id, principal, accepted=form.get("accepted") == "yes"))


@router.post("/victims/{victim_id}/enhanced")
async def override_enhanced(victim_id: int, request: Request,
                            principal: Annotated[Principal, Depends(page_roles("victim_care", "supervisor"))]
                            ) -> Response:
    form = _values(await request.form())
    return _submit(request, victim_id, "enhanced", form, lambda s: service.override_enhanced(
        s, victim_id, principal, enhanced=form.get("enhanced") == "yes", reason=form.get("reason", "")))


@router.post("/victims/{victim_id}/update")
async def record_update(victim_id: int, request: Request,
                        principal: Annotated[Principal, Depends(page_roles(*CARERS))]) -> Response:
    form = await request.form()
    return _act(request, victim_id, lambda s: service.record_update(
        s, victim_id, principal, method=str(form.get("method") or ""), note=str(form.get("note") or "") or None))


@router.post("/victims/{victim_id}/contact-plan")
async def contact_plan(victim_id: int, request: Request,
                       principal: Annotated[Principal, Depends(page_roles(*CARERS))]) -> Response:
    form = await request.form()
    every = str(form.get("every_days") or "0")
    return _act(request, victim_id, lambda s: service.set_contact_plan(
        s, victim_id, principal, method=str(form.get("method") or ""), every_days=int(every) if every.isdigit() else 0))


@router.post("/victims/{victim_id}/dash")
async def assess_dash(victim_id: int, request: Request,
                      principal: Annotated[Principal, Depends(page_roles("victim_care", "investigator", "supervisor"))]
                      ) -> Response:
    form = await request.form()
    answers = {q.id: str(form.get(q.id) or "") for q in load_policy().doc("dash").questions}
    judgement = str(form.get("judgement") or "") or None
    reason = str(form.get("judgement_reason") or "") or None
    try:
        with request.app.state.db.unit_of_work() as session:
            dash.assess(session, victim_id, principal, answers=answers, judgement=judgement, judgement_reason=reason)
    except VictimsError as exc:
        if exc.status == 404:
            raise HTTPException(404, detail=str(exc)) from None
        # Refused: show the form again with every answer typed, and what is wrong.
        return _view(request, victim_id, error=f"{exc.field}: {exc}", status_code=422, form={
            "answers": {k: v for k, v in answers.items() if v}, "judgement": judgement or "",
            "judgement_reason": reason or "", "open": True})
    return RedirectResponse(f"/victims/{victim_id}", status_code=303)


# The victim's own page (/my-case, public) and victim care's code and online forms.
from bluelamp.victims import portal_care_pages as _care_pages  # noqa: E402
from bluelamp.victims import portal_pages as _portal_pages  # noqa: E402

router.include_router(_portal_pages.router)
router.include_router(_care_pages.router)
