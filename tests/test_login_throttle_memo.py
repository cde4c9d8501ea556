"""A wait read from the database is remembered by the process for MEMO_S (real time), so a flood of
attempts at a throttled username or address costs one statement a second instead of one each
(BENCHMARKS.md, session 8). The wait itself is unchanged, and never outlives the database's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event

from bluelamp import clock
from bluelamp.identity import throttle as throttle_mod
from bluelamp.identity.throttle import LoginThrottle


@pytest.fixture
def statements(db) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_a):  # type: ignore[no-untyped-def]
        if "login_failure" in statement:
            seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def real_time(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(throttle_mod, "_monotonic", lambda: now[0])
    return now


def _fail(db, t: LoginThrottle, times: int, username: str = "ann", address: str = "10.0.0.1") -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        t.failed(db, username, address)


def test_a_throttled_attempt_is_refused_from_memory_for_a_second_then_read_again(db, fixed_clock, statements,
                                                                                 real_time):  # type: ignore[no-untyped-def]
    t = LoginThrottle()
    _fail(db, t, 5)  # 5 failures, 3 free: a back-off of 2 s from the last
    statements.clear()
    first = t.wait_s(db, "ann", "10.0.0.1")
    assert first == pytest.approx(2.0)
    assert len(statements) == 1  # both keys in one statement
    fixed_clock.advance(seconds=0.5)
    real_time[0] += 0.5
    assert t.wait_s(db, "ann", "10.0.0.1") == pytest.approx(1.5)  # the same wait, counted down
    assert len(statements) == 1  # from memory: no statement
    real_time[0] += throttle_mod.MEMO_S  # trusted no longer: read again
    assert t.wait_s(db, "ann", "10.0.0.1") == pytest.approx(1.5)
    assert len(statements) == 2


def test_a_remembered_wait_never_outlives_the_one_in_the_database(db, fixed_clock, real_time):  # type: ignore[no-untyped-def]
    t = LoginThrottle()
    _fail(db, t, 4)  # a back-off of 1 s
    assert t.wait_s(db, "ann", "10.0.0.1") == pytest.approx(1.0)
    fixed_clock.advance(seconds=1.01)  # the back-off has passed though the memory is still trusted
    assert t.wait_s(db, "ann", "10.0.0.1") == 0


def test_an_address_throttled_for_one_username_is_refused_for_another_from_memory(db, fixed_clock, statements,
                                                                                  real_time):  # type: ignore[no-untyped-def]
    t = LoginThrottle()
    for i in range(12):  # 12 failures from one address, each at a different username (10 free)
        t.failed(db, f"user{i}", "10.0.0.9")
    assert t.wait_s(db, "user0", "10.0.0.9") > 0
    statements.clear()
    assert t.wait_s(db, "someone else", "10.0.0.9") > 0
    assert statements == []
    assert t.wait_s(db, "someone else", "10.0.0.10") == 0  # another address is not held


def test_a_reset_is_seen_at_once_here_and_within_a_second_elsewhere(db, fixed_clock, real_time):  # type: ignore[no-untyped-def]
    here, elsewhere = LoginThrottle(), LoginThrottle()  # two processes' throttles
    _fail(db, here, 6)
    assert here.wait_s(db, "ann", "10.0.0.1") > 0
    assert elsewhere.wait_s(db, "ann", "10.0.0.1") > 0
    here.clear(db)  # an administrator's reset
    assert here.wait_s(db, "ann", "10.0.0.1") == 0
    assert elsewhere.wait_s(db, "ann", "10.0.0.1") > 0  # still remembered there ...
    real_time[0] += throttle_mod.MEMO_S
    assert elsewhere.wait_s(db, "ann", "10.0.0.1") == 0  # ... for at most MEMO_S


def test_in_the_callers_transaction_nothing_is_remembered(db, fixed_clock, statements, real_time):  # type: ignore[no-untyped-def]
    t = LoginThrottle()
    _fail(db, t, 5)
    with db.unit_of_work(write=False) as session:
        assert t.wait_s(session, "ann", "10.0.0.1") > 0
    assert t._memo == {}


def test_the_memory_is_bounded(db, fixed_clock, real_time, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(throttle_mod, "MEMO_MAX", 3)
    t = LoginThrottle()
    until = clock.now() + timedelta(seconds=5)
    for i in range(5):
        t._remember(f"key{i}", until)
    assert len(t._memo) <= 3


def test_the_memory_holds_digests_not_names(db, fixed_clock):  # type: ignore[no-untyped-def]
    t = LoginThrottle()
    _fail(db, t, 5)
    assert t.wait_s(db, "ann", "10.0.0.1") > 0
    assert t._memo and all("ann" not in k and "10.0.0.1" not in k for k in t._memo)
