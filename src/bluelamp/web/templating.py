"""Jinja2 templates shared by every context's pages (autoescaping on: text is always shown escaped)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from bluelamp import clock

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))


def _local(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """Europe/London on screen."""
    if value is None:
        return "—"
    return clock.local(value).strftime(fmt)


def _local_iso(value: str | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """An ISO 8601 string (as stored in assessments) shown in Europe/London."""
    if not value:
        return "—"
    return _local(datetime.fromisoformat(value.replace("Z", "+00:00")), fmt)


templates.env.filters["local"] = _local
templates.env.filters["local_iso"] = _local_iso
templates.env.globals["iso"] = clock.iso


_POST_FORM = re.compile(r"(<form\b[^>]*\bmethod=[\"']?post[\"']?[^>]*>)", re.IGNORECASE)


def with_csrf(html: str, token: str) -> str:
    """Every POST form carries the session's synchroniser token (web/security.py checks it)."""
    field = f'<input type="hidden" name="csrf_token" value="{Markup.escape(token)}">'
    return _POST_FORM.sub(lambda m: m.group(1) + field, html)


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    from bluelamp.web.security import csrf_token

    ctx = dict(context or {})
    ctx.setdefault("principal", getattr(request.state, "principal", None))
    ctx.setdefault("demo", getattr(request.app.state, "demo", False))
    token = ""
    if "session" in request.scope:
        # Public pages do not start a session for a visitor; signed-in pages and sign-in itself do.
        existing = request.session.get("csrf")
        token = existing if isinstance(existing, str) and existing else (
            csrf_token(request.session) if ctx["principal"] is not None or name == "login.html" else "")
    ctx.setdefault("csrf_token", token)
    html = templates.get_template(name).render({"request": request, **ctx})
    return HTMLResponse(with_csrf(html, token) if token else html, status_code=status_code)
