"""The crime context's door to the crime admin bureau, which now lives in `bluelamp.bureau` (its own
small service that crime and victims both call). Kept so callers use one import path; a refusal from
the bureau is re-raised as the crime context's `CrimeError`, as before."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from bluelamp.bureau import service as _bureau
from bluelamp.bureau.service import OPEN_TASK, WORKERS, BureauError, bureau_rules, queue, summary, task_json
from bluelamp.crime.model import CrimeError
from bluelamp.victims import service as _victims  # registers what a done victim task means

F = TypeVar("F", bound=Callable[..., Any])
_ = _victims


def _as_crime_error(fn: F) -> F:
    @wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BureauError as exc:
            raise CrimeError(str(exc), exc.field, exc.status) from None
    return call  # type: ignore[return-value]


create_task = _as_crime_error(_bureau.create_task)
tasks_for_event = _as_crime_error(_bureau.tasks_for_event)
assign = _as_crime_error(_bureau.assign)
complete = _as_crime_error(_bureau.complete)

__all__ = ["OPEN_TASK", "WORKERS", "assign", "bureau_rules", "complete", "create_task", "queue", "summary",
           "task_json", "tasks_for_event", "victims_shown"]


def victims_shown(tasks: list[Any]) -> list[tuple[str, int]]:
    """The victims a list of bureau tasks names (their letters), for the access log (audit/access.py)."""
    return sorted({("victim", t.victim_id) for t in tasks if t.victim_id is not None})
