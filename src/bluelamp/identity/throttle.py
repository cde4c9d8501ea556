"""Sign-in throttling: per username and per client address, back-off after a few failures and a
temporary lock after many.

Counted in the database (`login_failure`, one row per failure and per key), so every server process
sees the same counts and a lock holds whichever process the next attempt reaches (issue 12; the
victims' page counts its sign-ins the same way). Keys are keyed digests of the username and the
address, never the values. See docs/security.md.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.identity.store import LoginFailure


@dataclass(frozen=True)
class Rule:
    free: int            # failures allowed before any back-off
    lock_after: int      # failures in the window that lock
    window_s: float
    lock_s: float
    max_backoff_s: float = 60.0


USERNAME_RULE = Rule(free=3, lock_after=10, window_s=900, lock_s=900)
# An address may be a shared NAT (a police station): more room, but it still locks.
ADDRESS_RULE = Rule(free=10, lock_after=50, window_s=900, lock_s=900)
_monotonic = time.monotonic  # a name of its own, so tests can move real time on
KEEP = timedelta(days=1)  # failures older than this are deleted (the audit trail keeps the locks)


def key_digest(kind: str, value: str) -> str:
    from bluelamp.config import get_settings

    secret = get_settings().resolved_secret_key().encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


@contextmanager
def _session(target: Any, write: bool) -> Iterator[Session]:
    """A Session is used as it is (the caller's transaction); a Database gets a short unit of its own."""
    if isinstance(target, Session):
        yield target
        return
    with target.unit_of_work(write=write) as session:
        yield session


# A wait read from the database is trusted for this long (real time) by the process that read it, so
# a flood of attempts at a throttled username or address costs one statement a second, not one each.
# Failures only lengthen a wait and a throttled key cannot sign in anywhere, so the only thing that
# can end a wait early is an administrator's reset: another process sees it at most this late.
MEMO_S = 1.0
MEMO_MAX = 10_000  # keys remembered at most (a flood of made-up usernames): past it, start again


class LoginThrottle:
    """The sign-in throttle. Each method takes the database (or a session in its transaction)."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple[float, datetime]] = {}  # key digest: (trusted until, wait until)
        self._memo_lock = threading.Lock()

    def _remembered(self, keys: tuple[tuple[str, str, Rule], ...], now: datetime) -> float:
        """The longest wait still remembered for any of the keys (0: none: ask the database)."""
        mono = _monotonic()
        waits = [0.0]
        for _kind, key, _rule in keys:
            hit = self._memo.get(key)
            if hit is not None and hit[0] > mono:
                waits.append((hit[1] - now).total_seconds())
        return max(waits)

    def _remember(self, key: str, until: datetime) -> None:
        with self._memo_lock:
            if len(self._memo) >= MEMO_MAX:
                self._memo.clear()
            self._memo[key] = (_monotonic() + MEMO_S, until)

    def forget(self) -> None:
        """Drop what this process remembers (the counts in the database stay)."""
        with self._memo_lock:
            self._memo.clear()

    def _keys(self, username: str, address: str) -> tuple[tuple[str, str, Rule], ...]:
        return (("user", key_digest("user", username.lower()), USERNAME_RULE),
                ("addr", key_digest("addr", address), ADDRESS_RULE))

    @staticmethod
    def _rows(session: Session, kind: str, key: str, rule: Rule, now: datetime) -> list[Any]:
        since = now - timedelta(seconds=max(rule.window_s, rule.lock_s))
        return list(session.execute(
            select(LoginFailure.id, LoginFailure.at, LoginFailure.locked_until).where(
                LoginFailure.kind == kind, LoginFailure.key_digest == key, LoginFailure.at >= since)
            .order_by(LoginFailure.id)).all())

    @staticmethod
    def _since_lock(rows: list[Any], rule: Rule, now: datetime) -> tuple[datetime | None, list[datetime]]:
        """The latest lock's end, and the failures after it within the window (a lock resets the count)."""
        until: datetime | None = None
        after: list[datetime] = []
        window_start = now - timedelta(seconds=rule.window_s)
        for _id, at, locked_until in rows:
            if locked_until is not None:
                until, after = clock.as_utc(locked_until), []
            elif clock.as_utc(at) >= window_start:
                after.append(clock.as_utc(at))
        return until, after

    @staticmethod
    def _rows_of_both(session: Session, keys: tuple[tuple[str, str, Rule], ...],
                      now: datetime) -> dict[str, list[Any]]:
        """The rows of every key in one statement (a refused sign-in in a flood costs one round trip,
        not one a key), split by key."""
        since = now - timedelta(seconds=max(max(r.window_s, r.lock_s) for _k, _d, r in keys))
        rows = session.execute(
            select(LoginFailure.key_digest, LoginFailure.id, LoginFailure.at, LoginFailure.locked_until).where(
                or_(*(and_(LoginFailure.kind == kind, LoginFailure.key_digest == key) for kind, key, _r in keys)),
                LoginFailure.at >= since)
            .order_by(LoginFailure.id)).all()
        out: dict[str, list[Any]] = {key: [] for _k, key, _r in keys}
        for key, *rest in rows:
            out[key].append(rest)
        return out

    def remembered_wait_s(self, username: str, address: str) -> float:
        """The wait this process remembers for the username or the address (0: none remembered, ask
        `wait_s`). No database work and no blocking: the sign-in route asks it on the event loop, so a
        flood at a throttled key is refused there without a thread or a statement."""
        return self._remembered(self._keys(username, address), clock.now())

    def wait_s(self, target: Any, username: str, address: str) -> float:
        """Seconds until a sign-in attempt may be tried (0: now)."""
        now = clock.now()
        keys = self._keys(username, address)
        in_caller_tx = isinstance(target, Session)  # the caller's transaction: read it, remember nothing
        if not in_caller_tx:
            remembered = self._remembered(keys, now)
            if remembered > 0:
                return remembered
        waits = [0.0]
        with _session(target, write=False) as session:
            by_key = self._rows_of_both(session, keys, now)
        for _kind, key, rule in keys:
            # Each key's own window: the statement read the longest of them.
            since = now - timedelta(seconds=max(rule.window_s, rule.lock_s))
            rows = [r for r in by_key[key] if clock.as_utc(r[1]) >= since]
            until, failures = self._since_lock(rows, rule, now)
            key_waits = [0.0]
            if until is not None and until > now:
                key_waits.append((until - now).total_seconds())
            n = len(failures)
            if n > rule.free:
                backoff = min(rule.max_backoff_s, 2.0 ** (n - rule.free - 1))
                key_waits.append((failures[-1] + timedelta(seconds=backoff) - now).total_seconds())
            wait = max(key_waits)
            if wait > 0 and not in_caller_tx:
                self._remember(key, now + timedelta(seconds=wait))
            waits.append(wait)
        return max(waits)

    def failed(self, target: Any, username: str, address: str) -> bool:
        """Record a failure; True when this failure locked the username or the address."""
        now = clock.now()
        locked = False
        with _session(target, write=True) as session:
            for kind, key, rule in self._keys(username, address):
                _until, failures = self._since_lock(self._rows(session, kind, key, rule, now), rule, now)
                lock = len(failures) + 1 >= rule.lock_after
                session.add(LoginFailure(at=now, kind=kind, key_digest=key,
                                         locked_until=now + timedelta(seconds=rule.lock_s) if lock else None))
                locked = locked or lock
            session.execute(delete(LoginFailure).where(LoginFailure.at < now - KEEP))
            session.flush()
        return locked

    def succeeded(self, target: Any, username: str) -> None:
        """A right password clears the username's count (not the address's: one good account on a
        shared address does not wipe out someone else's failures there)."""
        key = key_digest("user", username.lower())
        with self._memo_lock:
            self._memo.pop(key, None)
        where = (LoginFailure.kind == "user", LoginFailure.key_digest == key)
        with _session(target, write=False) as session:
            if session.execute(select(LoginFailure.id).where(*where).limit(1)).first() is None:
                return  # nothing to clear: no write (a sign-in takes no extra write lock)
        with _session(target, write=True) as session:
            session.execute(delete(LoginFailure).where(*where))

    def clear(self, target: Any) -> None:
        """Forget every count (tests, and an administrator's reset)."""
        self.forget()
        with _session(target, write=True) as session:
            session.execute(delete(LoginFailure))
