"""With every shared request thread busy, anonymous work and a 999 contact still answer (issue 11).

The real app (`create_app`, nothing of ours overridden) under a TestClient: its event loop's default
thread limiter is the one the app sized to `settings.request_threads` at start-up, and the test fills
every one of those threads with a blocking task of its own, the way a crowd of slow sync requests
would. A sync route then waits (the control: the threads really are full), while the sign-in page, a
cached public dashboard (API and page), a sign-in refused for a remembered throttle, and a 999 contact
are still answered. The remembered refusal, the cached dashboard and the sign-in page run no SQL."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.to_thread
import pytest
from sqlalchemy import event

from bluelamp.identity import throttle as throttle_mod

ANSWER_S = 15.0  # generous: another job may share this machine's two cores


@pytest.fixture
def statements(db) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Every SQL statement sent on the app's engine while the fixture is alive."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_a):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def _csrf(page: Any) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the sign-in form carries no CSRF token"
    return found.group(1)


def _wrong(client: Any, name: str, token: str) -> Any:
    return client.post("/login", data={"username": name, "password": "not the password", "next": "/",
                                       "csrf_token": token}, follow_redirects=False)


def test_with_every_request_thread_busy_anonymous_work_and_a_999_contact_still_answer(
        db, fixed_clock, make_user, statements, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from bluelamp.config import get_settings
    from bluelamp.web.app import create_app

    # The throttle trusts a wait it read for MEMO_S of real time; on a busy machine the steps below
    # could take longer than that, so the throttle's own real-time source is held still.
    monkeypatch.setattr(throttle_mod, "_monotonic", lambda: 1000.0)
    name, _ = make_user("call_handler")
    _, handler = make_user("call_handler")
    threads = get_settings().request_threads
    release = threading.Event()
    holding = threading.Semaphore(0)

    def hold() -> None:  # one request thread, busy until the test lets it go
        holding.release()
        release.wait(120)

    with TestClient(create_app(db)) as client, ThreadPoolExecutor(8) as side:
        # Before: the month's public figures counted once (a cache miss), and a username throttled
        # by four wrong passwords (3 free, then a back-off), the fifth refused after reading the
        # database, so the process now remembers the wait.
        assert client.get("/api/v1/public/dashboard").status_code == 200
        assert client.get("/public/dashboard").status_code == 200
        token = _csrf(client.get("/login"))
        for _ in range(4):
            assert _wrong(client, name, token).status_code == 401
        assert _wrong(client, name, token).status_code == 429

        limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
        assert limiter.total_tokens == threads
        for _ in range(threads):
            client.portal.start_task_soon(anyio.to_thread.run_sync, hold)
        try:
            for _ in range(threads):
                assert holding.acquire(timeout=ANSWER_S)
            assert limiter.borrowed_tokens == limiter.total_tokens  # every request thread is taken
            # The control: a sync route needs a request thread, so it waits.
            waiting = side.submit(client.get, "/", follow_redirects=False)

            statements.clear()
            form = side.submit(client.get, "/login").result(timeout=ANSWER_S)
            assert form.status_code == 200 and _csrf(form) == token
            api = side.submit(client.get, "/api/v1/public/dashboard").result(timeout=ANSWER_S)
            assert api.status_code == 200 and "calls_999" in api.json()
            page = side.submit(client.get, "/public/dashboard").result(timeout=ANSWER_S)
            assert page.status_code == 200
            refused = side.submit(_wrong, client, name, token).result(timeout=ANSWER_S)
            assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text
            assert statements == []  # the page, the cached figures and the remembered refusal: no SQL

            contact = side.submit(client.post, "/api/v1/contacts", headers=handler,
                                  json={"channel": "999", "narrative": "a man with a knife at the door"})
            assert contact.result(timeout=ANSWER_S).status_code == 201, contact.result().text

            assert not waiting.done()  # all of the above answered while the threads stayed full
        finally:
            release.set()
        assert waiting.result(timeout=ANSWER_S).status_code == 303  # once a thread is free again
