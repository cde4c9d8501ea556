"""Issue 12: the sign-in throttle and lock are kept in the database, so two server processes (here two
app instances, each with its own engine and pool, on one database) share them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

PASSWORD = "correct horse battery"


@pytest.fixture
def two_servers(db, database_url):  # type: ignore[no-untyped-def]
    from bluelamp.db.engine import Database
    from bluelamp.web.app import create_app

    second = Database(database_url)  # its own engine and pool, as another process would have
    with TestClient(create_app(db)) as a, TestClient(create_app(second)) as b:
        yield a, b
    second.dispose()


def _attempt(client, username, password):  # type: ignore[no-untyped-def]
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False).status_code


@pytest.mark.slow  # twelve argon2 sign-ins; the back-off test below stays in the fast subset
def test_failures_on_two_servers_add_up_to_one_lock_that_both_enforce(db, fixed_clock, two_servers):
    from bluelamp.identity import service
    from bluelamp.identity.store import LoginFailure

    with db.unit_of_work() as s:
        service.add_user(s, "olga", ["analyst"], PASSWORD)
    a, b = two_servers
    codes = []
    for i in range(10):  # alternate servers; each wait of the back-off is let pass
        codes.append(_attempt(a if i % 2 == 0 else b, "olga", f"wrong guess {i}"))
        fixed_clock.advance(seconds=61)
    assert codes == [401] * 10  # the back-off was waited out each time: every guess was checked
    # Ten failures across the two servers lock the username on both, even with the right password.
    assert _attempt(a, "olga", PASSWORD) == 429
    assert _attempt(b, "olga", PASSWORD) == 429
    with db.unit_of_work() as s:
        rows = list(s.execute(select(LoginFailure)).scalars())
        assert any(r.locked_until is not None and r.kind == "user" for r in rows)
        assert all("olga" not in r.key_digest and "testclient" not in r.key_digest for r in rows)
    fixed_clock.advance(minutes=16)  # the lock passes for both
    assert _attempt(b, "olga", PASSWORD) == 303
    with db.unit_of_work() as s:  # the right password cleared the username's count
        assert not [r for r in s.execute(select(LoginFailure)).scalars() if r.kind == "user"]


@pytest.mark.slow  # over a second in the fast subset (session 5)
def test_a_back_off_set_by_one_server_holds_on_the_other(db, fixed_clock, two_servers):
    from bluelamp.identity import service

    with db.unit_of_work() as s:
        service.add_user(s, "piotr", ["analyst"], PASSWORD)
    a, b = two_servers
    assert [_attempt(a, "piotr", f"guess {i}") for i in range(4)] == [401, 401, 401, 401]
    assert _attempt(b, "piotr", PASSWORD) == 429  # the 4th failure's back-off, seen by the other server
    fixed_clock.advance(seconds=2)
    assert _attempt(b, "piotr", PASSWORD) == 303


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_a_lock_counted_by_one_process_holds_in_another_server_process(db, database_url):
    """A real second process (`bluelamp serve`) on the same database: its failures are counted where this
    process sees them, and a lock counted here refuses sign-in there."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    from bluelamp.identity import service
    from bluelamp.identity.store import LoginFailure
    from bluelamp.web import pages

    with db.unit_of_work() as s:
        service.add_user(s, "rosa", ["analyst"], PASSWORD)
        service.add_user(s, "sven", ["analyst"], PASSWORD)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bluelamp", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env={**os.environ, "BLUELAMP_DATABASE_URL": database_url},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the second server did not start")
        with httpx.Client(base_url=base, follow_redirects=False) as other:
            assert [_attempt(other, "sven", f"guess {i}") for i in range(3)] == [401, 401, 401]
            with db.unit_of_work() as s:  # the other process's failures are in the shared table
                assert len([r for r in s.execute(select(LoginFailure)).scalars() if r.kind == "user"]) == 3
            for _ in range(10):  # this process locks rosa
                pages.throttle.failed(db, "rosa", "10.1.2.3")
            assert _attempt(other, "rosa", PASSWORD) == 429  # refused there, with the right password
            assert _attempt(other, "sven", PASSWORD) == 303  # three failures do not block sven
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_chat_starts_and_online_reports_from_one_address_share_one_limit_across_servers(
        db, fixed_clock, two_servers, monkeypatch):
    from bluelamp.chat.settings import get_chat_settings
    from bluelamp.db.rate import RateBucket

    for key, value in {"starts_burst": 2, "starts_per_s": 0.001, "reports_burst": 1, "reports_per_s": 0.001}.items():
        monkeypatch.setenv(f"BLUELAMP_CHAT_{key.upper()}", str(value))
    get_chat_settings.cache_clear()
    try:
        a, b = two_servers
        codes = [c.post("/api/v1/chat/start", json={}).status_code for c in (a, b, a, b)]
        assert codes == [201, 201, 429, 429]  # two per address in all, not two per server
        report = {"what_happened": "Someone took my bicycle from the rack outside the library"}
        assert [c.post("/api/v1/online-reports", json=report).status_code for c in (b, a)] == [201, 429]
        fixed_clock.advance(seconds=1001)  # one token back at 0.001 a second
        assert a.post("/api/v1/chat/start", json={}).status_code == 201
        assert b.post("/api/v1/chat/start", json={}).status_code == 429
        with db.unit_of_work() as s:  # one bucket per limit and address, keyed by a digest
            rows = list(s.execute(select(RateBucket)).scalars())
            assert sorted(r.name for r in rows) == ["chat_starts", "online_reports"]
            assert all("testclient" not in r.key_digest for r in rows)
    finally:
        monkeypatch.undo()
        get_chat_settings.cache_clear()


def test_a_take_whose_clock_reads_behind_the_buckets_neither_drains_it_nor_moves_its_time_back(db, fixed_clock):  # type: ignore[no-untyped-def]
    """A request reads its clock, then waits for the row (or SQLite's write lock) while another, which
    read its clock later, takes a token first: the bucket's time is then ahead of the waiting one's.
    That must not count as negative time (it drained a bucket of 100,000 a second far below zero and
    refused a start with the limit nowhere near; BENCHMARKS.md, session 7)."""
    from datetime import timedelta

    from bluelamp.db.rate import RateBucket, SharedRateLimiter

    limiter = SharedRateLimiter(db, "chat_starts", 10, 1000.0)
    assert limiter.allow("10.0.0.1") == 0.0
    fixed_clock.advance(seconds=3)
    assert limiter.allow("10.0.0.1") == 0.0  # the later reader went first
    fixed_clock.advance(seconds=-3)  # the earlier reader's clock
    assert limiter.allow("10.0.0.1") == 0.0  # was refused: 3 s backwards at 1,000 a second
    with db.unit_of_work(write=False) as s:
        bucket = s.execute(select(RateBucket)).scalar_one()
    assert bucket.tokens == pytest.approx(8.0)  # full (10) after 3 s, less two takes; none lost to the order
    assert bucket.at == (fixed_clock.now + timedelta(seconds=3)).timestamp()  # its time not moved back
