"""Jinja2 templates shared by every context's pages (autoescaping on: text is always shown escaped)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
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


def _as_datetime(value: object) -> datetime | None:
    """A datetime (aware, or naive meaning UTC as SQLite returns it) or an ISO 8601 string; None if neither."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return None


def localtime(value: object, fmt: str = "%d %b %H:%M") -> str:
    """The one way a time is shown: Europe/London, "01 Dec 07:26". Nothing shows "—"; an unreadable value
    is shown as given rather than failing the page."""
    moment = _as_datetime(value)
    if moment is None:
        return "—" if value is None or value == "" else str(value)
    return clock.local(moment).strftime(fmt)


def localdate(value: object) -> str:
    """A date in Europe/London, "01 Dec 2026"."""
    return localtime(value, "%d %b %Y")


@lru_cache(maxsize=1)
def _flag_labels() -> dict[str, str]:
    from bluelamp.policy import load_policy

    try:
        return {f.id: f.label for f in load_policy().flags.flags}
    except Exception:  # a policy that fails to load stops the app at start-up; a page still shows words
        return {}


def flagword(code: str) -> str:
    """A flag code as the policy names it ("threat_to_life" -> "Threat to life")."""
    label = _flag_labels().get(code)
    if label:
        return label
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def flagwords(value: object, sep: str = ", ") -> str:
    """Flag codes (a list, or one code, or a comma-separated string) as words joined by `sep`."""
    if value is None or value == "":
        return "—"
    codes: Iterable[object]
    if isinstance(value, str):
        codes = [c for c in (p.strip() for p in value.split(",")) if c]
    elif isinstance(value, Iterable):
        codes = value
    else:
        codes = [value]
    words = [flagword(str(c)) for c in codes]
    return sep.join(words) if words else "—"


templates.env.filters["local"] = _local
templates.env.filters["local_iso"] = _local_iso
templates.env.filters["localtime"] = localtime
templates.env.filters["localdate"] = localdate
templates.env.filters["flagwords"] = flagwords
templates.env.filters["flagword"] = flagword
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
