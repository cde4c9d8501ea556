"""Controls defined once and used by contacts, incidents and imports alike (DESIGN.md, "One definition of
each control").

"Reduces the response": a change to how the police respond reduces it when the grade number goes up
(grade 1 -> 2), the route stops sending officers or leaves deploy (deploy -> appointment, deploy or
appointment -> advice, telephone resolution, a referral, or closure without attendance), or the
attend-by time becomes later. A change that reduces the response needs a recorded reason and a
supervisor's approval; one that does not (an upgrade, the same response) applies at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DEPLOYING_ROUTES = ("deploy", "appointment")
NOT_ATTENDED = "closed_unattended"  # the route of an incident closed without any arrival


@dataclass(frozen=True)
class Response:
    """How the police will respond: the grade (1 most urgent), the route and the attend-by time."""

    grade: int
    route: str
    attend_by: datetime | None = None


def _rank(route: str) -> int:
    """deploy 0, appointment 1, anything that sends no officer 2."""
    return DEPLOYING_ROUTES.index(route) if route in DEPLOYING_ROUTES else 2


def reduces_response(before: Response, after: Response) -> list[str]:
    """Why `after` is a lesser response than `before` (empty: it is not)."""
    reasons: list[str] = []
    if after.grade > before.grade:
        reasons.append(f"grade {before.grade} to grade {after.grade}")
    if _rank(after.route) > _rank(before.route):
        what = "officers are no longer sent" if _rank(after.route) == 2 else "no longer an immediate deployment"
        reasons.append(f"route {before.route} to {after.route}: {what}")
    if before.attend_by is not None and after.attend_by is not None and after.attend_by > before.attend_by:
        reasons.append("the attend-by time is later")
    return reasons
