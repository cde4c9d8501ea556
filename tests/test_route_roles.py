"""Every route declares who may use it, and every role gets exactly that: a check of each route
against each role (and against nobody)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.websockets import WebSocketDisconnect

from bluelamp.identity.model import ROLES
from bluelamp.web.auth import PublicAccess, RoleGuard


def _guards(dependant) -> list[object]:  # type: ignore[no-untyped-def]
    found = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, RoleGuard | PublicAccess):
            found.append(dep.call)
        found.extend(_guards(dep))
    return found


class _Route:
    """A mounted route or socket with its full path (the app records each router it includes)."""

    def __init__(self, prefix: str, route: APIRoute | APIWebSocketRoute) -> None:
        self.path = prefix + route.path
        self.methods = getattr(route, "methods", None) or {"WEBSOCKET"}
        self.dependant = route.dependant
        self.endpoint = route.endpoint


def _walk(prefix: str, routes: list, kind: type) -> list[_Route]:  # type: ignore[type-arg]
    found = []
    for r in routes:
        if isinstance(r, kind):
            found.append(_Route(prefix, r))
        nested = getattr(r, "original_router", None)  # a router included in a router (chat's sockets)
        if nested is not None:
            found.extend(_walk(prefix + r.include_context.prefix, nested.routes, kind))
    return found


def _routes(app, kind: type = APIRoute) -> list[_Route]:  # type: ignore[no-untyped-def]
    found = _walk("", [r for r in app.routes if isinstance(r, kind)], kind)
    for prefix, router in app.state.mounted:
        found.extend(_walk(prefix, router.routes, kind))
    return found


def test_every_route_declares_its_roles_or_is_deliberately_public(app):
    missing = []
    for route in _routes(app) + _routes(app, APIWebSocketRoute):
        if route.path in ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"):
            continue
        guards = _guards(route.dependant)
        if len(guards) != 1:
            missing.append(f"{sorted(route.methods)} {route.path}: {len(guards)} guards")
    assert not missing, "routes without exactly one role guard:\n" + "\n".join(missing)
    assert len(_routes(app)) > 10
    assert {"/chat/ws", "/chat/ws/operator"} <= {r.path for r in _routes(app, APIWebSocketRoute)}


NEED_TO_KNOW = ("do not give access to this", "state why with ?reason=")


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _context_routes(app, context: str) -> list[_Route]:  # type: ignore[no-untyped-def]
    """The mounted routes whose functions live in one context's package (bluelamp.<context>)."""
    return [r for r in _routes(app) if r.endpoint.__module__.startswith(f"bluelamp.{context}.")]


def test_the_matrix_walks_every_route_of_the_chat_context(app):
    """The walk above finds each chat route as mounted (so the matrix below covers them all)."""
    from bluelamp.chat import api, pages, ws

    declared = {(r.endpoint, m) for router in (api.router, pages.router) for r in router.routes
                if isinstance(r, APIRoute) for m in r.methods}
    assert len(declared) > 15
    walked = {(r.endpoint, m) for r in _context_routes(app, "chat") for m in r.methods}
    assert declared <= walked, sorted(f"{m} {e.__name__}" for e, m in declared - walked)
    sockets = {r.endpoint for r in ws.router.routes if isinstance(r, APIWebSocketRoute)}
    assert sockets and sockets <= {r.endpoint for r in _routes(app, APIWebSocketRoute)}


@pytest.mark.slow  # every route x every role: ~1,000 requests
def test_each_role_gets_exactly_the_routes_it_is_allowed(app, client, make_user):
    _check_each_role(client, make_user, _routes(app))


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_each_role_gets_exactly_the_chat_routes_it_is_allowed(app, client, make_user):
    """The same matrix, the chat context alone: quick enough for the fast subset."""
    _check_each_role(client, make_user, _context_routes(app, "chat"))


def _check_each_role(client, make_user, routes: list[_Route]) -> None:  # type: ignore[no-untyped-def]
    tokens = {role: make_user(role)[1] for role in ROLES}
    checked = 0
    for route in routes:
        guards = _guards(route.dependant)
        if not guards or isinstance(guards[0], PublicAccess):
            continue
        guard = guards[0]
        assert isinstance(guard, RoleGuard)
        path = _concrete(route.path)
        for method in sorted(route.methods - {"HEAD"}):
            anonymous = client.request(method, path, json={}, follow_redirects=False)
            expected_anonymous = 303 if guard.page else 401
            assert anonymous.status_code == expected_anonymous, f"{method} {path} anonymous"
            for role in ROLES:
                res = client.request(method, path, json={}, headers=tokens[role], follow_redirects=False)
                allowed = role == "admin" or role in guard.roles
                if allowed:
                    # A record-level refusal (need to know: not this role's record, or a search without a
                    # reason) is the access policy's, tested as its own matrix in test_security_records.py;
                    # here the role guard must have let the role through.
                    record_level = res.status_code == 403 and any(m in res.text for m in NEED_TO_KNOW)
                    assert res.status_code not in (401, 403) or record_level, \
                        f"{method} {path} refused {role}: {res.text[:200]}"
                    assert res.status_code < 500, f"{method} {path} as {role}: {res.status_code} {res.text[:200]}"
                else:
                    assert res.status_code == 403, f"{method} {path} let {role} in ({res.status_code})"
                checked += 1
    assert checked > 0


@pytest.mark.parametrize("path", ["/healthz", "/login"])
def test_public_routes_answer_without_signing_in(client, path):
    assert client.get(path).status_code == 200


def _socket_opens(client, path: str, headers: dict[str, str]) -> bool:  # type: ignore[no-untyped-def]
    """True when the handshake is accepted; False when the guard closes it (1008) before accepting."""
    try:
        with client.websocket_connect(path, headers=headers):
            return True
    except WebSocketDisconnect as exc:
        assert exc.code == 1008, f"{path}: closed with {exc.code}"
        return False


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_each_role_gets_exactly_the_sockets_it_is_allowed(app, client, make_user):
    tokens = {role: make_user(role)[1] for role in ROLES}
    sockets = _routes(app, APIWebSocketRoute)
    for route in sockets:
        guard = _guards(route.dependant)[0]
        path = _concrete(route.path)
        if isinstance(guard, PublicAccess):
            assert _socket_opens(client, path, {}), f"{path} is public but refused anonymous"
            continue
        assert isinstance(guard, RoleGuard)
        assert not _socket_opens(client, path, {}), f"{path} let anonymous in"
        for role in ROLES:
            allowed = role == "admin" or role in guard.roles
            assert _socket_opens(client, path, tokens[role]) == allowed, f"{path} as {role}"
    guarded = {r.path: set(_guards(r.dependant)[0].roles) for r in sockets  # type: ignore[attr-defined]
               if isinstance(_guards(r.dependant)[0], RoleGuard)}
    assert guarded == {"/chat/ws/operator": {"chat_operator", "supervisor"}}  # the console's socket only
