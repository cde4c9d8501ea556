"""Victim care's side of the victim's own page: re-issue or revoke a victim's access code, and decide
whether a sensitive crime is shown online. Each is for the OIC's team (victim care included) or their
supervisor, as other victim work is, and each is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bluelamp.crime.store import Crime
from bluelamp.identity.model import Principal
from bluelamp.victims import portal, portal_codes, service
from bluelamp.victims.model import VictimsError

ROLES = ("victim_care", "supervisor")


def _may(principal: Principal) -> None:
    if not principal.has_any(*ROLES):
        raise VictimsError("only victim care or a supervisor may do this", "role", 403)


def reissue_code(session: Session, victim_id: int, principal: Principal) -> tuple[str, datetime, str]:
    """A new code for the victim (the old one stops working at once); the plain code is returned once."""
    _may(principal)
    victim = service.get_victim(session, victim_id, for_update=True)
    service.check_care(session, victim.crime_id, principal)
    code, expires = portal_codes.issue(session, victim, principal.actor)
    return code, expires, portal_codes.reference_of(victim.crime_id)


def revoke_code(session: Session, victim_id: int, principal: Principal) -> int:
    _may(principal)
    victim = service.get_victim(session, victim_id, for_update=True)
    service.check_care(session, victim.crime_id, principal)
    return portal_codes.revoke(session, victim, principal.actor)


def set_online(session: Session, crime_id: int, principal: Principal, *, enabled: bool, sensitive: bool,
               reason: str) -> dict[str, Any]:
    _may(principal)
    crime = session.get(Crime, crime_id)
    if crime is None:
        raise VictimsError(f"crime {crime_id} not found", "crime_id", 404)
    service.check_care(session, crime, principal)
    return portal.set_online(session, crime, principal.actor, enabled=enabled, sensitive=sensitive, reason=reason)


def state(session: Session, victim_id: int) -> dict[str, Any]:
    """What victim care sees: the code's state (never the code) and whether the crime is shown online."""
    victim = service.get_victim(session, victim_id)
    crime = session.get(Crime, victim.crime_id)
    assert crime is not None
    return {"reference": portal_codes.reference_of(crime.id), "code": portal_codes.code_state(session, victim.id),
            "online": portal.online_state(session, crime)}
