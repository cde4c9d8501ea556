"""A token-bucket rate limit kept in the database: one row per limit and key, updated by one atomic
INSERT ... ON CONFLICT DO UPDATE ... RETURNING, so every server process shares the same buckets (on
SQLite and PostgreSQL alike). For the public's security throttles (chat starts, online reports), where a
per-process bucket would let anyone multiply the limit by the number of processes. Keys are keyed
digests (an address is personal data)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy import Boolean, Float, String, case, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from bluelamp import clock
from bluelamp.db.base import Base

KEEP_S = 86_400.0  # a bucket untouched for a day is full again: its row is deleted


class RateBucket(Base):
    __tablename__ = "rate_bucket"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch of the last take
    allowed: Mapped[bool] = mapped_column(Boolean)


def _digest(name: str, key: str) -> str:
    from bluelamp.config import get_settings

    secret = get_settings().resolved_secret_key().encode()
    return hmac.new(secret, f"{name}:{key}".encode(), hashlib.sha256).hexdigest()


class SharedRateLimiter:
    """`allow(key)`: 0.0 when allowed (a token is taken), else the seconds to wait; the same answer as
    chat.model.RateLimiter, from any process. It runs a statement: call it off the event loop."""

    def __init__(self, db: Any, name: str, burst: int, per_s: float) -> None:
        self.db, self.name, self.burst, self.per_s = db, name, float(burst), per_s

    def allow(self, key: str) -> float:
        now = clock.now().timestamp()
        t = RateBucket.__table__.c
        # `now` is read before the statement runs; a request that waited for the row (or SQLite's write
        # lock) behind one that read its clock later finds the bucket's time ahead of its own. Time never
        # runs backwards for a bucket: no refill then, and its time stays where it was. (Without this, a
        # wait of 3 s at 100,000 a second took the bucket 300,000 tokens below zero: a 429 at a limit far
        # above the traffic, found by the chat benchmark on SQLite; BENCHMARKS.md, session 7.)
        elapsed = case((t.at > now, 0.0), else_=now - t.at)
        later = case((t.at > now, t.at), else_=now)
        capped = case((t.tokens + elapsed * self.per_s > self.burst, self.burst),
                      else_=t.tokens + elapsed * self.per_s)
        with self.db.unit_of_work() as session:
            make = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            fresh = make(RateBucket).values(name=self.name, key_digest=_digest(self.name, key),
                                            tokens=self.burst - 1.0, at=now, allowed=self.burst >= 1)
            take = fresh.on_conflict_do_update(index_elements=["name", "key_digest"], set_={
                "tokens": case((capped >= 1.0, capped - 1.0), else_=capped), "at": later,
                "allowed": capped >= 1.0}).returning(t.tokens, t.allowed)
            tokens, allowed = session.execute(take).one()
            session.execute(delete(RateBucket).where(RateBucket.name == self.name, RateBucket.at < now - KEEP_S))
        if allowed:
            return 0.0
        return (1.0 - float(tokens)) / self.per_s if self.per_s > 0 else 60.0
