"""Reductions of an incident's response wait for a second supervisor (issue 12 item 8): the one
two-person control of the response context.

Two kinds of request, one table (`incident_regrade_request`) and one decision route
(`POST /api/v1/incidents/{id}/approval`):

- `regrade`: a regrade that reduces the response (policy/controls.py, the one definition);
- `close`: closing an incident that no unit attended (the route goes from deploy to closed without
  attendance, which reduces the response by the same definition), and a contact's stand-down of a
  grade 1 or 2 incident before any arrival that no second person has already agreed.

Neither changes the incident when asked: it becomes a pending `RegradeRequest`, and the incident keeps
its grade, attend-by, clocks and units until a supervisor who is not the requester approves it
(identity/access.check_not_requester, the same control as a contact's downgrade). Refusing keeps the
incident as it is. An upgrade applies at once and withdraws a pending request (fail safe: the higher
response wins); so do an arrival (a close is then no longer unattended) and closing the incident.
Every step writes an audit entry.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.identity import access
from bluelamp.identity.model import Principal
from bluelamp.response.model import ResponseError
from bluelamp.response.store import Incident, RegradeRequest


def pending_for(session: Session, incident_id: int) -> RegradeRequest | None:
    return session.execute(
        select(RegradeRequest).where(RegradeRequest.incident_id == incident_id, RegradeRequest.status == "pending")
        .order_by(RegradeRequest.id.desc()).limit(1)
    ).scalar_one_or_none()


def pending_by_incident(session: Session, incident_ids: list[int]) -> dict[int, RegradeRequest]:
    """The pending downgrade of each of these incidents that has one, in one query (the board)."""
    if not incident_ids:
        return {}
    rows = session.execute(select(RegradeRequest).where(
        RegradeRequest.incident_id.in_(incident_ids), RegradeRequest.status == "pending")).scalars()
    return {r.incident_id: r for r in rows}


# What each kind of request is called in messages, and the prefix of its audit actions.
WHAT = {"regrade": "downgrade", "close": "close without attendance"}
ACTION = {"regrade": "incident.downgrade", "close": "incident.close"}


def request_json(r: RegradeRequest | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"id": r.id, "kind": r.kind or "regrade", "at": clock.iso(r.at), "by": r.by, "from_grade": r.from_grade,
            "to_grade": r.to_grade, "reason": r.reason, "reduces": list(r.reduces or []), "status": r.status,
            "decided_by": r.decided_by, "decided_at": clock.iso(r.decided_at), "note": r.note,
            "detail": dict(r.detail or {}) if r.kind == "close" else None}


def _request(session: Session, incident: Incident, kind: str, to_grade: int, reason: str, reduced: list[str],
             by: str, detail: dict[str, Any] | None = None) -> RegradeRequest:
    """Record a reduction as pending; the incident itself is not changed."""
    waiting = pending_for(session, incident.id)
    if waiting is not None:
        raise ResponseError(f"incident {incident.id} already has a {WHAT[waiting.kind or 'regrade']} awaiting a "
                            "second supervisor", "grade" if kind == "regrade" else "status", 409)
    req = RegradeRequest(incident_id=incident.id, at=clock.now(), by=by, from_grade=incident.grade,
                         to_grade=to_grade, reason=reason, reduces=list(reduced), status="pending", kind=kind,
                         detail=detail)
    session.add(req)
    session.flush()
    audit.record(session, by, f"{ACTION[kind]}_requested", "incident", incident.id,
                 before={"grade": incident.grade, "attend_by": clock.iso(incident.attend_by), "status": incident.status},
                 after={"request_id": req.id, "grade": to_grade, "reason": reason, "reduces": list(reduced),
                        **({"close": detail} if kind == "close" else {})})
    return req


def request_downgrade(session: Session, incident: Incident, grade: int, reason: str, reduced: list[str],
                      principal: Principal) -> RegradeRequest:
    """Record a supervisor's downgrade as pending; the incident itself is not changed."""
    return _request(session, incident, "regrade", grade, reason, reduced, principal.actor)


