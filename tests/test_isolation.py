"""Nothing stalls a 999 call: argon2 and analyst work run in niced worker processes (bluelamp.cpu), and
anonymous work past its bound is refused with a 429 and Retry-After (web/admission.py)."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from bluelamp import cpu
from bluelamp.demand import compute
from bluelamp.web.admission import Admission, TokenBucket


def _run_apart(coro) -> None:  # type: ignore[no-untyped-def]
    """asyncio.run in a thread of its own: a browser test's Playwright (sync API) keeps an event loop
    running in the main thread for the rest of the session."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result()


def test_a_worker_process_is_another_process_of_lower_priority() -> None:
    pid, nice = cpu.run("analyst", cpu.worker_identity)
    assert pid != os.getpid()
    assert nice >= os.getpriority(os.PRIO_PROCESS, 0) + min(cpu.NICE, 19 - os.getpriority(os.PRIO_PROCESS, 0))
    assert pid in cpu.stats()["analyst"]["pids"]


@pytest.mark.slow  # a whole Python process and its worker started and killed
def test_a_worker_ends_when_its_server_process_is_killed_outright() -> None:
    import subprocess
    import sys
    import time

    code = ("from bluelamp import cpu; import time; "
            "print(cpu.run('analyst', cpu.worker_identity)[0], flush=True); time.sleep(60)")
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    worker = int(server.stdout.readline())
    assert os.path.exists(f"/proc/{worker}")
    server.kill()
    server.wait()
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{worker}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{worker}")  # reaped by init once it ended itself


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_an_error_in_the_worker_is_raised_in_the_caller_as_it_was() -> None:
    with pytest.raises(compute.ComputeError) as exc:
        cpu.run("analyst", compute.forecast, ["2026-01-01", "2026-01-01"], [1.0, 2.0], "D", 3, [80])
    assert exc.value.field == "series" and "duplicate" in exc.value.message


def test_a_sign_in_checks_its_password_in_the_login_worker(db, client, make_user, form_login) -> None:  # type: ignore[no-untyped-def]
    name, _ = make_user("call_handler")
    before = cpu.stats()["login"]["done"]
    assert form_login(client, name, "wrong horse battery").status_code == 401
    assert form_login(client, name, "correct horse battery").status_code == 303
    assert cpu.stats()["login"]["done"] == before + 2
    assert cpu.stats()["login"]["pids"] and os.getpid() not in cpu.stats()["login"]["pids"]


def test_a_rota_is_built_in_the_analyst_worker(client, make_user) -> None:  # type: ignore[no-untyped-def]
    _, analyst = make_user("analyst")
    before = cpu.stats()["analyst"]["done"]
    res = client.post("/api/v1/demand/roster", headers=analyst, json={"required": [2] * 48, "people": 8})
    assert res.status_code == 200, res.text
    assert len(res.json()["cover"]) == 48 and res.json()["assignments"]
    assert cpu.stats()["analyst"]["done"] == before + 1


def test_a_simulation_error_found_in_the_worker_is_a_422(client, make_user) -> None:  # type: ignore[no-untyped-def]
    _, analyst = make_user("analyst")
    res = client.post("/api/v1/demand/simulate", headers=analyst, json={"calls": [10, 10], "handlers": [2]})
    assert res.status_code == 422 and res.json()["detail"].startswith("handlers"), res.text
    res = client.post("/api/v1/demand/simulate", headers=analyst, json={"calls": [10, 10], "handlers": [2, 2]})
    assert res.status_code == 200 and res.json()["calls"] == 20, res.text


def test_sign_in_and_public_pages_are_anonymous_work_but_the_public_channels_are_not() -> None:
    from bluelamp.web.admission import is_anonymous

    assert all(is_anonymous(p) for p in ("/login", "/my-case/sign-in", "/public/dashboard", "/api/v1/public/dashboard"))
    assert not any(is_anonymous(p) for p in ("/public", "/public/report", "/api/v1/online-reports", "/api/v1/chat/start",
                                             "/chat/ws", "/api/v1/contacts", "/static/app.css"))


