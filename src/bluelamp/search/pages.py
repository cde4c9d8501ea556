"""The search page (`/search`), also reached from the search box in the top bar."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from bluelamp.identity.model import Principal
from bluelamp.search import service
from bluelamp.search.api import run
from bluelamp.web.auth import DbSession, page_roles
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/search")
def search_page(
    request: Request, session: DbSession,
    principal: Annotated[Principal, Depends(page_roles(*service.SEARCHERS))],
    q: Annotated[str, Query(max_length=service.MAX_QUERY)] = "",
    reason: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    found, error = None, None
    if q.strip():
        try:
            found = run(request, session, principal, q, reason, "/search")
        except service.SearchError as exc:
            error = str(exc)
    return render(request, "search/results.html", {"q": q, "reason": reason or "", "found": found,
                                                   "error": error}, 422 if error else 200)
