"""Accounts and sessions (issue 12, items 5-7): disable, enable, passwd, roles, token list/revoke and
expiry, server-side sessions ended by logout / disable / password change / idle timeout, sign-in
throttling, password rules, CSRF and Origin checks, production refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

PASSWORD = "correct horse battery"


def run(args, stdin="", env=None):  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "bluelamp", *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


@pytest.fixture(autouse=True)
def _fresh_caches():  # type: ignore[no-untyped-def]
    from bluelamp.web import auth

    auth._token_cache.clear()  # the sign-in throttle is in the database, emptied by the db fixture
    yield


def _user(db, name, *roles):  # type: ignore[no-untyped-def]
    from bluelamp.identity import service

    with db.unit_of_work() as s:
        service.add_user(s, name, list(roles), PASSWORD)


def _expire_token_cache():  # type: ignore[no-untyped-def]
    # The API caches a resolved token for 10 s; the contract allows that long. Move past it.
    from bluelamp.web import auth

    auth._token_cache.clear()


def _actions(db, action):  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit_entry WHERE action = :a"), {"a": action}).scalar()


@pytest.mark.slow  # runs the CLI in subprocesses: seconds each (kept out of the fast subset)
def test_cli_disable_enable_passwd_roles_each_audited_and_effective(db, client, form_login):
    assert run(["user", "add", "dana", "--role", "call_handler"], PASSWORD + "\n").returncode == 0
    token = run(["token", "create", "dana"]).stdout.strip().splitlines()[-1]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/contacts", headers=bearer).status_code == 200
    assert form_login(client, "dana").status_code == 303
    assert client.get("/contacts", follow_redirects=False).status_code == 200

    out = run(["user", "disable", "dana"])
    assert out.returncode == 0, out.stderr
    # The session ends at once; the token as soon as the 10 s cache lets go of it.
    assert client.get("/contacts", follow_redirects=False).status_code == 303
    _expire_token_cache()
    assert client.get("/api/v1/contacts", headers=bearer).status_code == 401
    assert form_login(client, "dana").status_code == 401

    assert run(["user", "enable", "dana"]).returncode == 0
    _expire_token_cache()
    assert client.get("/api/v1/contacts", headers=bearer).status_code == 200
    assert form_login(client, "dana").status_code == 303

    out = run(["user", "passwd", "dana"], "a different long phrase\n")
    assert out.returncode == 0, out.stderr
    assert client.get("/contacts", follow_redirects=False).status_code == 303  # session ended
    assert form_login(client, "dana").status_code == 401
    assert form_login(client, "dana", "a different long phrase").status_code == 303

    assert run(["user", "roles", "dana", "--role", "analyst"]).returncode == 0
    _expire_token_cache()
    assert client.get("/api/v1/contacts", headers=bearer).status_code == 403
    for action in ("user.disabled", "user.enabled", "user.password_changed", "user.roles_changed"):
        assert _actions(db, action) == 1, action


@pytest.mark.slow  # runs the CLI in subprocesses: seconds each (kept out of the fast subset)
def test_cli_token_list_and_revoke_by_id_and_all(db, client):
    assert run(["user", "add", "eve", "--role", "call_handler"], PASSWORD + "\n").returncode == 0
    t1 = run(["token", "create", "eve"]).stdout.strip().splitlines()[-1]
    t2 = run(["token", "create", "eve", "--days", "1"]).stdout.strip().splitlines()[-1]
    assert client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {t1}"}).status_code == 200
    rows = [json.loads(line) for line in run(["token", "list", "eve"]).stdout.splitlines()]
    assert [r["state"] for r in rows] == ["active", "active"]
    assert rows[0]["last_used_at"] is not None and rows[1]["last_used_at"] is None
    assert rows[0]["expires_at"] and rows[1]["expires_at"]
    assert t1 not in json.dumps(rows) and t2 not in json.dumps(rows)

    out = run(["token", "revoke", "eve", "--id", str(rows[0]["id"])])
    assert out.returncode == 0, out.stderr
    _expire_token_cache()
    assert client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {t1}"}).status_code == 401
    assert client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {t2}"}).status_code == 200
    assert run(["token", "revoke", "eve", "--all"]).returncode == 0
    _expire_token_cache()
    assert client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {t2}"}).status_code == 401
    states = [json.loads(line)["state"] for line in run(["token", "list", "eve"]).stdout.splitlines()]
    assert states == ["revoked", "revoked"]
    assert _actions(db, "token.revoked") == 2

    for args in (["token", "revoke", "eve"], ["token", "revoke", "eve", "--all", "--id", "1"],
                 ["token", "revoke", "eve", "--id", "99999"], ["user", "disable", "nobody"]):
        bad = run(args)
        assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1, args


def test_a_revoked_token_is_refused_within_ten_seconds_without_clearing_the_cache(db, client, make_user):
    """The cache's own clock moved on by the contract's 10 s (no real waiting): refused, cache kept."""
    from bluelamp.identity import service
    from bluelamp.web import auth

    name, bearer = make_user("call_handler")
    assert client.get("/api/v1/contacts", headers=bearer).status_code == 200
    now = time.monotonic()
    assert auth._token_cache and all(until <= now + 10 for until, _ in auth._token_cache.values())
    with db.unit_of_work() as s:
        service.revoke_tokens(s, name)
    for key, (until, who) in list(auth._token_cache.items()):
        auth._token_cache[key] = (until - 10, who)  # as the cache will see it 10 s from now
    assert client.get("/api/v1/contacts", headers=bearer).status_code == 401


def test_an_expired_token_is_refused(db, client, fixed_clock):
    from bluelamp.identity import service

    _user(db, "fred", "call_handler")
    with db.unit_of_work() as s:
        token = service.create_token(s, "fred", days=1)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/contacts", headers=bearer).status_code == 200
    fixed_clock.advance(days=1, seconds=1)  # type: ignore[attr-defined]
    _expire_token_cache()
    assert client.get("/api/v1/contacts", headers=bearer).status_code == 401


def test_after_logout_the_old_cookie_is_refused(db, app, client, form_login):
    _user(db, "gwen", "supervisor")
    assert form_login(client, "gwen").status_code == 303
    cookie = client.cookies.get("bluelamp_session")
    assert client.get("/contacts", follow_redirects=False).status_code == 200
    assert client.post("/logout", follow_redirects=False).status_code == 303
    from fastapi.testclient import TestClient

    with TestClient(app) as replay:
        replay.cookies.set("bluelamp_session", cookie)
        assert replay.get("/contacts", follow_redirects=False).status_code == 303
        assert replay.get("/me", follow_redirects=False).status_code == 303


def test_sessions_end_after_thirty_idle_minutes_and_after_twelve_hours(db, client, form_login, fixed_clock):
    _user(db, "hana", "supervisor")
    assert form_login(client, "hana").status_code == 303
    fixed_clock.advance(minutes=29)  # type: ignore[attr-defined]
    assert client.get("/contacts", follow_redirects=False).status_code == 200
    fixed_clock.advance(minutes=31)  # type: ignore[attr-defined]
    assert client.get("/contacts", follow_redirects=False).status_code == 303
    assert form_login(client, "hana").status_code == 303
    for _ in range(25):  # busy all shift: never idle, still ended at 12 h
        fixed_clock.advance(minutes=29)  # type: ignore[attr-defined]
        client.get("/me")
    assert client.get("/contacts", follow_redirects=False).status_code == 303


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_sign_in_is_throttled_then_locked_and_failures_are_logged_without_names(db, client, caplog):
    import re

    _user(db, "ivan", "analyst")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]

    def attempt(password):  # type: ignore[no-untyped-def]
        return client.post("/login", data={"username": "ivan", "password": password, "csrf_token": token},
                           follow_redirects=False).status_code

    caplog.set_level("WARNING", logger="bluelamp.web.login")
    codes = [attempt(f"wrong guess {i}") for i in range(60)]
    assert codes[:4] == [401] * 4 and 429 in codes
    assert attempt(PASSWORD) == 429  # the right password does not get through a lock
    assert codes.count(401) <= 10
    text = caplog.text
    assert "sign-in failed" in text and "ivan" not in text and "testclient" not in text
    # Once the counts are cleared (the lock has passed), the right password works again.
    from bluelamp.web import pages

    pages.throttle.clear(db)
    assert attempt(PASSWORD) == 303


def test_the_throttle_backs_off_then_locks_per_username_and_per_address(db, fixed_clock):
    from bluelamp.identity.throttle import LoginThrottle

    t = LoginThrottle()
    for _ in range(3):
        assert t.wait_s(db, "ivan", "10.0.0.1") == 0
        t.failed(db, "ivan", "10.0.0.1")
    assert t.wait_s(db, "ivan", "10.0.0.1") == 0
    t.failed(db, "ivan", "10.0.0.1")  # the 4th: back-off begins
    assert 0 < t.wait_s(db, "ivan", "10.0.0.9") <= 1  # per username, from any address
    locked = False
    for _ in range(6):
        fixed_clock.advance(seconds=120)
        locked = t.failed(db, "ivan", "10.0.0.1")
    assert locked and t.wait_s(db, "ivan", "10.0.0.2") > 800  # locked for 15 minutes
    fixed_clock.advance(seconds=901)
    assert t.wait_s(db, "ivan", "10.0.0.2") == 0
    for i in range(50):  # one address trying many usernames locks the address
        t.failed(db, f"user{i}", "10.0.0.66")
    assert t.wait_s(db, "someone-else", "10.0.0.66") > 800 and t.wait_s(db, "someone-else", "10.0.0.67") == 0


@pytest.mark.parametrize("password, words", [
    ("password", "at least 12"), (" " * 14, "at least 12"), ("aaaaaaaaaaaaaaa", "at least 12"),
    ("Password123456", "common"), ("qwertyuiop!!", "common"), ("123456789012345", "common"),
    ("judy-the-best-1", "username"),
])
def test_new_passwords_follow_the_ncsc_rules(db, password, words):
    from bluelamp.identity import service
    from bluelamp.identity.model import IdentityError

    with pytest.raises(IdentityError, match=words), db.unit_of_work() as s:
        service.add_user(s, "judy", ["analyst"], password)
    with db.unit_of_work() as s:
        service.add_user(s, "judy", ["analyst"], "three random words")


def test_login_and_forms_need_the_csrf_token(db, client, form_login):
    _user(db, "kim", "supervisor")
    bare = client.post("/login", data={"username": "kim", "password": PASSWORD}, follow_redirects=False)
    assert bare.status_code == 403
    assert form_login(client, "kim").status_code == 303
    del client.headers["X-CSRF-Token"]
    res = client.post("/logout", follow_redirects=False)
    assert res.status_code == 403
    assert client.post("/logout", data={"csrf_token": "wrong"}, follow_redirects=False).status_code == 403


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"}, {"Origin": "http://testserver:8081"},
                                     {"Sec-Fetch-Site": "same-site"}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "null"}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"}])
def test_a_cookie_authenticated_post_from_a_foreign_origin_is_refused(db, client, form_login, headers):
    _user(db, "lee", "call_handler")
    assert form_login(client, "lee").status_code == 303
    res = client.post("/api/v1/triage", json={"channel": "999", "narrative": "help"}, headers=headers)
    assert res.status_code == 403 and "origin" in res.json()["detail"]
    same = client.post("/api/v1/triage", json={"channel": "999", "narrative": "help"},
                       headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200


def test_bearer_requests_need_no_csrf_token(db, client, make_user):
    _, bearer = make_user("call_handler")
    res = client.post("/api/v1/triage", json={"channel": "999", "narrative": "help"},
                      headers={**bearer, "Origin": "http://elsewhere.example"})
    assert res.status_code == 200


def test_security_headers_on_pages_and_api(db, client, make_user):
    _, bearer = make_user("call_handler")
    for res in (client.get("/login"), client.get("/api/v1/contacts", headers=bearer)):
        h = res.headers
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert "script-src 'self';" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert h["cache-control"] == "no-store"
        assert "strict-transport-security" not in h  # only in production (behind TLS)


def test_no_page_has_an_inline_script():
    import re
    from pathlib import Path

    import bluelamp.web

    root = Path(bluelamp.web.__file__).parent / "templates"
    inline = []
    for path in root.rglob("*.html"):
        for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", path.read_text(), re.S):
            attrs, body = m.group(1), m.group(2).strip()
            if body and "application/json" not in attrs:
                inline.append(str(path.relative_to(root)))
        assert not re.search(r"\son[a-z]+\s*=", path.read_text()), f"inline handler in {path}"
    assert not inline, f"inline scripts: {inline}"


@pytest.mark.slow  # runs the CLI in subprocesses: seconds each (kept out of the fast subset)
def test_production_refuses_a_short_secret_and_the_demo(db):
    short = run(["serve", "--port", "1"], env={"BLUELAMP_ENV": "production", "BLUELAMP_SECRET_KEY": "x"})
    assert short.returncode != 0 and "32" in short.stderr
    key = "k3Y-" + "abcdefghijklmnopqrstuvwxyz0123456789"
    demo = run(["serve", "--port", "1", "--demo"], env={"BLUELAMP_ENV": "production", "BLUELAMP_SECRET_KEY": key})
    assert demo.returncode != 0 and "--demo" in demo.stderr
    seed = run(["demo", "--days", "1"], env={"BLUELAMP_ENV": "production", "BLUELAMP_SECRET_KEY": key})
    assert seed.returncode != 0 and "production" in seed.stderr


def test_production_hides_openapi_unless_admin_and_adds_hsts(db, make_user, monkeypatch):
    from fastapi.testclient import TestClient

    from bluelamp.config import get_settings
    from bluelamp.web.app import create_app

    _, admin = make_user("admin")
    _, handler = make_user("call_handler")
    monkeypatch.setenv("BLUELAMP_ENV", "production")
    monkeypatch.setenv("BLUELAMP_SECRET_KEY", "k3Y-abcdefghijklmnopqrstuvwxyz0123456789")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(db)) as c:
            assert c.get("/openapi.json").status_code == 401
            assert c.get("/openapi.json", headers=handler).status_code == 403
            ok = c.get("/openapi.json", headers=admin)
            assert ok.status_code == 200 and "/api/v1/contacts" in ok.json()["paths"]
            assert c.get("/docs").status_code == 404
            assert "max-age" in c.get("/healthz").headers["strict-transport-security"]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_operator_socket_checks_the_origin(db, client, form_login):
    from starlette.websockets import WebSocketDisconnect

    _user(db, "mo", "chat_operator")
    assert form_login(client, "mo").status_code == 303
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(
            "/chat/ws/operator", headers={"Origin": "http://chat.force.example"}) as ws:
        ws.receive_json()
    assert refused.value.code == 1008
    with client.websocket_connect("/chat/ws/operator", headers={"Origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"]


def test_var_files_are_private(tmp_path):
    from bluelamp.config import Settings

    settings = Settings(var_dir=tmp_path / "var", database_url="", secret_key="")
    url = settings.resolved_database_url()
    settings.resolved_secret_key()
    var = tmp_path / "var"
    assert oct(var.stat().st_mode & 0o777) == "0o700"
    assert oct((var / "bluelamp.sqlite3").stat().st_mode & 0o777) == "0o600" and url.endswith("bluelamp.sqlite3")
    assert oct((var / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_an_open_operator_console_closes_when_the_user_is_disabled(db, client, form_login, monkeypatch):
    from starlette.websockets import WebSocketDisconnect

    from bluelamp.chat import ws as chat_ws
    from bluelamp.identity import service

    monkeypatch.setattr(chat_ws, "SOCKET_RECHECK_S", 0.2)
    _user(db, "nia", "chat_operator")
    assert form_login(client, "nia").status_code == 303
    with client.websocket_connect("/chat/ws/operator") as socket:
        socket.receive_json()  # the snapshot
        with db.unit_of_work() as s:
            service.set_active(s, "nia", False)
        with pytest.raises(WebSocketDisconnect):
            for _ in range(50):
                socket.receive_json()
