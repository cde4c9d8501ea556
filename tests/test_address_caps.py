"""Per-address caps (web/address_caps.py): one address past its share of HTTP requests in flight or of
open WebSockets is refused (429, a socket before it is accepted) while other addresses are served;
contact recording and the trusted networks never are; every count is released however a request ends.

The live-server tests run the project's app under uvicorn on loopback and name the client with
X-Forwarded-For, which uvicorn believes from loopback by default (as `bluelamp serve` does from the
proxies in BLUELAMP_TRUSTED_PROXIES): the same proxy-header handling a deployment uses."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from urllib.parse import urlsplit

import httpx
import pytest

from bluelamp.config import ConfigError, Settings, get_settings, parse_networks
from bluelamp.web.address_caps import AddressCaps, Caps, address_key, is_contact_work
from bluelamp.web.limits import uvicorn_options

FAR = "203.0.113.5"      # a public address (TEST-NET-3)
OTHER = "198.51.100.7"   # another public address (TEST-NET-2)
OFFICE = "10.20.30.40"   # a control room behind NAT: a private address, trusted by default


def _run_apart(coro):  # type: ignore[no-untyped-def]
    """asyncio.run in a thread of its own: a browser test's Playwright keeps a loop in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=30)


def _wait(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _slow_request(base: str, address: str) -> socket.socket:
    """An HTTP request from `address` that stays in flight: its headers sent, its body never finished."""
    url = urlsplit(base)
    sock = socket.create_connection((url.hostname, url.port), timeout=10)
    sock.sendall((f"POST /api/v1/online-reports HTTP/1.1\r\nHost: {url.netloc}\r\n"
                  f"X-Forwarded-For: {address}\r\nContent-Type: application/json\r\n"
                  "Content-Length: 1000\r\n\r\n{").encode())
    return sock


def _open(caps: Caps, kind: str, key: str) -> int:
    return caps.open[kind].get(key, 0)


# ---- HTTP ---------------------------------------------------------------------------------------

def test_one_address_past_its_cap_is_refused_while_another_is_served(app, live_server, make_user):
    caps: Caps = app.state.address_caps
    caps.limits["http"] = 2
    _, handler = make_user("call_handler")
    held = [_slow_request(live_server, FAR) for _ in range(2)]
    try:
        assert _wait(lambda: _open(caps, "http", FAR) == 2)
        refused = httpx.get(f"{live_server}/healthz", headers={"X-Forwarded-For": FAR}, timeout=10)
        assert refused.status_code == 429, refused.text
        assert refused.headers["retry-after"] == "1" and refused.headers["connection"] == "close"
        body = refused.json()
        assert body["limit"] == "BLUELAMP_ADDRESS_HTTP_IN_FLIGHT" and body["max"] == 2
        assert "from this address" in body["detail"]
        assert caps.refused["http"] == 1
        # another address is served as ever
        assert httpx.get(f"{live_server}/healthz", headers={"X-Forwarded-For": OTHER}, timeout=10).status_code == 200
        # and contact recording is never refused, even from the address at its cap
        res = httpx.post(f"{live_server}/api/v1/contacts", headers={**handler, "X-Forwarded-For": FAR}, timeout=20,
                         json={"channel": "999", "narrative": "a man is hitting a woman in the street"})
        assert res.status_code == 201, res.text
        assert caps.refused["http"] == 1
    finally:
        for sock in held:
            sock.close()  # the client goes away mid-body
    # its requests end when the client goes, and give their places back
    assert _wait(lambda: caps.in_use() == 0), caps.open
    assert httpx.get(f"{live_server}/healthz", headers={"X-Forwarded-For": FAR}, timeout=10).status_code == 200


def test_a_control_room_behind_one_nat_address_is_never_capped(app, live_server):
    caps: Caps = app.state.address_caps
    caps.limits["http"] = 1
    held = [_slow_request(live_server, OFFICE) for _ in range(3)]
    try:
        time.sleep(0.3)  # the three are inside, uncounted
        assert caps.open["http"] == {}
        res = httpx.get(f"{live_server}/healthz", headers={"X-Forwarded-For": OFFICE}, timeout=10)
        assert res.status_code == 200 and caps.refused["http"] == 0
        # the same load from a public address is capped
        far = _slow_request(live_server, FAR)
        assert _wait(lambda: _open(caps, "http", FAR) == 1)
        assert httpx.get(f"{live_server}/healthz", headers={"X-Forwarded-For": FAR}, timeout=10).status_code == 429
        far.close()
    finally:
        for sock in held:
            sock.close()
    assert _wait(lambda: caps.in_use() == 0)


def test_contact_recording_is_never_refused_whatever_the_count(app, make_user, caplog):
    from fastapi.testclient import TestClient

    caps: Caps = app.state.address_caps
    caps.limits["http"] = 1
    _, handler = make_user("call_handler")
    caps.take("http", FAR)  # the address already has its one request inside
    with TestClient(app, client=(FAR, 40000)) as client:
        with caplog.at_level("WARNING", logger="bluelamp.web"):
            assert client.get("/healthz").status_code == 429
            assert client.get("/healthz").status_code == 429
        # logged once (not once a refusal), naming the limit, the address only as a keyed digest
        logged = [r.getMessage() for r in caplog.records if "per-address cap" in r.getMessage()]
        assert len(logged) == 1 and "BLUELAMP_ADDRESS_HTTP_IN_FLIGHT" in logged[0] and "addr_ref=" in logged[0]
        assert FAR not in caplog.text
        for i in range(3):
            res = client.post("/api/v1/contacts", headers=handler,
                              json={"channel": "101", "narrative": f"my shed was broken into, call {i}"})
            assert res.status_code == 201, res.text
        assert client.get("/contacts/new", headers=handler).status_code != 429
        assert client.get("/api/v1/contacts", headers=handler).status_code == 200
    caps.give("http", FAR)
    assert caps.in_use() == 0 and caps.refused["http"] == 2


def test_the_count_is_released_when_the_route_fails(app):
    from fastapi.testclient import TestClient

    def boom() -> None:
        raise RuntimeError("a route that fails")

    app.add_api_route("/test-boom", boom)
    caps: Caps = app.state.address_caps
    with TestClient(app, client=(FAR, 40000), raise_server_exceptions=False) as client:
        for _ in range(caps.limits["http"] + 3):  # more failures than the cap: none kept its place
            assert client.get("/test-boom").status_code == 500
        assert caps.in_use() == 0
        assert client.get("/healthz").status_code == 200


def test_the_count_is_released_when_the_task_is_cancelled():
    async def scenario() -> tuple[int, int]:
        entered = asyncio.Event()

        async def never_ends(scope, receive, send):  # type: ignore[no-untyped-def]
            entered.set()
            await asyncio.Event().wait()

        caps = Caps(http_in_flight=4, sockets=4)
        gate = AddressCaps(never_ends, caps)

        async def receive():  # type: ignore[no-untyped-def]
            return {"type": "http.request", "body": b""}

        async def send(message):  # type: ignore[no-untyped-def]
            pass

        task = asyncio.create_task(gate({"type": "http", "path": "/healthz", "client": (FAR, 1)}, receive, send))
        await entered.wait()
        inside = caps.in_use()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return inside, caps.in_use()

    assert _run_apart(scenario()) == (1, 0)


# ---- WebSockets ---------------------------------------------------------------------------------

def test_sockets_past_the_cap_are_refused_before_accept_and_released_when_closed(app, live_server):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    caps: Caps = app.state.address_caps
    caps.limits["websocket"] = 2
    token = httpx.post(f"{live_server}/api/v1/chat/start", json={"name": "Kim"}, timeout=10).json()["token"]
    url = live_server.replace("http://", "ws://") + "/chat/ws"

    def citizen(sockets: ExitStack, address: str) -> None:
        ws = sockets.enter_context(connect(url, additional_headers={"X-Forwarded-For": address}, open_timeout=10))
        ws.send(json.dumps({"type": "hello", "token": token, "last_seq": 0}))
        while json.loads(ws.recv(timeout=10))["type"] != "status":
            pass

    with ExitStack() as sockets:
        citizen(sockets, FAR)
        citizen(sockets, FAR)
        assert _open(caps, "websocket", FAR) == 2
        with pytest.raises(InvalidStatus) as refused, \
                connect(url, additional_headers={"X-Forwarded-For": FAR}, open_timeout=10):
            pass
        response = refused.value.response
        assert response.status_code == 429 and response.headers["Retry-After"] == "1"
        assert json.loads(response.body)["limit"] == "BLUELAMP_ADDRESS_SOCKETS"
        assert caps.refused["websocket"] == 1
        citizen(sockets, OTHER)  # another address still connects
        citizen(sockets, OFFICE)  # and a trusted one is never counted
        assert _open(caps, "websocket", OTHER) == 1 and _open(caps, "websocket", OFFICE) == 0
    assert _wait(lambda: caps.in_use() == 0), caps.open
    with ExitStack() as again:  # its places were given back
        citizen(again, FAR)
        citizen(again, FAR)


def test_the_test_client_sees_a_429_handshake_refusal(app):
    from fastapi.testclient import TestClient
    from starlette.testclient import WebSocketDenialResponse

    caps: Caps = app.state.address_caps
    caps.limits["websocket"] = 1
    with TestClient(app, client=(FAR, 40000)) as client:
        token = client.post("/api/v1/chat/start", json={"name": "Sam"}).json()["token"]
        with client.websocket_connect("/chat/ws") as first:
            first.send_json({"type": "hello", "token": token, "last_seq": 0})
            assert _open(caps, "websocket", FAR) == 1
            with pytest.raises(WebSocketDenialResponse) as refused, client.websocket_connect("/chat/ws"):
                pass
            assert refused.value.status_code == 429
            assert refused.value.json()["limit"] == "BLUELAMP_ADDRESS_SOCKETS"
        assert _wait(lambda: caps.in_use() == 0)


def test_without_the_denial_extension_a_socket_past_the_cap_is_closed_1008():
    async def scenario() -> list[dict[str, object]]:
        async def app(scope, receive, send):  # type: ignore[no-untyped-def]
            raise AssertionError("a refused socket never reaches the app")

        caps = Caps(http_in_flight=4, sockets=1)
        caps.take("websocket", FAR)
        sent: list[dict[str, object]] = []

        async def receive():  # type: ignore[no-untyped-def]
            return {"type": "websocket.connect"}

        async def send(message):  # type: ignore[no-untyped-def]
            sent.append(message)

        await AddressCaps(app, caps)({"type": "websocket", "path": "/chat/ws", "client": (FAR, 1)}, receive, send)
        return sent

    sent = _run_apart(scenario())
    assert len(sent) == 1 and sent[0]["type"] == "websocket.close" and sent[0]["code"] == 1008


# ---- addresses, networks, settings ---------------------------------------------------------------

def test_addresses_are_keyed_as_one_host_and_trusted_networks_are_exempt():
    trusted = get_settings().trusted_network_list()
    assert address_key(FAR, trusted) == FAR
    for local in ("127.0.0.1", "::1", OFFICE, "192.168.1.20", "172.16.5.5", "fd12:3456::1", "::ffff:10.0.0.9"):
        assert address_key(local, trusted) is None, local
    # a host's IPv6 addresses are one /64: a client cannot take a fresh cap with each of them
    assert address_key("2001:db8:1:2::1", trusted) == address_key("2001:db8:1:2:ffff::9", trusted) == \
        "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1", trusted) != address_key("2001:db8:1:2::1", trusted)
    assert address_key("::ffff:203.0.113.5", trusted) == FAR
    assert address_key("testclient", trusted) == "testclient"  # not an IP: counted as given
    loopback_only = Settings(trusted_networks="none").trusted_network_list()
    assert address_key(OFFICE, loopback_only) == OFFICE and address_key("127.0.0.1", loopback_only) is None


