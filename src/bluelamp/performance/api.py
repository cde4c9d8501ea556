"""`GET /api/v1/measures` (same JSON as `bluelamp report measures`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from bluelamp.performance.measures import MeasuresError, measures
from bluelamp.web.auth import DbSession, require_roles

router = APIRouter(tags=["performance"])
READERS = ("leader", "analyst", "supervisor", "dispatcher", "auditor")


@router.get("/measures", dependencies=[Depends(require_roles(*READERS))])
def get_measures(
    session: DbSession,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    area: Annotated[str | None, Query(max_length=64)] = None,
    agency: Annotated[str, Query(max_length=32)] = "police",
    breaches: Annotated[int, Query(ge=0, le=1000)] = 50,
) -> dict[str, Any]:
    """Attendance per grade and urban/rural over a period (dates inclusive, force local time)."""
    try:
        return measures(session, date_from, date_to, agency=agency, area=area, breaches_limit=breaches)
    except MeasuresError as exc:
        raise HTTPException(422, detail=f"{exc.field}: {exc}") from None
