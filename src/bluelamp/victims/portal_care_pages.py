"""Victim care's forms for the victim's own page, on the victim's page: a new access code (shown once),
revoke the code, and show or hide the crime online."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from bluelamp import clock
from bluelamp.identity.model import Principal
from bluelamp.victims import portal_care, service
from bluelamp.victims.model import VictimsError
from bluelamp.web.auth import page_roles
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)


def _refused(victim_id: int, exc: VictimsError) -> Response:
    if exc.status == 404:
        raise HTTPException(404, detail=str(exc)) from None
    return RedirectResponse(f"/victims/{victim_id}?error={quote(f'{exc.field}: {exc}'[:300])}", status_code=303)


@router.post("/victims/{victim_id}/access-code")
def reissue(victim_id: int, request: Request,
            principal: Annotated[Principal, Depends(page_roles(*portal_care.ROLES))]) -> Response:
    try:
        with request.app.state.db.unit_of_work() as session:
            code, expires, ref = portal_care.reissue_code(session, victim_id, principal)
            name = service.get_victim(session, victim_id).name
    except VictimsError as exc:
        return _refused(victim_id, exc)
    return render(request, "victims/portal_code_issued.html", {
        "codes": [{"victim_id": victim_id, "name": name, "reference": ref, "code": code,
                   "expires_at": clock.iso(expires)}], "victim_id": victim_id}, 201)


@router.post("/victims/{victim_id}/access-code/revoke")
def revoke(victim_id: int, request: Request,
           principal: Annotated[Principal, Depends(page_roles(*portal_care.ROLES))]) -> Response:
    try:
        with request.app.state.db.unit_of_work() as session:
            portal_care.revoke_code(session, victim_id, principal)
    except VictimsError as exc:
        return _refused(victim_id, exc)
    return RedirectResponse(f"/victims/{victim_id}", status_code=303)


@router.post("/victims/{victim_id}/online")
async def set_online(victim_id: int, request: Request,
                     principal: Annotated[Principal, Depends(page_roles(*portal_care.ROLES))]) -> Response:
    form = await request.form()
    choice = str(form.get("online") or "")
    try:
        with request.app.state.db.unit_of_work() as session:
            crime_id = service.get_victim(session, victim_id).crime_id
            portal_care.set_online(session, crime_id, principal, enabled=choice == "enable",
                                   sensitive=choice == "hide", reason=str(form.get("reason") or ""))
    except VictimsError as exc:
        return _refused(victim_id, exc)
    return RedirectResponse(f"/victims/{victim_id}", status_code=303)
