"""JSON route of the search context: `GET /api/v1/search?q=...[&reason=...]`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from bluelamp.identity.model import Principal
from bluelamp.search import service
from bluelamp.web.auth import DbSession, require_roles

router = APIRouter(tags=["search"])


def run(request: Request, session: Any, principal: Principal, q: str, reason: str | None,
        route: str) -> dict[str, Any]:
    """Search, then log every personal record shown before answering (no log, no answer: 503)."""
    found = service.search(session, principal, q, reason)
    client = request.client
    try:
        service.log_reads(request.app.state.db, principal, found.reads, route, client.host if client else None,
                          reason)
    except Exception:
        raise HTTPException(503, detail="access log unavailable: the search was not answered") from None
    return found.to_dict()


@router.get("/search")
def search(
    request: Request, session: DbSession,
    principal: Annotated[Principal, Depends(require_roles(*service.SEARCHERS))],
    q: Annotated[str, Query(max_length=service.MAX_QUERY)] = "",
    reason: Annotated[str | None, Query(max_length=300)] = None,
) -> dict[str, Any]:
    """People, contacts, incidents, crimes and chats matching `q` (a reference such as BL0000042,
    WC000001, CR12 or INC7, a name, a phone, a date of birth, a place or words said), as far as the
    principal's roles allow. A search of people needs `reason`, kept in the access log with each
    personal record shown."""
    return run(request, session, principal, q, reason, "/api/v1/search")
