"""HTML pages for call handlers and supervisors: new contact, the contact view, the queue."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from bluelamp.audit import service as audit
from bluelamp.contact import service
from bluelamp.contact.api import READERS
from bluelamp.contact.model import ContactIn
from bluelamp.identity import access
from bluelamp.identity.model import Principal
from bluelamp.policy import load_policy
from bluelamp.web.auth import DbSession, page_roles
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)
HANDLERS = ("call_handler", "chat_operator", "supervisor")
ANSWERS = ("weapon", "injury", "in_progress", "suspect_present", "child_present", "threat_to_life")


def _person(form: Any, prefix: str, role: str | None) -> dict[str, Any] | None:
    fields = {k: (form.get(f"{prefix}_{k}") or "").strip() for k in ("name", "phone", "dob", "address")}
    if not any(fields.values()):
        return None
    person: dict[str, Any] = {k: v for k, v in fields.items() if v}
    if "dob" in person:
        person["dob"] = date.fromisoformat(person["dob"]).isoformat() if len(person["dob"]) == 10 else person["dob"]
    if role:
        person["role"] = role
    return person


def contact_from_form(form: Any) -> dict[str, Any]:
    """Turn the entry form into the contract's contact shape (validated afterwards by ContactIn)."""
    data: dict[str, Any] = {"channel": form.get("channel") or "999", "narrative": form.get("narrative") or ""}
    loc = (form.get("location_description") or "").strip()
    data["location"] = {"description": loc or None, "urban": form.get("rural") != "on"}
    caller = _person(form, "caller", form.get("caller_role") or "victim")
    if caller:
        data["caller"] = caller
    other = _person(form, "other", form.get("other_role") or "victim")
    if other:
        data["people"] = [other]
    answers = {a: form.get(f"answer_{a}") == "yes" for a in ANSWERS if form.get(f"answer_{a}") in ("yes", "no")}
    if answers:
        data["answers"] = answers
    return data


@router.get("/contacts/new")
def new_contact(request: Request, principal: Annotated[Principal, Depends(page_roles(*HANDLERS))]) -> HTMLResponse:
    policy = load_policy()
    return render(request, "contact/new.html", {"answers": ANSWERS, "prompts": policy.thrive.prompts,
                                                "errors": [], "form": {}})


@router.post("/contacts/new")
async def submit_contact(
    request: Request, principal: Annotated[Principal, Depends(page_roles(*HANDLERS))]
) -> Response:
    form = await request.form()
    try:
        data = ContactIn.model_validate(contact_from_form(form))
    except (ValidationError, ValueError) as exc:
        errors = ([f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
                  if isinstance(exc, ValidationError) else [str(exc)])
        policy = load_policy()
        return render(request, "contact/new.html", {"answers": ANSWERS, "prompts": policy.thrive.prompts,
                                                    "errors": errors, "form": dict(form)}, 422)
    with request.app.state.db.unit_of_work() as session:
        result = service.record_contact(session, data, principal)
    return RedirectResponse(f"/contacts/{result['id']}", status_code=303)


@router.get("/contacts")
def contact_queue(request: Request, session: DbSession,
                  principal: Annotated[Principal, Depends(page_roles(*READERS))]) -> HTMLResponse:
    return render(request, "contact/queue.html", {"contacts": service.queue(session)})


@router.get("/contacts/{contact_id}")
def view_contact(contact_id: int, request: Request, session: DbSession,
                 principal: Annotated[Principal, Depends(page_roles(*READERS))]) -> HTMLResponse:
    contact = service.get_contact(session, contact_id)
    if contact is None:
        raise HTTPException(404, detail=f"contact {contact_id} not found")
    try:
        shown = access.view_for("contact", principal, own=contact.recorded_by == principal.actor,
                                reason=request.query_params.get("reason"))
    except access.AccessDenied as exc:
        raise HTTPException(403, detail=f"{exc.field}: {exc}") from None
    policy = load_policy()
    view = access.shape_contact(service.contact_json(session, contact), shown)
    return render(request, "contact/view.html", {
        "c": contact, "view": view, "trail": audit.trail(session, "contact", contact.id),
        "vuln": policy.flags.vulnerability_markers(), "routes": _route_choices(policy),
        "reassessments": service.open_reassessments(session, contact.id), "error": request.query_params.get("error"),
    })


def _route_choices(policy: Any) -> list[str]:
    return list(policy.routes.routes) + [f"refer:{a}" for a in sorted(policy.routes.agency_ids())]


@router.post("/contacts/{contact_id}/decision")
async def decide_page(contact_id: int, request: Request,
                      principal: Annotated[Principal, Depends(page_roles(*HANDLERS))]) -> Response:
    form = await request.form()
    try:
        grade = int(str(form.get("grade") or "0"))
        with request.app.state.db.unit_of_work() as session:
            service.decide(session, contact_id, principal, grade=grade, route=str(form.get("route") or ""),
                           reason=str(form.get("reason") or "") or None)
    except (ValueError, service.ContactError) as exc:
        return RedirectResponse(f"/contacts/{contact_id}?error={_q(str(exc))}", status_code=303)
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)


@router.post("/contacts/{contact_id}/approval")
async def approve_page(contact_id: int, request: Request,
                       principal: Annotated[Principal, Depends(page_roles("supervisor"))]) -> Response:
    form = await request.form()
    try:
        with request.app.state.db.unit_of_work() as session:
            service.approve_downgrade(session, contact_id, principal, form.get("approve") == "yes",
                                      str(form.get("note") or "") or None)
    except service.ContactError as exc:
        return RedirectResponse(f"/contacts/{contact_id}?error={_q(str(exc))}", status_code=303)
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)


@router.post("/reassessments/{item_id}")
async def reassess_page(item_id: int, request: Request,
                        principal: Annotated[Principal, Depends(page_roles(*HANDLERS, "dispatcher"))]) -> Response:
    form = await request.form()
    with request.app.state.db.unit_of_work() as session:
        try:
            item = service.complete_reassessment(session, item_id, principal, str(form.get("note") or ""))
        except service.ContactError as exc:
            raise HTTPException(exc.status, detail=str(exc)) from None
        contact_id = item.contact_id
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text[:300])
