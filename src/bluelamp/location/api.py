"""JSON routes of the location context: gazetteer matching, unit positions (AVL), linking contacts
to incidents, merging incidents, hotspots (CONTRACT.md "Locations, units and duplicates")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bluelamp.identity.model import Principal
from bluelamp.location import duplicates, hotspots, positions, service
from bluelamp.location.model import LocationError
from bluelamp.web.auth import DbSession, require_roles

router = APIRouter(tags=["locations"])

MATCHERS = ("call_handler", "chat_operator", "dispatcher", "supervisor")
LINKERS = ("call_handler", "chat_operator", "dispatcher", "supervisor")
FEEDS = ("dispatcher", "avl")
ANALYSTS = ("analyst", "supervisor", "leader")


@router.get("/locations/match", dependencies=[Depends(require_roles(*MATCHERS))])
def match(session: DbSession, q: Annotated[str, Query(min_length=1, max_length=200)],
          limit: Annotated[int, Query(ge=1, le=20)] = 5) -> dict[str, Any]:
    """Gazetteer entries for free text, best first, for the handler to confirm (`ref` goes back as
    `location.gazetteer_ref`)."""
    found = service.match(session, q, limit)
    return {"query": q, "matches": [m.to_dict() for m in found]}


@router.get("/locations/duplicates", dependencies=[Depends(require_roles(*MATCHERS))])
def nearby_incidents(
    session: DbSession,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    ref: Annotated[str | None, Query(max_length=120, description="a gazetteer match's ref")] = None,
    q: Annotated[str | None, Query(max_length=500, description="the location as typed")] = None,
) -> dict[str, Any]:
    """Open incidents that a contact being recorded here and now may be about (before it is recorded)."""
    from bluelamp import clock

    if ref:
        entry = service.index(session).get(ref)
        if entry is None:
            raise LocationError("not an entry of the gazetteer", "ref")
        lat, lon = entry.lat, entry.lon
    found = duplicates.possible_duplicates(session, lat=lat, lon=lon, description=q, flags=[],
                                           received_at=clock.now())
    return {"lat": lat, "lon": lon, "possible_duplicates": found}


@router.post("/positions", status_code=202)
def post_positions(
    session: DbSession, principal: Annotated[Principal, Depends(require_roles(*FEEDS))],
    items: Annotated[list[Any], Body(max_length=positions.MAX_BATCH)],
) -> JSONResponse:
    """A batch of unit positions `[{"unit", "lat", "lon", "at"}]`: 202 with accepted and per-item rejections."""
    result = positions.ingest(session, items, principal)
    return JSONResponse(result, 202)


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    incident_id: int = Field(ge=1, le=2**31 - 1)
    reason: str | None = Field(default=None, max_length=2000)


@router.post("/contacts/{contact_id}/link", tags=["contacts"])
def link(contact_id: int, data: LinkIn, session: DbSession,
         principal: Annotated[Principal, Depends(require_roles(*LINKERS))]) -> dict[str, Any]:
    """Link a contact to an open incident about the same event (its flags and people join it)."""
    result = duplicates.link_contact(session, contact_id, data.incident_id, principal, data.reason)
    return result


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    merge_id: int = Field(ge=1, le=2**31 - 1, description="the incident that joins this one")
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/incidents/{incident_id}/merge", tags=["incidents"])
def merge(incident_id: int, data: MergeIn, session: DbSession,
          principal: Annotated[Principal, Depends(require_roles("supervisor"))]) -> dict[str, Any]:
    """A supervisor merges another incident into this one (audited)."""
    result = duplicates.merge_incidents(session, incident_id, data.merge_id, principal, data.reason)
    return result


@router.get("/hotspots", dependencies=[Depends(require_roles(*ANALYSTS))], tags=["demand"])
def get_hotspots(
    session: DbSession,
    by: Annotated[str, Query(pattern="^(area|hex)$")] = "hex",
    month: Annotated[date | None, Query(description="first day of a month, e.g. 2025-06-01")] = None,
    crime_type: Annotated[str | None, Query(max_length=64)] = None,
    resolution: Annotated[int | None, Query(ge=5, le=9)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> dict[str, Any]:
    """Street-level crime (and live demand) counted by area or by h3 hexagon, for a month and crime type."""
    return hotspots.hotspots(session, by=by, month=month, crime_type=crime_type, resolution=resolution,
                             limit=limit)
