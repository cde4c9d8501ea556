"""Pages of the response context: the dispatch board, an incident's own page, and the map's local data.

The board and the incident page are drawn by incidents.js and map.js from the same JSON the API serves;
their actions (dispatch, stage times, regrade, close) call the JSON routes of `response.api`, so every
rule is the service's and there is one definition of each.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.config import get_settings
from bluelamp.identity.model import Principal
from bluelamp.policy import controls, load_policy
from bluelamp.response import map as demo_map
from bluelamp.response import service, units
from bluelamp.response.api import READERS, board, get_incident
from bluelamp.response.store import Incident
from bluelamp.web.auth import DbSession, page_roles
from bluelamp.web.templating import render

router = APIRouter(include_in_schema=False)

# Who sees the map's base layer: the board's readers, and the analysts and leaders whose maps reuse it.
MAP_READERS = (*READERS, "analyst", "leader")
# A stage time recorded more than this after the time it gives was entered late (issue 12, item 10):
# the timeline marks it, with how late it was entered.
LATE_ENTRY = timedelta(minutes=5)


def map_config() -> dict[str, Any]:
    s = get_settings()
    return {**demo_map.base_layer(s.map_tile_dir, s.map_tile_url, s.map_tile_attribution, s.map_max_zoom,
                                  s.map_pmtiles),
            "stale_after_s": stale_after_s()}


def stale_after_s() -> float:
    """The policy's limit for a stale unit position (location.yaml, the one the recommendation uses)."""
    policy = load_policy()
    if "location" in policy.names:
        return float(policy.doc("location").positions.stale_after_minutes) * 60
    return float(demo_map.STALE_AFTER_S)


def dispositions() -> list[dict[str, Any]]:
    return [d.model_dump() for d in load_policy().doc("dispositions").dispositions]


@router.get("/incidents")
def incident_board(request: Request, session: DbSession,
                   principal: Annotated[Principal, Depends(page_roles(*READERS))]) -> HTMLResponse:
    """The board is drawn by incidents.js from the same JSON it then polls every few seconds."""
    can_act = principal.has_any("dispatcher", "supervisor")
    return render(request, "response/board.html", {
        "board": board(session, request), "can_act": can_act, "map_config": map_config(), "dispositions": dispositions(),
        "page_config": {"can_act": can_act, "supervisor": principal.has_any("supervisor"),
                        "dispositions": dispositions()}})


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, session: DbSession, incident_id: int,
                  principal: Annotated[Principal, Depends(page_roles(*READERS))]) -> HTMLResponse:
    """One incident: its timeline, units, regrade and close."""
    incident = service.get_incident(session, incident_id)
    if incident is None:
        raise HTTPException(404, detail=f"incident_id: incident {incident_id} not found")
    detail = get_incident(incident_id, session)
    can_act = principal.has_any("dispatcher", "supervisor") and incident.status != "closed"
    pending = detail.get("pending_regrade")
    own_request = pending is not None and pending["by"] == principal.actor
    downgrades = _downgrade_grades(incident)
    now = clock.now()
    unit_rows = [{**units.unit_json(u, now), "position_at": clock.iso(u.position_at)}
                 for a, u in service.assignments_for(session, [incident.id])[incident.id] if a.cleared_at is None]
    return render(request, "response/incident.html", {
        "incident": detail, "timeline": timeline(session, incident), "can_act": can_act,
        "can_note": principal.has_any("dispatcher", "supervisor"),
        "units_data": unit_rows, "now": clock.iso(now),
        "disposition_name": _disposition_name((incident.extra or {}).get("disposition_code")),
        "grades": [g for g in (1, 2, 3, 4) if g != incident.grade], "downgrades": downgrades,
        "supervisor": principal.has_any("supervisor"), "dispositions": dispositions(),
        "pending": pending, "own_request": own_request,
        "can_decide": bool(pending) and principal.has_any("supervisor") and not own_request,
        "map_config": map_config(),
        "page_config": {"incident_id": incident.id, "can_act": can_act, "supervisor": principal.has_any("supervisor"),
                        "dispositions": dispositions(), "downgrades": downgrades}})


def _disposition_name(code: str | None) -> str | None:
    found = load_policy().doc("dispositions").get(code) if code else None
    return found.name if found else None


def _downgrade_grades(incident: Incident) -> list[int]:
    """The grades that would reduce this incident's response, by the one control (policy/controls.py)."""
    out = []
    for g in (1, 2, 3, 4):
        after = service.attend_by_for_grade(g, incident.urban, incident.received_at)
        if controls.reduces_response(controls.Response(incident.grade, "deploy", incident.attend_by),
                                     controls.Response(g, "deploy", after)):
            out.append(g)
    return out


