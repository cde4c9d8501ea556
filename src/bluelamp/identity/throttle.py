"""Sign-in throttling: per username and per client address, back-off after a few failures and a
temporary lock after many. In-process (per server process); see docs/security.md."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    next_allowed: float = 0.0


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


class LoginThrottle:
    def __init__(self, clock: object = time.monotonic) -> None:
        self._now = clock  # type: ignore[assignment]
        self._lock = threading.Lock()
        self._records: dict[tuple[str, str], _Record] = {}

    def _rec(self, kind: str, key: str) -> _Record:
        rec = self._records.get((kind, key))
        if rec is None:
            if len(self._records) > 100_000:
                self._records.clear()
            rec = self._records[(kind, key)] = _Record()
        return rec

    def wait_s(self, username: str, address: str) -> float:
        """Seconds until a sign-in attempt may be tried (0: now)."""
        now = self._now()  # type: ignore[operator]
        with self._lock:
            waits = []
            for kind, key in (("user", username.lower()), ("addr", address)):
                rec = self._records.get((kind, key))
                if rec is not None:
                    waits.append(max(rec.locked_until, rec.next_allowed) - now)
            return max([0.0, *waits])

    def failed(self, username: str, address: str) -> bool:
        """Record a failure; True when this failure locked the username or the address."""
        now = self._now()  # type: ignore[operator]
        locked = False
        with self._lock:
            for kind, key, rule in (("user", username.lower(), USERNAME_RULE), ("addr", address, ADDRESS_RULE)):
                rec = self._rec(kind, key)
                rec.failures = [t for t in rec.failures if now - t < rule.window_s] + [now]
                n = len(rec.failures)
                if n >= rule.lock_after:
                    rec.locked_until = now + rule.lock_s
                    rec.failures = []
                    locked = True
                elif n > rule.free:
                    rec.next_allowed = now + min(rule.max_backoff_s, 2.0 ** (n - rule.free - 1))
        return locked

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._records.pop(("user", username.lower()), None)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