def request_close(session: Session, incident: Incident, detail: dict[str, Any], reduced: list[str],
                  by: str) -> RegradeRequest:
    """Record a close without attendance as pending: the incident stays open with its units and clock.
    A pending downgrade gives way to it (the close is the larger reduction, and it is decided on its own)."""
    waiting = pending_for(session, incident.id)
    if waiting is not None and waiting.kind != "close":
        withdraw_pending(session, incident, "a close without attendance was asked instead", by)
    reason = str(detail.get("reason") or detail.get("disposition") or "closed without attendance")
    return _request(session, incident, "close", incident.grade, reason, reduced, by, detail)


def withdraw_pending(session: Session, incident: Incident, why: str, actor: str) -> None:
    """An upgrade, an arrival or closing the incident ends a pending request (it was asked of an
    incident that is no longer as it was)."""
    req = pending_for(session, incident.id)
    if req is None:
        return
    req.status, req.decided_by, req.decided_at, req.note = "withdrawn", actor, clock.now(), why
    audit.record(session, actor, f"{ACTION[req.kind or 'regrade']}_withdrawn", "incident", incident.id,
                 before={"request_id": req.id, "status": "pending"},
                 after={"request_id": req.id, "status": "withdrawn", "reason": why})


def decide_downgrade(session: Session, incident_id: int, principal: Principal, approve: bool,
                     note: str | None = None) -> Incident:
    """A supervisor who did not ask for it approves (the regrade or the close applies now) or refuses
    (the incident stays as it is). The one decision of both kinds of request."""
    from bluelamp.response import service

    incident = service.lock_open_incident(session, incident_id)
    req = pending_for(session, incident.id)
    if req is None:
        raise ResponseError(f"incident {incident.id} has no downgrade awaiting approval (nor a close)", "status", 409)
    kind = req.kind or "regrade"
    if incident.grade != req.from_grade:  # the contact's own decision moved the grade since the request
        withdraw_pending(session, incident, f"the incident is now grade {incident.grade}", principal.actor)
        raise ResponseError(f"incident {incident.id} is now grade {incident.grade}, not the grade "
                            f"{req.from_grade} the {WHAT[kind]} was asked of: ask again", "status", 409)
    try:
        access.check_not_requester(principal, req.by, f"approve a {WHAT[kind]}")
    except access.AccessDenied as exc:
        raise ResponseError(str(exc), exc.field, 403) from None
    note = note.strip()[:2000] if note and note.strip() else None
    req.decided_by, req.decided_at, req.note = principal.actor, clock.now(), note
    if not approve:
        req.status = "refused"
        audit.record(session, principal.actor, f"{ACTION[kind]}_refused", "incident", incident.id,
                     before={"request_id": req.id, "status": "pending"},
                     after={"request_id": req.id, "status": "refused", "grade": incident.grade, "note": note})
        return incident
    req.status = "approved"
    if kind == "close":
        audit.record(session, principal.actor, "incident.close_approved", "incident", incident.id,
                     before={"request_id": req.id, "status": "pending"},
                     after={"request_id": req.id, "status": "approved", "requested_by": req.by, "note": note,
                            "reduces": list(req.reduces or [])})
        service.finish_close(session, incident, dict(req.detail or {}), list(req.reduces or []), req.by,
                             approved_by=principal.actor)
        return incident
    before = {"grade": incident.grade, "attend_by": clock.iso(incident.attend_by)}
    service.apply_regrade(session, incident, req.to_grade, req.reason, req.by, approved_by=principal.actor)
    audit.record(session, principal.actor, "incident.downgrade_approved", "incident", incident.id, before=before,
                 after={"request_id": req.id, "grade": incident.grade, "attend_by": clock.iso(incident.attend_by),
                        "reason": req.reason, "requested_by": req.by, "note": note, "downgrade": True})
    return incident
