"""JSON routes for victim care: a victim's access code (re-issue, revoke, state) and a crime's online setting."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from bluelamp import clock
from bluelamp.identity.model import Principal
from bluelamp.victims import portal_care, service
from bluelamp.victims.store import Victim
from bluelamp.web.auth import DbSession, require_roles

router = APIRouter(tags=["victims"])
CARE = portal_care.ROLES


@router.get("/victims/{victim_id}/access-code")
def code_state(victim_id: int, session: DbSession,
               principal: Annotated[Principal, Depends(require_roles(*service.CARERS, "auditor"))]) -> dict[str, Any]:
    """Whether the victim's code works (never the code itself), and whether the crime is shown online."""
    service.check_read(session, service.get_victim(session, victim_id), principal)
    return portal_care.state(session, victim_id)


@router.post("/victims/{victim_id}/access-code", status_code=201)
def reissue(victim_id: int, session: DbSession,
            principal: Annotated[Principal, Depends(require_roles(*CARE))]) -> dict[str, Any]:
    """A new access code (shown in this answer only); the old one stops working."""
    code, expires, ref = portal_care.reissue_code(session, victim_id, principal)
    return {"victim_id": victim_id, "reference": ref, "code": code, "expires_at": clock.iso(expires)}


@router.delete("/victims/{victim_id}/access-code")
def revoke(victim_id: int, session: DbSession,
           principal: Annotated[Principal, Depends(require_roles(*CARE))]) -> dict[str, Any]:
    n = portal_care.revoke_code(session, victim_id, principal)
    return {"victim_id": victim_id, "revoked": n}


class OnlineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    sensitive: bool = False
    reason: str = Field(max_length=2000)


@router.put("/crimes/{crime_id}/online")
def set_online(crime_id: int, data: OnlineIn, session: DbSession,
               principal: Annotated[Principal, Depends(require_roles(*CARE))]) -> dict[str, Any]:
    """Mark a crime sensitive (hidden online) or show a sensitive crime online, with a reason (audited)."""
    return portal_care.set_online(session, crime_id, principal, **data.model_dump())


def issued_codes(session: Any, crime_id: int) -> list[dict[str, Any]]:
    """Codes issued while recording this crime, for the answer that shows them once."""
    from bluelamp.victims import portal_codes

    issued = portal_codes.issued_in(session)
    out = []
    for vid, (code, expires) in sorted(issued.items()):
        v = session.get(Victim, vid)
        if v is not None and v.crime_id == crime_id:
            out.append({"victim_id": vid, "name": v.name, "reference": portal_codes.reference_of(crime_id),
                        "code": code, "expires_at": clock.iso(expires)})
    return out
