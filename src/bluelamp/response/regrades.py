"""Incident downgrades wait for a second supervisor (issue 12 item 8).

A regrade that reduces the response (policy/controls.py, the one definition) does not change the
incident: it becomes a pending `RegradeRequest`, and the incident keeps its grade, attend-by and
clocks until a supervisor who is not the requester approves it (identity/access.check_not_requester,
the same control as a contact's downgrade). Refusing keeps the grade. An upgrade applies at once and
withdraws a pending downgrade (fail safe: the higher response wins); so does closing the incident.
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


def request_json(r: RegradeRequest | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"id": r.id, "at": clock.iso(r.at), "by": r.by, "from_grade": r.from_grade, "to_grade": r.to_grade,
            "reason": r.reason, "reduces": list(r.reduces or []), "status": r.status, "decided_by": r.decided_by,
            "decided_at": clock.iso(r.decided_at), "note": r.note}


def request_downgrade(session: Session, incident: Incident, grade: int, reason: str, reduced: list[str],
                      principal: Principal) -> RegradeRequest:
    """Record a supervisor's downgrade as pending; the incident itself is not changed."""
    if pending_for(session, incident.id) is not None:
        raise ResponseError(f"incident {incident.id} already has a downgrade awaiting a second supervisor",
                            "grade", 409)
    req = RegradeRequest(incident_id=incident.id, at=clock.now(), by=principal.actor, from_grade=incident.grade,
                         to_grade=grade, reason=reason, reduces=list(reduced), status="pending")
    session.add(req)
    session.flush()
    audit.record(session, principal.actor, "incident.downgrade_requested", "incident", incident.id,
                 before={"grade": incident.grade, "attend_by": clock.iso(incident.attend_by)},
                 after={"request_id": req.id, "grade": grade, "reason": reason, "reduces": list(reduced)})
    return req


def withdraw_pending(session: Session, incident: Incident, why: str, actor: str) -> None:
    """An upgrade or closing the incident ends a pending downgrade (it was asked of a grade that is gone)."""
    req = pending_for(session, incident.id)
    if req is None:
        return
    req.status, req.decided_by, req.decided_at, req.note = "withdrawn", actor, clock.now(), why
    audit.record(session, actor, "incident.downgrade_withdrawn", "incident", incident.id,
                 before={"request_id": req.id, "status": "pending"},
                 after={"request_id": req.id, "status": "withdrawn", "reason": why})


def decide_downgrade(session: Session, incident_id: int, principal: Principal, approve: bool,
                     note: str | None = None) -> Incident:
    """A supervisor who did not ask for it approves (the regrade applies now) or refuses (the grade stays)."""
    from bluelamp.response import service

    incident = service.lock_open_incident(session, incident_id)
    req = pending_for(session, incident.id)
    if req is None:
        raise ResponseError(f"incident {incident.id} has no downgrade awaiting approval", "status", 409)
    if incident.grade != req.from_grade:  # the contact's own decision moved the grade since the request
        withdraw_pending(session, incident, f"the incident is now grade {incident.grade}", principal.actor)
        raise ResponseError(f"incident {incident.id} is now grade {incident.grade}, not the grade "
                            f"{req.from_grade} the downgrade was asked of: ask again", "status", 409)
    try:
        access.check_not_requester(principal, req.by, "approve a downgrade")
    except access.AccessDenied as exc:
        raise ResponseError(str(exc), exc.field, 403) from None
    note = note.strip()[:2000] if note and note.strip() else None
    req.decided_by, req.decided_at, req.note = principal.actor, clock.now(), note
    if not approve:
        req.status = "refused"
        audit.record(session, principal.actor, "incident.downgrade_refused", "incident", incident.id,
                     before={"request_id": req.id, "status": "pending"},
                     after={"request_id": req.id, "status": "refused", "grade": incident.grade, "note": note})
        return incident
    req.status = "approved"
    before = {"grade": incident.grade, "attend_by": clock.iso(incident.attend_by)}
    service.apply_regrade(session, incident, req.to_grade, req.reason, req.by, approved_by=principal.actor)
    audit.record(session, principal.actor, "incident.downgrade_approved", "incident", incident.id, before=before,
                 after={"request_id": req.id, "grade": incident.grade, "attend_by": clock.iso(incident.attend_by),
                        "reason": req.reason, "requested_by": req.by, "note": note, "downgrade": True})
    return incident
