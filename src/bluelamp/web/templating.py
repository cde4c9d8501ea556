"""Jinja2 templates shared by every context's pages (autoescaping on: text is always shown escaped)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
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


def _local(value: datetime | str | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """Europe/London on screen (a datetime, naive meaning UTC, or an ISO string)."""
    return localtime(value, fmt)


def _local_iso(value: str | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """An ISO 8601 string (as stored in assessments) shown in Europe/London."""
    return localtime(value, fmt)


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
    """A date in Europe/London, "01 Dec 2026" (a plain date, or "2026-12-01", is shown as it is)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d %b %Y")
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip()).strftime("%d %b %Y")
        except ValueError:
            return value
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


# The top bar: the pages a role works from. Each entry is shown only to a principal the page's own role
# guard admits (read from the route itself, so the bar never offers a page that answers 403), only when
# the page exists in this app, and, where a third item names roles, only to those (a page a role may
# open for a narrow purpose, such as an auditor reading one contact, is not its place of work).
NAV: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("/contacts/new", "New contact", None), ("/contacts", "Queue", ("call_handler", "supervisor")),
    ("/callbacks", "Call-backs", None), ("/incidents", "Incidents", None), ("/chat/console", "Chat", None),
    ("/crimes", "Crimes", None), ("/crimes/reviews", "Reviews", None), ("/bureau", "Bureau", None),
    ("/victims/clocks", "Victim clocks", None), ("/demand", "Demand", None),
    ("/performance", "Performance", None), ("/audit", "Audit", None),
)


def page_guard_roles(app: Any, path: str) -> tuple[str, ...] | None:
    """The roles the GET page at `path` (a concrete path such as /crimes/12) admits, admin always; None
    when no page answers that path or it has no role guard. Read from the routes' own dependencies."""
    cache: dict[str, tuple[str, ...] | None] | None = getattr(app.state, "page_guard_roles", None)
    if cache is None:
        cache = {}
        app.state.page_guard_roles = cache
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path not in cache:
        if len(cache) > 5000:  # concrete record paths: keep the cache bounded
            cache.clear()
        cache[path] = _find_guard(app, path)
    return cache[path]


def _find_guard(app: Any, path: str) -> tuple[str, ...] | None:
    from fastapi.routing import APIRoute

    from bluelamp.web.auth import RoleGuard

    def guards(dependant: Any) -> list[RoleGuard]:
        found = [d.call for d in dependant.dependencies if isinstance(d.call, RoleGuard)]
        return found + [g for d in dependant.dependencies for g in guards(d)]

    # Routers are mounted by web/app.py, which lists them (prefix, router) in app.state.mounted in the
    # order it included them; the app's own routes come first.
    mounted = [("", app.router)] + list(getattr(app.state, "mounted", []))
    for prefix, router in mounted:
        if prefix and not path.startswith(prefix + "/"):
            continue
        rest = path[len(prefix):]
        for route in router.routes:
            if isinstance(route, APIRoute) and "GET" in (route.methods or set()) and route.path_regex.match(rest):
                found = guards(route.dependant)
                return found[0].roles if found else None
    return None


def nav_links(request: Request, principal: Any) -> list[tuple[str, str]]:
    """The top bar for this principal: only the pages their roles open."""
    if principal is None:
        return []
    return [(path, label) for path, label, work in NAV
            if can_open(request, principal, path) and (work is None or principal.has_any(*work))]


def can_open(request: Request, principal: Any, path: str) -> bool:
    """Whether this principal's roles open the GET page at `path` (False when there is no such page)."""
    roles = page_guard_roles(request.app, path)
    return principal is not None and roles is not None and bool(principal.has_any(*roles))


templates.env.globals["nav_links"] = nav_links
templates.env.globals["can_open"] = can_open


_POST_FORM = re.compile(r"(<form\b[^>]*\bmethod=[\"']?post[\"']?[^>]*>)", re.IGNORECASE)


def with_csrf(html: str, token: str) -> str:
    """Every POST form carries the session's synchroniser token (web/security.py checks it)."""
    field = f'<input type="hidden" name="csrf_token" value="{Markup.escape(token)}">'
    return _POST_FORM.sub(lambda m: m.group(1) + field, html)


_ANCHOR = re.compile(r"<a\b([^>]*?)\bhref=\"(/[^\"]*)\"([^>]*)>(.*?)</a>", re.IGNORECASE | re.DOTALL)


def without_closed_links(html: str, request: Request, principal: Any) -> str:
    """A link to a page this principal's roles do not open is shown as plain text, not as a link that
    answers 403: every link a role is shown opens (the rule is the page's own role guard)."""
    if principal is None:
        return html

    def keep_or_text(m: re.Match[str]) -> str:
        href = m.group(2)
        roles = page_guard_roles(request.app, href)
        if roles is None or principal.has_any(*roles):
            return m.group(0)
        attrs = (m.group(1) + m.group(3)).strip()
        if re.search(r"\bclass=\"[^\"]*\bbutton\b", attrs):
            return ""  # an action this role cannot take is not offered at all
        return f'<span {attrs} data-closed-link="1">{m.group(4)}</span>' if attrs else \
            f'<span data-closed-link="1">{m.group(4)}</span>'

    return _ANCHOR.sub(keep_or_text, html)


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
    html = without_closed_links(templates.get_template(name).render({"request": request, **ctx}), request,
                                ctx["principal"])
    return HTMLResponse(with_csrf(html, token) if token else html, status_code=status_code)
