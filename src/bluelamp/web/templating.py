"""Jinja2 templates shared by every context's pages (autoescaping on: text is always shown escaped)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

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


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    ctx = dict(context or {})
    ctx.setdefault("principal", getattr(request.state, "principal", None))
    ctx.setdefault("demo", getattr(request.app.state, "demo", False))
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
