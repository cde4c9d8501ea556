"""Measures of the victim's own page: updates read online, and the change in 101 `update_request`
contacts (a fifth of 101 calls are victims chasing news of their case: issue 16)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bluelamp.contact.store import Contact
from bluelamp.victims.portal_store import PortalAttempt, PortalSession, PortalUpdateRead
from bluelamp.victims.store import VictimUpdate


def _count(session: Session, q: Any) -> int:
    return int(session.execute(q).scalar_one())


def _update_requests(session: Session, start: datetime, end: datetime, area: str | None) -> int:
    q = select(func.count()).select_from(Contact).where(
        Contact.channel == "101", Contact.route == "update_request", Contact.agency == "police",
        Contact.received_at >= start, Contact.received_at < end)
    if area:
        q = q.where(Contact.area == area)
    return _count(session, q)


def online(session: Session, start: datetime, end: datetime, area: str | None = None) -> dict[str, Any]:
    """The `victims_online` block of the measures for [start, end).

    `share_read_online` is over the updates recorded in the period (those read online by now); the 101
    comparison is with the period of the same length just before. A share with nothing to divide is null.
    """
    recorded = _count(session, select(func.count()).select_from(VictimUpdate).where(
        VictimUpdate.at >= start, VictimUpdate.at < end))
    of_them_read = _count(session, select(func.count()).select_from(VictimUpdate).join(
        PortalUpdateRead, PortalUpdateRead.update_id == VictimUpdate.id).where(
        VictimUpdate.at >= start, VictimUpdate.at < end))
    first_reads = _count(session, select(func.count()).select_from(PortalUpdateRead).where(
        PortalUpdateRead.first_read_at >= start, PortalUpdateRead.first_read_at < end))
    sign_ins = _count(session, select(func.count()).select_from(PortalAttempt).where(
        PortalAttempt.ok.is_(True), PortalAttempt.at >= start, PortalAttempt.at < end))
    victims = _count(session, select(func.count(func.distinct(PortalSession.victim_id))).where(
        PortalSession.started_at >= start, PortalSession.started_at < end))
    refused = _count(session, select(func.count()).select_from(PortalAttempt).where(
        PortalAttempt.ok.is_(False), PortalAttempt.at >= start, PortalAttempt.at < end))
    now_n = _update_requests(session, start, end, area)
    before_n = _update_requests(session, start - (end - start), start, area)
    return {
        "updates_recorded": recorded, "updates_read_online": first_reads,
        "share_read_online": round(of_them_read / recorded, 4) if recorded else None,
        "sign_ins": sign_ins, "victims_signed_in": victims, "sign_ins_refused": refused,
        "update_requests_101": {"period": now_n, "previous_period": before_n, "change": now_n - before_n,
                                "change_share": round((now_n - before_n) / before_n, 4) if before_n else None},
    }
