"""Limits on the wire and reads that never wait: body bytes counted as they arrive, WebSocket frames
refused at the protocol, ids and dates bounded, planning inputs bounded, /healthz never stuck, GETs
that never take the write lock, errors in the caller's language."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from sqlalchemy import func, select

from bluelamp.web.limits import MAX_BODY_BYTES, WS_MAX_BYTES, BodyLimit


def _drive(app, chunks: list[bytes], headers: list[tuple[bytes, bytes]] | None = None):  # type: ignore[no-untyped-def]
    """Send a body to an ASGI app chunk by chunk; returns (status, chunks the app pulled)."""
    pulled = 0
    sent: list[dict] = []

    async def receive():  # type: ignore[no-untyped-def]
        nonlocal pulled
        pulled += 1
        i = pulled - 1
        return {"type": "http.request", "body": chunks[i], "more_body": i < len(chunks) - 1}

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/online-reports", "headers": headers or []}
    # A fresh event loop in its own thread: a browser test earlier in the run may leave one running here.
    worker = threading.Thread(target=lambda: asyncio.run(app(scope, receive, send)))
    worker.start()
    worker.join(30)
    return sent[0]["status"], pulled


async def _reads_everything(scope, receive, send):  # type: ignore[no-untyped-def]
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def test_a_chunked_body_is_cut_off_at_the_limit_not_read_whole():
    chunk = b"x" * 65_536
    chunks = [chunk] * 150  # ~9.8 MB with no Content-Length, as a chunked upload sends it
    status, pulled = _drive(BodyLimit(_reads_everything), chunks)
    assert status == 413
    assert pulled == MAX_BODY_BYTES // len(chunk) + 1  # it stopped at the first chunk past the limit


def test_a_length_header_that_lies_small_does_not_help():
    chunks = [b"x" * 600_000, b"x" * 600_000]
    status, pulled = _drive(BodyLimit(_reads_everything), chunks, [(b"content-length", b"10")])
    assert (status, pulled) == (413, 2)


def test_a_declared_length_over_the_limit_is_refused_before_reading():
    status, pulled = _drive(BodyLimit(_reads_everything), [b"{}"], [(b"content-length", b"150000000")])
    assert (status, pulled) == (413, 0)


def test_a_body_within_the_limit_passes():
    status, pulled = _drive(BodyLimit(_reads_everything), [b"x" * 1000, b"x" * 1000])
    assert (status, pulled) == (201, 2)


def test_a_chunked_upload_to_the_live_server_gets_413(live_server, db):
    import httpx

    def body():  # type: ignore[no-untyped-def]
        for _ in range(40):  # 2.6 MB, chunked
            yield b'{"what_happened": "' + b"a" * 65_536

    res = httpx.post(f"{live_server}/api/v1/online-reports", content=body(),
                     headers={"content-type": "application/json"}, timeout=20)
    assert res.status_code == 413 and "body" in res.json()["detail"]
    from bluelamp.contact.store import Contact

    with db.unit_of_work() as s:
        assert s.execute(select(func.count()).select_from(Contact)).scalar_one() == 0


def test_a_websocket_frame_over_the_limit_is_refused_by_the_protocol(live_server):
    import httpx
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    token = httpx.post(f"{live_server}/api/v1/chat/start", json={"name": "Kim"}, timeout=10).json()["token"]
    url = live_server.replace("http://", "ws://") + "/chat/ws"
    with connect(url, max_size=None, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "hello", "token": token, "last_seq": 0}))  # the token in the first frame
        ws.send(json.dumps({"type": "message", "client_id": "c1", "body": "x" * (2 * WS_MAX_BYTES)}))
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(20):  # frames sent before the refusal are read past
                ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big


@pytest.mark.parametrize("path", [
    "/api/v1/contacts/99999999999999999999",
    "/api/v1/contacts/9223372036854775808",
    "/api/v1/incidents/-9223372036854775809",
    "/api/v1/crimes/123456789012345678901234567890",
])
def test_an_id_beyond_64_bits_is_a_422_naming_it(client, make_user, path):
    _, admin = make_user("admin")
    res = client.get(path, headers=admin)
    assert res.status_code == 422, res.text
    assert res.json()["detail"].startswith("path.")


def test_the_largest_64_bit_id_is_not_found_or_out_of_range_never_a_500(client, db, make_user):
    _, admin = make_user("admin")
    res = client.get("/api/v1/contacts/9223372036854775807", headers=admin)
    if db.dialect == "sqlite":  # SQLite's integer ids are 64-bit: no such record
        assert res.status_code == 404, res.text
    else:  # PostgreSQL's INTEGER columns are 32-bit: the database refuses the number
        assert res.status_code == 422 and "out of range" in res.json()["detail"], res.text


@pytest.mark.parametrize(("query", "field"), [
    ("to=9999-12-31", "query.to"), ("from=0001-01-01&to=0001-01-31", "query.from"),
    ("from=1850-01-01&to=1850-01-02", "query.from"), ("from=2026-01-01&to=10000-01-01", "query.to"),
])
def test_dates_out_of_range_are_a_422_on_both_dashboards(client, make_user, query, field):
    _, admin = make_user("admin")
    for url in ("/api/v1/performance/dashboard", "/api/v1/public/dashboard", "/api/v1/measures"):
        res = client.get(f"{url}?{query}", headers=admin)
        assert res.status_code == 422, f"{url}?{query}: {res.status_code} {res.text[:200]}"
        assert res.json()["detail"].split(":")[0] == field, (url, res.text)


TOO_LONG = "Input should be less than or equal"


@pytest.mark.parametrize(("body", "detail"), [
    ({"calls": 100, "interval_s": 1800, "aht_s": 7e16, "target_answer_s": 10, "target_level": 0.9},
     f"aht_s: {TOO_LONG}"),
    ({"calls": 100, "interval_s": 1e308, "aht_s": 180, "target_answer_s": 10, "target_level": 0.9},
     f"interval_s: {TOO_LONG}"),
    ({"calls": 1e6, "interval_s": 60, "aht_s": 3600, "target_answer_s": 10, "target_level": 0.9},
     "calls: the offered load"),
    ({"intervals": [1e6] * 3, "interval_s": 1, "aht_s": 600, "target_answer_s": 10, "target_level": 0.9,
      "patience_s": 60}, "calls: the offered load"),
])
def test_absurd_staffing_inputs_are_a_422_at_once(client, make_user, body, detail):
    """Refused by validation of the input, naming it (not after a long search for enough agents)."""
    _, analyst = make_user("analyst")
    res = client.post("/api/v1/demand/staffing", headers=analyst, json=body)
    assert res.status_code == 422, res.text[:300]
    assert res.json()["detail"].startswith(detail), res.text[:300]


def test_an_absurd_simulation_is_a_422(client, make_user):
    _, analyst = make_user("analyst")
    res = client.post("/api/v1/demand/simulate", headers=analyst,
                      json={"calls": [10_000] * 100, "handlers": [5] * 100})
    assert res.status_code == 422 and res.json()["detail"].startswith("calls:"), res.text


def test_a_page_error_is_an_html_page_and_an_api_error_is_json(client, make_user):
    _, admin = make_user("admin")
    page = client.get("/contacts/424242", headers=admin)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower() and not page.text.lstrip().startswith("{")
    api = client.get("/api/v1/contacts/424242", headers=admin)
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")
    assert api.json()["detail"].startswith("id:")
    bad = client.get("/contacts/99999999999999999999999", headers=admin)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_healthz_says_503_within_a_second_when_the_database_does_not_answer(client, monkeypatch):
    from bluelamp.web import app as web_app

    release = threading.Event()

    def hangs(db):  # type: ignore[no-untyped-def]
        # Stuck until this test has its answer: only a check that gives up (HEALTH_TIMEOUT_S) can
        # answer 503; one that waited would answer 200 once the wait ends (or hang the test).
        release.wait(60)

    monkeypatch.setattr(web_app, "_database_answers", hangs)
    try:
        res = client.get("/healthz")
    finally:
        release.set()  # free the health check's thread for the next test
    assert res.status_code == 503 and res.json()["status"] == "unavailable"
    assert web_app.HEALTH_TIMEOUT_S <= 1.0


def test_a_read_only_unit_of_work_refuses_to_write(db):
    from bluelamp.contact.store import Contact
    from bluelamp.db.engine import ReadOnlyViolation

    with pytest.raises(ReadOnlyViolation), db.unit_of_work(write=False) as s:
        s.add(Contact(channel="101", agency="police", source="t", narrative="x", urban=True, answers={},
                      proposal={}, flags=[], policy_version="2026.1", household=[], status="decided",
                      recorded_by="t"))
        s.flush()


def test_a_full_sign_in_pool_refuses_at_once_and_contacts_are_still_recorded(live_server, make_user):
    """The argon2 pool (1 thread, 32 waiting) is filled by blocked sign-ins; one more is refused with
    a 503 at once, and a 999 contact is still recorded: its threads are its own."""
    import httpx
    from fastapi import HTTPException

    from bluelamp.web.pools import POOLS, pool

    _, handler = make_user("call_handler")
    release = threading.Event()
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    spec = POOLS["login"]
    try:
        held = [asyncio.run_coroutine_threadsafe(pool("login").run(lambda: release.wait(30)), loop)
                for _ in range(spec.threads + spec.max_waiting)]
        time.sleep(0.2)
        refused = asyncio.run_coroutine_threadsafe(pool("login").run(lambda: True), loop)
        with pytest.raises(HTTPException) as busy:
            refused.result(timeout=5)
        assert busy.value.status_code == 503
        res = httpx.post(f"{live_server}/api/v1/contacts", headers=handler, timeout=10,
                         json={"channel": "999", "narrative": "my neighbour has collapsed and is not breathing"})
        assert res.status_code == 201, res.text
    finally:
        release.set()
        for f in held:
            f.result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        runner.join(5)


def test_the_public_dashboard_of_a_period_before_any_record_is_empty_not_a_500(client):
    res = client.get("/api/v1/public/dashboard?from=2000-01-01&to=2000-01-31")  # found by schemathesis
    assert res.status_code == 200, res.text
    assert res.json()["calls_999"]["answered"] is None  # nothing to show: withheld, never a made-up 0
