"""JSON routes for auditors: the trail and its verification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import select

from bluelamp import clock
from bluelamp.audit import access, service
from bluelamp.audit.store import AuditEntry, AuditPending
from bluelamp.web.auth import DbSession, require_roles

router = APIRouter(tags=["audit"], dependencies=[Depends(require_roles("auditor"))])


def entry_json(e: AuditEntry | AuditPending) -> dict[str, Any]:
    """One entry; one committed but not chained yet has `sealed: false` and no `seq` or `digest`."""
    sealed = isinstance(e, AuditEntry)
    return {"seq": e.seq if isinstance(e, AuditEntry) else None, "at": clock.iso(e.at), "actor": e.actor,
            "action": e.action, "entity": e.entity, "entity_id": e.entity_id, "content": e.content,
            "digest": e.digest if isinstance(e, AuditEntry) else None, "sealed": sealed}


@router.get("/audit")
def list_entries(
    session: DbSession,
    entity: str | None = Query(default=None, max_length=40),
    entity_id: str | None = Query(default=None, max_length=64),
    before_seq: int | None = Query(default=None, ge=1),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """Newest first. Entries committed but not chained yet (for milliseconds, normally) come first, with
    `sealed: false`; `before_seq` pages through the chained ones."""
    waiting: list[AuditPending] = []
    if before_seq is None:
        wq = select(AuditPending).order_by(AuditPending.id.desc()).limit(limit)
        if entity:
            wq = wq.where(AuditPending.entity == entity)
        if entity_id:
            wq = wq.where(AuditPending.entity_id == entity_id)
        waiting = list(session.execute(wq).scalars())
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit - len(waiting))
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if before_seq:
        query = query.where(AuditEntry.seq < before_seq)
    sealed = list(session.execute(query).scalars()) if len(waiting) < limit else []
    listed: list[AuditEntry | AuditPending] = [*waiting, *sealed]
    return [entry_json(e) for e in listed]


@router.get("/audit/access")
def access_log(
    session: DbSession,
    record: str = Query(max_length=80, pattern=r"^[a-z]+:[A-Za-z0-9_.:-]{1,60}$",
                        description="KIND:ID, KIND one of contact, person, crime, victim, chat, audit"),
    limit: int = Query(default=500, ge=1, le=5000),
) -> list[dict[str, Any]]:
    """The reads of one record, newest first: actor, at, route (and client address, stated reason)."""
    kind, _, record_id = record.partition(":")
    if kind not in access.KINDS:
        raise HTTPException(422, detail=f"record: KIND must be one of {', '.join(access.KINDS)}")
    return access.reads_of(session, kind, record_id, limit)


@router.get("/audit/verify")
def verify(session: DbSession) -> dict[str, Any]:
    result = service.verify(session)
    return {"ok": result.ok, "entries": result.entries, "unsealed": result.unsealed,
            "oldest_unsealed_s": result.oldest_unsealed_s, "problems": result.problems[:100]}