def test_the_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=2.0, now=0.0)
    assert [bucket.take(now=0.0) for _ in range(3)] == [True, True, False]
    assert bucket.take(now=0.4) is False  # 0.8 of a token
    assert bucket.take(now=0.5) is True
    assert bucket.take(now=10.0) and bucket.take(now=10.0) and not bucket.take(now=10.0)  # at most burst


def _app_with(monkeypatch, db, per_s: str, in_flight: str = "16"):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from bluelamp.config import get_settings
    from bluelamp.web.app import create_app

    monkeypatch.setenv("BLUELAMP_ANONYMOUS_PER_S", per_s)
    monkeypatch.setenv("BLUELAMP_ANONYMOUS_IN_FLIGHT", in_flight)
    get_settings.cache_clear()
    try:
        return TestClient(create_app(db, migrate=False))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_anonymous_requests_past_the_bound_get_a_429_with_retry_after(db, monkeypatch, make_user) -> None:  # type: ignore[no-untyped-def]
    client = _app_with(monkeypatch, db, per_s="0.2")  # a burst of 1, then one every 5 seconds
    _, handler = make_user("call_handler")
    assert client.get("/login").status_code == 200
    refused = client.get("/login")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "busy" in refused.text
    api = client.get("/api/v1/public/dashboard")
    assert api.status_code == 429 and api.headers["Retry-After"] == "1" and "busy" in api.json()["detail"]
    # a signed-in 999 contact is never counted against the anonymous bound
    res = client.post("/api/v1/contacts", headers=handler, json={"channel": "999", "narrative": "a man with a knife"})
    assert res.status_code == 201, res.text


def test_anonymous_requests_beyond_the_in_flight_cap_are_refused_at_once() -> None:
    _run_apart(_two_at_once())


async def _two_at_once() -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow_app(scope, receive, send):  # type: ignore[no-untyped-def]
        entered.set()
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    gate = Admission(slow_app, per_s=1000, in_flight=1, hold_s=0)
    sent: list[list[dict[str, object]]] = [[], []]

    def sender(i: int):  # type: ignore[no-untyped-def]
        async def send(message):  # type: ignore[no-untyped-def]
            sent[i].append(message)
        return send

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "path": "/login", "headers": []}
    first = asyncio.create_task(gate(scope, receive, sender(0)))
    await entered.wait()
    await gate(scope, receive, sender(1))  # the second, while the first is inside
    assert sent[1][0]["status"] == 429 and (b"retry-after", b"1") in sent[1][0]["headers"]  # type: ignore[operator]
    release.set()
    await first
    assert sent[0][0]["status"] == 200 and gate.in_flight == 0 and gate.refused == 1


def test_a_refused_request_is_held_before_its_429_so_a_flood_cannot_retry_at_once() -> None:
    _run_apart(_held())


async def _held() -> None:
    async def never(scope, receive, send):  # type: ignore[no-untyped-def]
        raise AssertionError("a refused request never reaches the app")

    gate = Admission(never, per_s=1, in_flight=0, hold_s=0.3)  # nothing is admitted
    sent: list[dict[str, object]] = []

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": b""}

    task = asyncio.create_task(gate({"type": "http", "path": "/api/v1/public/dashboard", "headers": []},
                                    receive, send))
    await asyncio.sleep(0.05)
    assert sent == [] and gate.held == 1  # waiting on the event loop, not answered yet
    await task
    assert sent[0]["status"] == 429 and gate.held == 0 and gate.refused == 1


def _fake_request(token: str) -> object:
    from types import SimpleNamespace

    return SimpleNamespace(headers={"authorization": f"Bearer {token}"},
                           app=SimpleNamespace(state=SimpleNamespace(db=object())))


