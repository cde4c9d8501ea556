"""CPU-heavy work in worker processes of lower OS priority, so request threads are preferred.

Password checks (argon2 is built to cost CPU: about 50 ms of a core each) and analyst work (rotas,
simulations, forecasts, staffing tables) run in small process pools whose processes lower their own
priority with `os.nice(NICE)` when they start. A 999 contact's request threads then take a core
first whenever both want one, and the heavy work never holds the server's GIL. Each pool has one
process (one core at most on a 2-core machine); callers queue in their own bounded thread pools
(web/pools.py), which refuse past their bound.

    cpu.run("login", verify_argon2, hashed, password)

The pools start lazily or at server start (spawned, not forked: the server is multi-threaded), are
rebuilt once if a worker died, and their workers end themselves within a second of the server's
end. `stats()` counts tasks done per pool and gives the workers' ids and priorities.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")

NICE = 10  # added to the server's priority in every worker process
# Processes per pool, and whether they lower their priority. The victims' sign-in checks its code
# hashes inside its write transaction (the attempt row is written with them), which on SQLite holds
# the database's write lock: a lower priority there would make every writer wait longer, not less.
POOLS = {"login": 1, "portal": 1, "analyst": 1}
LOWER = {"login": True, "portal": False, "analyst": True}

_lock = threading.Lock()
_executors: dict[str, ProcessPoolExecutor] = {}
_done: dict[str, int] = dict.fromkeys(POOLS, 0)


def _start_worker(parent: int, lower: bool) -> None:
    """In each worker process: lower its priority, and end it when the server process is gone."""
    if lower:
        with contextlib.suppress(OSError):  # not permitted here: the work runs, only without the lower priority
            os.nice(NICE)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="bluelamp-cpu-parent").start()


def _watch_parent(parent: int) -> None:
    # A server killed outright (SIGKILL, a crash) cannot shut its pools down; its workers notice here.
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _executor(name: str) -> ProcessPoolExecutor:
    with _lock:
        ex = _executors.get(name)
        if ex is None:
            ex = ProcessPoolExecutor(max_workers=POOLS[name], mp_context=multiprocessing.get_context("spawn"),
                                     initializer=_start_worker, initargs=(os.getpid(), LOWER[name]))
            _executors[name] = ex
        return ex


def _discard(name: str, ex: ProcessPoolExecutor) -> None:
    with _lock:
        if _executors.get(name) is ex:
            del _executors[name]
    ex.shutdown(wait=False, cancel_futures=True)


def start() -> None:
    """Start every pool's worker processes now (at server start) rather than on their first task."""
    for name in POOLS:
        run(name, os.getpid)


def run(name: str, fn: Callable[..., T], *args: Any) -> T:
    """Run fn(*args) in the named pool's worker process and wait for it (blocking this thread only).

    fn and its arguments must be picklable (a module-level function). A worker that died (its
    memory, a crash) is replaced once; the error of fn itself is raised here as it was raised there.
    """
    for attempt in (1, 2):
        ex = _executor(name)
        try:
            result = ex.submit(fn, *args).result()
        except BrokenProcessPool:
            _discard(name, ex)
            if attempt == 2:
                raise
            continue
        with _lock:
            _done[name] += 1
        return result
    raise AssertionError("unreachable")


def stats() -> dict[str, dict[str, Any]]:
    """Tasks done per pool, and each pool's worker process ids and their niceness (None: not started)."""
    out: dict[str, dict[str, Any]] = {}
    for name in POOLS:
        ex = _executors.get(name)
        procs = getattr(ex, "_processes", None) or {}
        out[name] = {"done": _done[name], "pids": sorted(procs),
                     "nice": {pid: _niceness(pid) for pid in procs}}
    return out


def _niceness(pid: int) -> int | None:
    try:
        return os.getpriority(os.PRIO_PROCESS, pid)
    except OSError:
        return None


def worker_identity() -> tuple[int, int]:
    """(process id, niceness) of the process this runs in: run it in a pool to see its worker."""
    return os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)


def verify_argon2(hashed: str, secret: str) -> bool:
    """True when secret matches the argon2 hash (its own parameters are read from the hash)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False
