"""Creating the coming months' partitions: the daily job `db.partitions` and `bluelamp db partitions`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.db import partitions
from bluelamp.jobs.runner import handler


def create_ahead(session: Session, actor: str, ahead: int = partitions.AHEAD_MONTHS) -> list[str]:
    """Create the missing partitions up to `ahead` months on, in the session's transaction; audited."""
    created = partitions.ensure_ahead(session.connection(), clock.local(clock.now()).date(), ahead)
    if created:
        audit.record(session, actor, "db.partitions_created", "database", "partitions",
                     after={"created": created})
    return created


@handler("db.partitions")
def _job(session: Session, payload: dict[str, Any]) -> None:
    ahead = payload.get("ahead", partitions.AHEAD_MONTHS)
    create_ahead(session, "system:jobs", int(ahead) if isinstance(ahead, int | str) else partitions.AHEAD_MONTHS)