def _in_own_loop(coro_fn):  # type: ignore[no-untyped-def]
    # its own thread: a browser test may leave an event loop running in the main one
    with ThreadPoolExecutor(1) as ex:
        return ex.submit(lambda: asyncio.run(coro_fn())).result(timeout=60)


def test_requests_of_one_uncached_token_wait_for_one_look_up_and_none_is_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading
    import time

    from bluelamp.identity.model import Principal
    from bluelamp.web import auth

    calls = []
    lock = threading.Lock()
    someone = Principal(user_id=1, username="h", roles=frozenset({"call_handler"}), team=None)

    def slow_lookup(_request):  # type: ignore[no-untyped-def]
        with lock:
            calls.append(1)
        time.sleep(0.2)
        return someone

    monkeypatch.setattr(auth, "current_principal", slow_lookup)
    request = _fake_request("t-single-flight")

    async def many() -> list[object]:
        # 300 at once: more than the auth pool's threads and waiting places (2 + 64) together
        return await asyncio.gather(*(auth._resolve_once(request) for _ in range(300)))  # type: ignore[arg-type]

    found = _in_own_loop(many)
    assert found == [someone] * 300
    assert len(calls) == 1
    assert not auth._in_flight


def test_when_the_shared_look_up_fails_each_waiting_request_looks_up_for_itself(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import time

    from fastapi import HTTPException

    from bluelamp.identity.model import Principal
    from bluelamp.web import auth

    someone = Principal(user_id=1, username="h", roles=frozenset({"call_handler"}), team=None)
    calls = []

    def lookup(_request):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.2)
            raise HTTPException(503, detail="busy")
        return someone

    monkeypatch.setattr(auth, "current_principal", lookup)
    request = _fake_request("t-leader-fails")

    async def three() -> list[object]:
        return await asyncio.gather(*(auth._resolve_once(request) for _ in range(3)),  # type: ignore[arg-type]
                                    return_exceptions=True)

    first, *others = _in_own_loop(three)
    assert isinstance(first, HTTPException) and first.status_code == 503
    assert others == [someone, someone]
    assert len(calls) == 3


def test_what_start_up_loaded_is_frozen_and_full_collections_wait_for_their_schedule(app) -> None:  # type: ignore[no-untyped-def]
    """A full garbage collection walks every tracked object while holding the GIL; the ~360,000 that a
    started server holds for its whole life (modules, the triage model, the app) stalled the event loop
    and every request thread 150-560 ms each time, and Python ran one every 30-50 s under the chat
    benchmark (BENCHMARKS.md, session 7). They are frozen after start-up, full collections run only on
    the collector's schedule, and both are given back as they were at shutdown."""
    import gc

    from fastapi.testclient import TestClient

    from bluelamp.web.collector import NEVER

    before = gc.get_threshold()
    router = app.router  # made before start-up, alive as long as the app
    with TestClient(app):
        frozen = gc.get_freeze_count()
        walked = gc.get_objects()
        assert frozen > 100_000  # the modules and the model, at least
        assert len(walked) < frozen / 4  # a full collection walks a small part of what is alive
        assert not any(o is router for o in walked)
        del walked
        assert gc.get_threshold() == (before[0], before[1], NEVER)  # young generations as Python does
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
    assert any(o is router for o in gc.get_objects())  # collectable again once the app has stopped


def test_the_scheduled_full_collection_frees_garbage_cycles() -> None:
    import gc
    import weakref

    from bluelamp.web.collector import collect_on_schedule

    class Node:
        pass

    async def scenario() -> bool:
        a, b = Node(), Node()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        gone = weakref.ref(a)
        del a, b  # a cycle: only a collection frees it
        task = asyncio.create_task(collect_on_schedule(0.01))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if gone() is None:
                break
        task.cancel()
        return gone() is None

    enabled = gc.isenabled()
    gc.disable()  # nothing but the schedule collects
    try:
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(asyncio.run, scenario()).result()
    finally:
        if enabled:
            gc.enable()