# --- the timeline -------------------------------------------------------------------------------------

_WORDS = {
    "incident.opened": "Incident opened", "incident.dispatched": "Unit dispatched",
    "incident.unit_en_route": "Unit en route", "incident.unit_arrived": "Unit arrived",
    "incident.unit_cleared": "Unit cleared", "incident.closed": "Incident closed",
    "incident.stood_down": "Stood down (the contact no longer needs officers)",
    "incident.regraded": "Regraded", "incident.note_added": "Note",
    "contact.recorded": "Contact recorded and graded", "contact.decided": "Handler's decision",
    "contact.reassessed": "Reassessed (THRIVE)", "contact.answers_recorded": "Key questions answered",
    "contact.downgrade_requested": "Downgrade requested", "contact.downgrade_approved": "Downgrade approved",
    "contact.downgrade_refused": "Downgrade refused", "contact.reassessment_due": "Re-THRIVE due",
    "incident.downgrade_requested": "Downgrade requested (awaiting a second supervisor)",
    "incident.downgrade_approved": "Downgrade approved", "incident.downgrade_refused": "Downgrade refused",
    "incident.downgrade_withdrawn": "Downgrade request withdrawn",
    "incident.close_requested": "Close without attendance requested (awaiting a second supervisor)",
    "incident.close_approved": "Close without attendance approved", "incident.close_refused": "Close refused",
    "incident.close_withdrawn": "Close request withdrawn",
}
_STAGES = ("incident.dispatched", "incident.unit_en_route", "incident.unit_arrived", "incident.unit_cleared",
           "incident.closed")


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return clock.as_utc(parsed) if parsed.tzinfo is not None else None


def _details(action: str, after: dict[str, Any], unit_names: dict[int, str]) -> list[str]:
    """The words that explain one event (no personal data: grades, units, reasons, codes)."""
    out: list[str] = []
    unit = after.get("unit") or unit_names.get(after.get("unit_id") or -1)
    if unit:
        out.append(f"unit {unit}")
    if action == "incident.dispatched":
        if after.get("recommended") and after.get("recommended") != unit:
            out.append(f"{after['recommended']} was recommended")
        if after.get("override_reason"):
            out.append(f"reason: {after['override_reason']}")
        if after.get("eta_s") is not None:
            out.append(f"estimated arrival {round(after['eta_s'] / 60)} min")
    if action == "incident.unit_arrived" and after.get("target_met") is not None:
        out.append("within the target" if after["target_met"] else "after the target")
    for key, label in (("grade", "grade"), ("route", "route"), ("disposition_code", "code"),
                       ("disposition", "disposition"), ("reason", "reason"), ("text", "")):
        value = after.get(key)
        if value not in (None, "", []):
            out.append(f"{label} {value}".strip() if label else str(value))
    late = after.get("late")
    if isinstance(late, dict) and late.get("reason"):
        out.append(f"entered late, because: {late['reason']}")  # the service's own late mark (issue 12)
    if after.get("requested_by"):
        out.append(f"asked by {str(after['requested_by']).replace('user:', '')}")
    if after.get("note"):
        out.append(f"note: {after['note']}")
    if action == "incident.regraded" and after.get("downgrade"):
        out.append("a downgrade, by a supervisor")  # entries from before downgrades waited (issue 12)
    return out


def timeline(session: Session, incident: Incident) -> list[dict[str, Any]]:
    """Every event of the incident and of its contact's grading, in time order, from the audit trail.

    Each stage event shows the time it gives (`at`) and, when it was recorded more than LATE_ENTRY
    later, that it was entered late and by how much.
    """
    entries = list(audit.trail(session, "incident", incident.id))
    if incident.contact_id is not None:
        entries += [e for e in audit.trail(session, "contact", incident.contact_id) if e.action in _WORDS]
    unit_names = {u.id: u.call_sign for _, u in service.assignments_for(session, [incident.id])[incident.id]}
    events: list[dict[str, Any]] = []
    if incident.contact_id is not None and not any(e.action == "contact.recorded" for e in entries):
        events.append({"at": incident.received_at, "recorded_at": None, "what": "Call received",
                       "who": None, "details": [], "late_by_min": None, "kind": "contact"})
    for e in entries:
        after = ((e.content or {}).get("after") or {}) if isinstance(e.content, dict) else {}
        given = _parse(after.get("at")) if e.action in _STAGES else None
        at = given or e.at
        late = given is not None and (e.at - given > LATE_ENTRY or isinstance(after.get("late"), dict))
        events.append({
            "at": at, "recorded_at": e.at, "what": _WORDS.get(e.action, e.action.replace("_", " ")),
            "who": e.actor, "details": _details(e.action, after, unit_names) if e.content is not None
            else ["(content erased under a retention rule)"],
            "late_by_min": round((e.at - given).total_seconds() / 60) if late and given else None,
            "kind": e.action.split(".")[0], "action": e.action,
        })
    events += _unaudited(session, incident, {e.action for e in entries})
    events.sort(key=lambda ev: (clock.as_utc(ev["at"]), ev["recorded_at"] or ev["at"]))
    return events


