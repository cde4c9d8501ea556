"""A read refused by need to know, as a page: why, and where a reason would do, a form to state one
(the search with a stated reason that the access log keeps). Crime and victim pages use it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from bluelamp.web.errors import humane, way_back
from bluelamp.web.templating import render


def reason_of(request: Request) -> str | None:
    """The stated reason of a page read (`?reason=`), trimmed as the access log keeps it."""
    reason = request.query_params.get("reason")
    return reason.strip()[:300] if reason and reason.strip() else None


def refused_page(request: Request, exc: ValueError, what: str) -> HTMLResponse:
    back, back_label = way_back(request)
    return render(request, "refused.html", {
        "what": what, "detail": humane(str(exc)), "needs_reason": getattr(exc, "field", None) == "reason",
        "path": request.url.path, "back": back, "back_label": back_label}, 403)
