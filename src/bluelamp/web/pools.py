"""Bounded worker pools, so that no kind of work can take the capacity of another.

Sync routes normally share one small thread pool (settings.request_threads). A flood of one kind of
request (anonymous sign-ins hashing wrong passwords with argon2, analysts' rota and simulation runs,
the public dashboard asked for old periods) would fill it and a 999 contact would wait behind them.
So those routes, and contact recording itself, run in pools of their own: `@pooled("login")` on a
sync route makes it an async route whose body runs in the named pool. Each pool also caps how many
requests may wait for it; past that the request is refused at once with a 503 and Retry-After
(contact recording never is: its queue is unbounded, it only never shares its threads).

The CPU-heavy part of the login, portal and analyst routes (argon2, rotas, simulations, forecasts)
runs in the worker processes of `bluelamp.cpu`; these threads only wait for it, holding no GIL.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from fastapi import HTTPException

T = TypeVar("T")


@dataclass(frozen=True)
class PoolSpec:
    threads: int
    max_waiting: int | None  # None: never refuse (contact recording)
    busy: str


POOLS: dict[str, PoolSpec] = {
    # recording contacts: its own threads, which nothing else can take
    "contacts": PoolSpec(threads=4, max_waiting=None, busy=""),
    # argon2 password checks: one core at most, so a flood of wrong passwords cannot take both
    "login": PoolSpec(threads=1, max_waiting=32, busy="sign-in is busy; try again in a few seconds"),
    # victims signing in to /my-case (argon2 checks of access codes): a pool of their own, so a flood of
    # wrong codes takes neither contact recording nor staff sign-in
    "portal": PoolSpec(threads=1, max_waiting=16, busy="too many people are signing in; try again in a minute"),
    # forecasts, staffing, rotas, simulations: one at a time, a few waiting
    "analyst": PoolSpec(threads=1, max_waiting=4, busy="the planning engine is busy; try again shortly"),
    # the anonymous public dashboard (cached; a miss counts figures)
    "public": PoolSpec(threads=1, max_waiting=8, busy="the public dashboard is busy; try again shortly"),
    # resolving a session or a token not seen in the last few seconds (web/auth.py)
    "auth": PoolSpec(threads=2, max_waiting=64, busy="authentication is busy; try again in a few seconds"),
    # /healthz: its own thread, so a full request pool cannot make the health check late
    "health": PoolSpec(threads=1, max_waiting=4, busy="the health check is stuck: the database does not answer"),
}


class _Pool:
    """A fixed set of threads with a bounded queue (loop-independent, so it serves any event loop)."""

    def __init__(self, name: str, spec: PoolSpec) -> None:
        self.spec = spec
        self.executor = ThreadPoolExecutor(max_workers=spec.threads, thread_name_prefix=f"bluelamp-{name}")
        self._lock = threading.Lock()
        self.in_flight = 0  # running or waiting

    async def run(self, fn: Callable[[], T]) -> T:
        with self._lock:
            limit = self.spec.max_waiting
            if limit is not None and self.in_flight >= self.spec.threads + limit:
                raise HTTPException(503, detail=self.spec.busy, headers={"Retry-After": "5"})
            self.in_flight += 1
        try:
            ctx = contextvars.copy_context()
            return await asyncio.wrap_future(self.executor.submit(ctx.run, fn))
        finally:
            with self._lock:
                self.in_flight -= 1


_pools: dict[str, _Pool] = {name: _Pool(name, spec) for name, spec in POOLS.items()}


def pool(name: str) -> _Pool:
    return _pools[name]


def configure(name: str, threads: int) -> None:
    """Give the named pool this many threads (at start-up). The pool replaced is left as it is: its
    executor starts threads only when given work, and one still finishing a request may finish it."""
    current = _pools[name]
    if current.spec.threads != threads:
        _pools[name] = _Pool(name, replace(current.spec, threads=threads))


def pooled(name: str) -> Callable[[Callable[..., T]], Callable[..., Any]]:
    """Run a sync route's body in the named pool (the route becomes async; its signature is kept)."""
    _pools[name]  # an unknown name fails at import, not at the first request

    def wrap(fn: Callable[..., T]) -> Callable[..., Any]:
        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> T:
            return await _pools[name].run(functools.partial(fn, *args, **kwargs))

        return run

    return wrap