def test_only_contact_work_is_exempt_by_path():
    for path in ("/api/v1/contacts", "/api/v1/contacts/12/decision", "/contacts", "/contacts/new",
                 "/api/v1/telephony/events"):
        assert is_contact_work(path), path
    for path in ("/api/v1/contactsx", "/contactsfoo", "/healthz", "/chat/ws", "/login", "/api/v1/online-reports"):
        assert not is_contact_work(path), path


def test_the_app_takes_its_caps_from_the_settings(db, monkeypatch):
    from bluelamp.web.app import create_app

    monkeypatch.setenv("BLUELAMP_ADDRESS_HTTP_IN_FLIGHT", "7")
    monkeypatch.setenv("BLUELAMP_ADDRESS_SOCKETS", "0")
    monkeypatch.setenv("BLUELAMP_TRUSTED_NETWORKS", "100.64.0.0/10")
    get_settings.cache_clear()
    try:
        caps = create_app(db, migrate=False).state.address_caps
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert caps.limits == {"http": 7, "websocket": 0}
    assert caps.key("100.64.1.1") is None and caps.key("127.0.0.1") is None and caps.key(OFFICE) == OFFICE


@pytest.mark.parametrize(("name", "value", "says"), [
    ("BLUELAMP_TRUSTED_NETWORKS", "10.0.0.0/33", "is not a network"),
    ("BLUELAMP_TRUSTED_NETWORKS", "10.1.2.3/8", "host bits set"),
    ("BLUELAMP_TRUSTED_NETWORKS", "10.0.0.0/8,office", "'office' is not a network"),
    ("BLUELAMP_ADDRESS_HTTP_IN_FLIGHT", "-1", "greater than or equal to 0"),
    ("BLUELAMP_ADDRESS_SOCKETS", "lots", "valid integer"),
])
def test_a_bad_setting_is_one_clear_error_naming_it(monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError) as bad:
            get_settings()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    message = str(bad.value)
    assert message.startswith(f"{name}: ") and says in message and "\n" not in message, message


