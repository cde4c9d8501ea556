"""HTML pages for call handlers and supervisors: new contact, the contact view, the queue."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.contact import service
from bluelamp.contact.api import READERS
from bluelamp.contact.model import MAX_NARRATIVE, ContactIn
from bluelamp.contact.store import Contact, Reassessment
from bluelamp.identity import access
from bluelamp.identity.model import Principal
from bluelamp.location.model import LocationError
from bluelamp.policy import load_policy
from bluelamp.web.auth import DbSession, page_roles
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)
HANDLERS = ("call_handler", "chat_operator", "supervisor")
ANSWERS = ("weapon", "injury", "in_progress", "suspect_present", "child_present", "threat_to_life")


ANSWER_LABELS = {"weapon": "Any weapon?", "injury": "Anyone hurt?", "in_progress": "Happening now?",
                 "suspect_present": "Suspect still there?", "child_present": "Children there?",
                 "threat_to_life": "Anyone in danger right now?"}
LABELS = {"name": "name", "phone": "phone", "dob": "date of birth", "address": "address"}
WHO = {"caller": "Caller", "other": "Other person"}


class FormProblems(ValueError):
    """Everything wrong with the entry form at once, each naming the field in the handler's words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_dob(text: str) -> date:
    """dd/mm/yyyy as said on the phone, or yyyy-mm-dd; a date in the future is refused."""
    from bluelamp.search.service import parse_dob as parse

    value = parse(text)
    if value is None:
        raise ValueError(f"'{text[:12]}' is not a date: type it as dd/mm/yyyy")
    if value > clock.local(clock.now()).date():
        raise ValueError(f"{value.strftime('%d/%m/%Y')} is in the future")
    if value.year < 1900:
        raise ValueError(f"{value.strftime('%d/%m/%Y')} is too far in the past")
    return value


def _person(form: Any, prefix: str, role: str | None, problems: list[str]) -> dict[str, Any] | None:
    fields = {k: (form.get(f"{prefix}_{k}") or "").strip() for k in ("name", "phone", "dob", "address")}
    if not any(fields.values()):
        return None
    person: dict[str, Any] = {k: v for k, v in fields.items() if v}
    if "dob" in person:
        try:
            person["dob"] = parse_dob(person["dob"]).isoformat()
        except ValueError as exc:
            problems.append(f"{WHO[prefix]}'s date of birth: {exc}")
            del person["dob"]
    if role:
        person["role"] = role
    return person


def contact_from_form(form: Any) -> dict[str, Any]:
    """Turn the entry form into the contract's contact shape (validated afterwards by ContactIn).

    Raises FormProblems listing every problem at once; nothing is cut or dropped silently."""
    problems: list[str] = []
    narrative = str(form.get("narrative") or "")
    if not narrative.strip():
        problems.append("What the caller says: it is empty; type what the caller said before recording")
    elif len(narrative) > MAX_NARRATIVE:
        problems.append(f"What the caller says: {len(narrative):,} characters, more than the {MAX_NARRATIVE:,} "
                        "that can be recorded; shorten it (nothing has been cut)")
    data: dict[str, Any] = {"channel": form.get("channel") or "999", "narrative": narrative}
    loc = (form.get("location_description") or "").strip()
    data["location"] = {"description": loc or None, "urban": form.get("rural") != "on"}
    for key in ("grid_ref", "uprn", "what3words", "gazetteer_ref"):  # contact/_location.html (issue 15)
        value = (form.get(key) or "").strip()
        if value:
            data["location"][key] = value
    caller = _person(form, "caller", form.get("caller_role") or "victim", problems)
    if caller:
        data["caller"] = caller
    other = _person(form, "other", form.get("other_role") or "victim", problems)
    if other:
        data["people"] = [other]
    answers = {a: form.get(f"answer_{a}") == "yes" for a in ANSWERS if form.get(f"answer_{a}") in ("yes", "no")}
    if answers:
        data["answers"] = answers
    if problems:
        raise FormProblems(problems)
    return data