def _unaudited(session: Session, incident: Incident, audited: set[str]) -> list[dict[str, Any]]:
    """Stage times held on the record with no audit entry of their kind (imported CAD rows, the demo
    force's generated history): shown from the record, and said to be so."""
    out: list[dict[str, Any]] = []

    def add(at: datetime | None, action: str, details: list[str]) -> None:
        if at is not None and action not in audited:
            out.append({"at": at, "recorded_at": None, "what": _WORDS.get(action, action), "who": None,
                        "details": [*details, "from the record (no audit entry: imported or generated)"],
                        "late_by_min": None, "kind": "record", "action": action})

    pairs = service.assignments_for(session, [incident.id])[incident.id]
    for a, u in pairs:
        add(a.dispatched_at, "incident.dispatched", [f"unit {u.call_sign}"])
        add(a.enroute_at, "incident.unit_en_route", [f"unit {u.call_sign}"])
        add(a.arrived_at, "incident.unit_arrived", [f"unit {u.call_sign}"])
        add(a.cleared_at, "incident.unit_cleared", [f"unit {u.call_sign}"])
    if not pairs:  # an imported incident carries its stage times on itself
        add(incident.dispatched_at, "incident.dispatched", [])
        add(incident.enroute_at, "incident.unit_en_route", [])
        add(incident.arrived_at, "incident.unit_arrived", [])
    if "incident.regraded" not in audited:
        for r in service.regrades_for(session, incident.id):
            add(r.at, "incident.regraded", [f"grade {r.from_grade} to {r.to_grade}", f"reason {r.reason}"])
    extra = incident.extra or {}
    if "incident.stood_down" not in audited:
        add(incident.closed_at, "incident.closed",
            [str(v) for v in (extra.get("disposition_code"), extra.get("disposition"), extra.get("closure_reason")) if v])
    return out


# --- the map's local data -----------------------------------------------------------------------------


@router.get("/map/base.geojson", dependencies=[Depends(page_roles(*MAP_READERS))])
def base_geojson(session: DbSession) -> JSONResponse:
    """The force's imported boundaries (every layer outlined, areas filled) and, for the demo force, its
    schematic roads and towns; with nothing imported, the demo force's drawn areas. Always drawn, tiles
    or not."""
    from bluelamp.location import boundaries

    policy = load_policy()
    demo = "location" in policy.names and bool(policy.doc("location").gazetteer.demo)
    return JSONResponse(demo_map.with_boundaries(boundaries.features(session), demo),
                        media_type="application/geo+json")


@router.get(demo_map.PMTILES_URL, dependencies=[Depends(page_roles(*MAP_READERS))])
def pmtiles_archive() -> FileResponse:
    """The force's PMTiles archive (BLUELAMP_MAP_PMTILES), read by the browser with range requests (206)."""
    path = get_settings().map_pmtiles
    if not path or not Path(path).is_file():
        raise HTTPException(404, detail="no PMTiles archive is configured (BLUELAMP_MAP_PMTILES)")
    return FileResponse(path, media_type="application/octet-stream",
                        headers={"Cache-Control": "private, max-age=3600"})


@router.get("/map/tiles/{z}/{x}/{y}.png", dependencies=[Depends(page_roles(*MAP_READERS))])
def tile(z: Annotated[int, PathParam(ge=0, le=22)], x: Annotated[int, PathParam(ge=0, le=4_194_304)],
         y: Annotated[int, PathParam(ge=0, le=4_194_304)]) -> FileResponse:
    """A raster tile from BLUELAMP_MAP_TILE_DIR ({z}/{x}/{y}.png); 404 when the folder has none."""
    folder = get_settings().map_tile_dir
    if not folder:
        raise HTTPException(404, detail="no map tiles are configured (BLUELAMP_MAP_TILE_DIR)")
    path = Path(folder) / str(z) / str(x) / f"{y}.png"  # integers only: nothing can climb out of the folder
    if not path.is_file():
        raise HTTPException(404, detail=f"tile {z}/{x}/{y} not found")
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})