def test_parse_networks_reads_lists_and_none():
    assert [str(n) for n in parse_networks(" 10.0.0.0/8 , fd00::/8,192.0.2.1")] == \
        ["10.0.0.0/8", "fd00::/8", "192.0.2.1/32"]
    assert parse_networks("none") == () and parse_networks("") == ()


@pytest.mark.slow  # a whole `bluelamp serve` process
def test_serve_with_a_bad_cap_stops_with_one_line(tmp_path):
    import os

    env = {**os.environ, "BLUELAMP_ADDRESS_SOCKETS": "-5", "BLUELAMP_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "bluelamp", "serve", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "BLUELAMP_ADDRESS_SOCKETS" in lines[0] and "Traceback" not in done.stderr, done.stderr


def test_uvicorn_gets_idle_bounds_but_no_concurrency_limit_that_would_refuse_a_999():
    import uvicorn

    options = uvicorn_options()
    assert "limit_concurrency" not in options  # it answers 503 to everything past it, contacts included
    assert options["timeout_keep_alive"] == 5 and options["ws_ping_interval"] and options["ws_ping_timeout"]
    config = uvicorn.Config(lambda *a: None, **options)
    assert config.limit_concurrency is None and config.backlog == options["backlog"]


def test_a_socket_whose_client_vanishes_gives_its_place_back(app, live_server):
    caps: Caps = app.state.address_caps
    url = urlsplit(live_server)
    raw = socket.create_connection((url.hostname, url.port), timeout=10)
    raw.sendall((f"GET /chat/ws HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 f"X-Forwarded-For: {FAR}\r\n\r\n").encode())
    assert raw.recv(1024).startswith(b"HTTP/1.1 101")  # accepted: it waits for its first frame
    assert _open(caps, "websocket", FAR) == 1
    raw.close()  # gone without a close frame
    # released by the disconnect, well before the socket's 10 s wait for a first frame would end it
    assert _wait(lambda: caps.in_use() == 0, timeout=5), caps.open