def _validation_problems(exc: ValidationError) -> list[str]:
    out = []
    for e in exc.errors():
        loc = [str(p) for p in e["loc"]]
        where = loc[0] if loc else "form"
        if where in ("caller", "people") and len(loc) >= 2:
            field = loc[-1]
            where = f"{'Caller' if where == 'caller' else 'Other person'}'s {LABELS.get(field, field)}"
        elif where == "location":
            where = "Location"
        elif where == "narrative":
            where = "What the caller says"
        out.append(f"{where}: {e['msg']}")
    return out


def _entry_context(form: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    policy = load_policy()
    doc = policy.doc("questions") if "questions" in policy.names else None
    keys: dict[str, str] = {}
    if doc is not None:
        for q in [*doc.always, *doc.provisional, *(q for k in doc.kinds for q in k.questions)]:
            if q.answer:
                keys.setdefault(q.text, q.answer)
    return {"answers": ANSWERS, "answer_labels": ANSWER_LABELS, "question_keys": keys,
            "routes": _route_choices(policy), "errors": errors, "form": form, "max_narrative": MAX_NARRATIVE}


@router.get("/contacts/new")
def new_contact(request: Request, principal: Annotated[Principal, Depends(page_roles(*HANDLERS))]) -> HTMLResponse:
    return render(request, "contact/new.html", _entry_context({}, []))


@router.post("/contacts/new")
async def submit_contact(
    request: Request, principal: Annotated[Principal, Depends(page_roles(*HANDLERS))]
) -> Response:
    form = await request.form()
    kept = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        data = ContactIn.model_validate(contact_from_form(form))
    except FormProblems as exc:
        return render(request, "contact/new.html", _entry_context(kept, exc.problems), 422)
    except ValidationError as exc:
        return render(request, "contact/new.html", _entry_context(kept, _validation_problems(exc)), 422)
    grade_text, route = str(form.get("decision_grade") or ""), str(form.get("decision_route") or "")
    reason = str(form.get("decision_reason") or "").strip() or None
    try:
        with request.app.state.db.unit_of_work() as session:
            result = service.record_contact(session, data, principal)
            link_to = str(form.get("link_incident_id") or "").strip()
            if link_to.isdigit():  # the handler chose a possible duplicate on this screen (issue 15)
                from bluelamp.location import duplicates

                duplicates.link_contact(session, result["id"], int(link_to), principal, "same incident (entry screen)")
            if grade_text or route:
                # The handler decided on this screen: recorded and decided in one transaction, so a
                # refused decision (a change without a reason) records nothing and keeps the form.
                proposal = result["assessment"]
                service.decide(session, result["id"], principal, grade=int(grade_text or proposal["grade"]),
                               route=route or str(proposal["route"]), reason=reason)
    except (service.ContactError, LocationError) as exc:
        label = {"reason": "Reason", "grade": "Grade", "route": "Route"}.get(exc.field, exc.field)
        return render(request, "contact/new.html", _entry_context(kept, [f"{label}: {exc}"]), 422)
    return RedirectResponse(f"/contacts/{result['id']}", status_code=303)


@router.get("/contacts/new/matches")
def person_matches(
    request: Request, session: DbSession, principal: Annotated[Principal, Depends(page_roles(*HANDLERS))],
    name: Annotated[str | None, Query(max_length=200)] = None,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    dob: Annotated[date | None, Query()] = None,
) -> JSONResponse:
    """People already known who match the details typed on a live call: suggestions the handler
    confirms (phone alone never links). Each person shown is a read, kept in the access log."""
    from bluelamp.search import service as search

    found = search.suggestions(session, principal, name, dob, phone)
    reads = found.pop("reads")
    client = request.client
    try:
        search.log_reads(request.app.state.db, principal, reads, "/contacts/new/matches",
                         client.host if client else None, "live call: person matching")
    except Exception:
        raise HTTPException(503, detail="access log unavailable: no suggestions shown") from None
    return JSONResponse(found)


@router.get("/contacts")
def contact_queue(request: Request, session: DbSession,
                  principal: Annotated[Principal, Depends(page_roles(*READERS))],
                  rows: Annotated[bool, Query()] = False) -> HTMLResponse:
    """The queue, most urgent first, with what was said (as far as the role may see it), how long each
    has waited and the re-THRIVE prompts due. `?rows=1` is the table body alone, which the page polls
    (a read-only unit of work: polling never takes the write lock a 999 call needs)."""
    items = queue_rows(session, principal)
    request.state.access_reads = [("contact", r["c"].id) for r in items if r["snippet"]]  # audit/access.py
    due = [r for r in items if r["due"]]
    return render(request, "contact/_queue_rows.html" if rows else "contact/queue.html",
                  {"rows": items, "due_count": len(due), "now": clock.now()})


def queue_rows(session: Any, principal: Principal) -> list[dict[str, Any]]:
    now = clock.now()
    contacts = service.queue(session, principal=principal)
    due: dict[int, list[Any]] = {}
    for r in session.execute(select(Reassessment).where(Reassessment.done_at.is_(None), Reassessment.due_at <= now)
                             .order_by(Reassessment.due_at).limit(200)).scalars():
        due.setdefault(r.contact_id, []).append(r)
    listed = {x.id for x in contacts}
    missing = [cid for cid in due if cid not in listed]
    extra = list(session.execute(select(Contact).where(Contact.id.in_(missing))).scalars()) if missing else []
    out = []
    for c in [*contacts, *extra]:
        relation = access.contact_relation(principal, c)
        try:
            view = access.view_for("contact", principal, own=relation)
        except access.AccessDenied:
            view = None
        if view is None and relation == "any":
            continue  # another control room's queue is not this reader's work (need to know by team)
        shows = view is not None and (view == access.FULL or "narrative" in (access.VIEWS.get(view) or ()))
        text = " ".join((c.narrative or "").split())
        waited = max(0, int((now - c.received_at).total_seconds()))
        out.append({"c": c, "snippet": (text[:120] + ("…" if len(text) > 120 else "")) if shows else None,
                    "waited_s": waited, "waited": _waited(waited), "due": due.get(c.id, []),
                    "long": waited > (600 if c.grade <= 2 else 3600)})
    out.sort(key=lambda r: (not r["due"], r["c"].grade, r["c"].received_at))
    return out


def _waited(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


@router.get("/contacts/{contact_id}")
def view_contact(contact_id: int, request: Request, session: DbSession,
                 principal: Annotated[Principal, Depends(page_roles(*READERS))]) -> HTMLResponse:
    contact = service.get_contact(session, contact_id)
    if contact is None:
        raise HTTPException(404, detail=f"contact {contact_id} not found")
    try:
        shown = access.view_for("contact", principal, own=access.contact_relation(principal, contact),
                                reason=request.query_params.get("reason"))
    except access.AccessDenied as exc:
        raise HTTPException(403, detail=f"{exc.field}: {exc}") from None
    policy = load_policy()
    view = access.shape_contact(service.contact_json(session, contact), shown)
    return render(request, "contact/view.html", {
        "c": contact, "view": view, "trail": audit.trail(session, "contact", contact.id),
        "vuln": policy.flags.vulnerability_markers(), "routes": _route_choices(policy),
        "reassessments": service.open_reassessments(session, contact.id), "error": request.query_params.get("error"),
        "answers": ANSWERS, "answer_labels": ANSWER_LABELS, "people": _people_shown(view),
        "can_answer": principal.has_any(*HANDLERS) and contact.status in ("awaiting_decision", "decided"),
    })


def _people_shown(view: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The caller and other people as given on this contact, or None when the role may not see them."""
    if "caller" not in view and "people" not in view:
        return None
    rows = []
    for p, is_caller in [(view.get("caller"), True), *((x, False) for x in (view.get("people") or []))]:
        if not isinstance(p, dict):
            continue
        dob = p.get("dob")
        shown = dob
        if isinstance(dob, str) and len(dob) == 10:
            shown = date.fromisoformat(dob).strftime("%d/%m/%Y")
        rows.append({**p, "dob": shown, "is_caller": is_caller})
    return rows


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
