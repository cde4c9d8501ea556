"""The auditor's page: the newest entries and the chain's state."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from bluelamp.audit import service
from bluelamp.audit.store import AuditEntry, AuditPending
from bluelamp.web.auth import DbSession, page_roles
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/audit", dependencies=[Depends(page_roles("auditor"))])
def audit_page(request: Request, session: DbSession, verify: bool = False) -> HTMLResponse:
    entries = session.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(200)).scalars().all()
    waiting = session.execute(select(AuditPending).order_by(AuditPending.id.desc()).limit(200)).scalars().all()
    result = service.verify(session) if verify else None
    return render(request, "audit.html", {"entries": entries, "waiting": waiting, "result": result})
