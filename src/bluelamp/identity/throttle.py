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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
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


class LoginThrottle:
    """The sign-in throttle. Each method takes the database (or a session in its transaction)."""

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

    def wait_s(self, target: Any, username: str, address: str) -> float:
        """Seconds until a sign-in attempt may be tried (0: now)."""
        now = clock.now()
        waits = [0.0]
        with _session(target, write=False) as session:
            for kind, key, rule in self._keys(username, address):
                until, failures = self._since_lock(self._rows(session, kind, key, rule, now), rule, now)
                if until is not None and until > now:
                    waits.append((until - now).total_seconds())
                n = len(failures)
                if n > rule.free:
                    backoff = min(rule.max_backoff_s, 2.0 ** (n - rule.free - 1))
                    waits.append((failures[-1] + timedelta(seconds=backoff) - now).total_seconds())
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
        where = (LoginFailure.kind == "user", LoginFailure.key_digest == key)
        with _session(target, write=False) as session:
            if session.execute(select(LoginFailure.id).where(*where).limit(1)).first() is None:
                return  # nothing to clear: no write (a sign-in takes no extra write lock)
        with _session(target, write=True) as session:
            session.execute(delete(LoginFailure).where(*where))

    def clear(self, target: Any) -> None:
        """Forget every count (tests, and an administrator's reset)."""
        with _session(target, write=True) as session:
            session.execute(delete(LoginFailure))
