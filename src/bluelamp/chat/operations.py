"""Use cases of the staff side: take from the queue, reply, transfer, record as a contact, close,
the supervisor's alerts, and the figures kept per chat for the staffing model.

Kept apart from service.py (the public side) because the two sides have different callers and rules;
both return the live events to publish after the commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.chat import store
from bluelamp.chat.model import (
    CANNED,
    OPERATOR_OUTCOMES,
    ChatError,
    Event,
    check_body,
    citizen_narrative,
    public_name,
)
from bluelamp.chat.service import (
    add_message,
    alert_json,
    close,
    message_events,
    public_status,
    queue_event,
    seconds_between,
    staff_message,
    summary,
    transcript_digest,
)
from bluelamp.chat.settings import get_chat_settings
from bluelamp.chat.store import Chat
from bluelamp.contact import service as contacts
from bluelamp.contact.matching import match_people
from bluelamp.contact.model import MAX_NARRATIVE, ContactIn
from bluelamp.identity import service as identity
from bluelamp.identity.model import Principal
from bluelamp.policy import load_policy

OPERATORS = ("chat_operator", "supervisor")


def contact_reference(contact_id: int) -> str:
    return f"BL{contact_id:07d}"


def _chat(session: Session, chat_id: int) -> Chat:
    chat = store.chat_for_update(session, chat_id)
    if chat is None:
        raise ChatError(f"chat {chat_id} not found", "unknown_chat", 404, "chat_id")
    return chat


def _assign(session: Session, chat: Chat, who: Principal) -> list[Event]:
    limit = get_chat_settings().max_per_operator
    if store.count_active(session, who.user_id) >= limit:
        raise ChatError(f"{who.username} already has {limit} chats (the limit)", "at_limit", 409, "chat_id")
    chat.operator_id, chat.operator_username = who.user_id, who.username
    chat.operator_public = public_name(who.username, who.user_id)
    notice = add_message(session, chat, "system", f"You are now chatting with {chat.operator_public}.",
                         kind="notice")
    return message_events(chat, notice) + [
        Event(f"user:{who.user_id}", {"type": "assigned", "chat_id": chat.id}),
        Event(f"chat:{chat.id}:public", public_status(chat)),
    ]


def take(session: Session, principal: Principal, chat_id: int | None = None) -> tuple[Chat, list[Event]]:
    """An operator takes a chat: the one named, or the head of the queue (risk first, then waiting)."""
    if chat_id is None:
        head = store.waiting_chats(session, limit=1)
        if not head:
            raise ChatError("nobody is waiting", "queue_empty", 404, "chat_id")
        chat_id = head[0].id
    chat = _chat(session, chat_id)
    if chat.status != "waiting":
        raise ChatError(f"chat {chat.id} is {chat.status}, not waiting", "not_waiting", 409, "chat_id")
    events = _assign(session, chat, principal)
    chat.status, chat.answered_at = "active", clock.now()
    audit.record(session, principal.actor, "chat.assigned", "chat", chat.id, after={
        "operator": principal.username, "queued_at": clock.iso(chat.queued_at),
        "waiting_s": seconds_between(chat.queued_at, chat.answered_at),
        "risk_grade": chat.risk_grade})
    return chat, events + [queue_event(chat)]


def _own(chat: Chat, principal: Principal) -> None:
    if chat.status != "active":
        raise ChatError(f"chat {chat.id} is {chat.status}", "not_active", 409, "chat_id")
    if chat.operator_id != principal.user_id and not principal.has_any("supervisor"):
        raise ChatError(f"chat {chat.id} is served by another operator", "not_yours", 403, "chat_id")


def send(session: Session, principal: Principal, chat_id: int, body: object,
         client_id: str | None = None) -> tuple[dict[str, Any], list[Event]]:
    """The operator replies (a resend with the same client_id is stored once)."""
    text = check_body(body, get_chat_settings().max_message_chars)
    chat = _chat(session, chat_id)
    if client_id:
        earlier = store.message_by_client_id(session, chat.id, "operator", client_id)
        if earlier is not None:
            return staff_message(chat, earlier), []
    if chat.operator_id != principal.user_id:
        raise ChatError(f"chat {chat.id} is not assigned to you", "not_yours", 403, "chat_id")
    _own(chat, principal)
    msg = add_message(session, chat, "operator", text, author=principal.username,
                      author_public=chat.operator_public, client_id=client_id)
    return staff_message(chat, msg), message_events(chat, msg)


def transfer(session: Session, principal: Principal, chat_id: int, to_user_id: int) -> tuple[Chat, list[Event]]:
    """Hand a chat to another operator (who must be under their limit); the person sees the new name."""
    chat = _chat(session, chat_id)
    _own(chat, principal)
    target = identity.get_principal(session, to_user_id)
    if target is None or not target.has_any(*OPERATORS):
        raise ChatError(f"user {to_user_id} is not an active chat operator", "bad_target", 422, "to_user_id")
    if target.user_id == chat.operator_id:
        raise ChatError("the chat is already with that operator", "bad_target", 409, "to_user_id")
    before = {"operator": chat.operator_username}
    old = chat.operator_id
    events = _assign(session, chat, target)
    chat.transfers += 1
    audit.record(session, principal.actor, "chat.transferred", "chat", chat.id, before=before,
                 after={"operator": target.username})
    if old is not None:
        events.append(Event(f"user:{old}", {"type": "unassigned", "chat_id": chat.id}))
    return chat, events + [queue_event(chat)]


def transfer_targets(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Who a chat can be handed to: every active chat operator or supervisor but oneself, by name, with
    how many chats each holds now (the console offers these in a list; nobody types a user id)."""
    from bluelamp.identity.store import User

    limit = get_chat_settings().max_per_operator
    users = session.execute(select(User.id, User.username, User.roles).where(User.active.is_(True))
                            .order_by(User.username)).all()
    loads = store.active_counts(session)
    out = []
    for uid, username, roles in users:
        if uid == principal.user_id or not (set(roles or []) & {*OPERATORS, "admin"}):
            continue
        held = loads.get(uid, 0)
        out.append({"user_id": uid, "username": username, "name": public_name(username, uid),
                    "active": held, "limit": limit, "full": held >= limit})
    return out


def _contact_in(session: Session, chat: Chat, extra: dict[str, Any]) -> ContactIn:
    bodies = [m.body for m in store.messages_after(session, chat.id, 0, limit=100_000) if m.sender == "citizen"]
    narrative = citizen_narrative(bodies)
    if not narrative:
        raise ChatError("the person has not written anything to record", "empty", 422, "narrative")
    if len(narrative) > MAX_NARRATIVE:
        narrative = narrative[:MAX_NARRATIVE - 40] + "\n[transcript continues in the chat record]"
    data: dict[str, Any] = {"channel": "chat", "narrative": narrative,
                            "received_at": clock.iso(chat.queued_at or chat.started_at)}
    caller = {k: v for k, v in (("name", chat.name), ("phone", chat.phone)) if v}
    caller.update({k: v for k, v in (extra.get("caller") or {}).items() if v is not None})
    if caller:
        data["caller"] = caller
    for key in ("answers", "location", "people"):
        if extra.get(key):
            data[key] = extra[key]
    try:
        return ContactIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ChatError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}", "invalid", 422,
                        ".".join(str(p) for p in first["loc"])) from None


def convert(session: Session, principal: Principal, chat_id: int,
            extra: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[Event]]:
    """Record the chat as a contact (channel chat, the person's words as the narrative) with its THRIVE
    assessment; it then takes the usual route (an incident, a referral, or advice)."""
    chat = _chat(session, chat_id)
    _own(chat, principal)
    if chat.contact_id is not None:
        raise ChatError(f"chat {chat.id} is already contact {chat.contact_id}", "already_recorded", 409, "chat_id")
    data = _contact_in(session, chat, extra or {})
    result = contacts.record_contact(session, data, principal)
    chat.contact_id = result["id"]
    reference = contact_reference(result["id"])
    notice = add_message(session, chat, "system",
                         f"Your report has been recorded. Your reference number is {reference}.", kind="notice")
    session.flush()
    digest, count = transcript_digest(session, chat)
    audit.record(session, principal.actor, "chat.converted", "chat", chat.id, after={
        "contact_id": result["id"], "messages": count, "transcript_sha256": digest,
        "grade": result["assessment"]["grade"], "route": result["assessment"]["route"]})
    out = dict(result, reference=reference, chat_id=chat.id)
    return out, message_events(chat, notice) + [
        Event(f"chat:{chat.id}:staff", {"type": "converted", **out}), queue_event(chat)]


def finish(session: Session, principal: Principal, chat_id: int, outcome: str | None) -> tuple[Chat, list[Event]]:
    """The operator closes the chat with its outcome (a recorded chat defaults to contact_recorded)."""
    chat = _chat(session, chat_id)
    _own(chat, principal)
    outcome = outcome or ("contact_recorded" if chat.contact_id else None)
    if outcome not in OPERATOR_OUTCOMES:
        raise ChatError(f"outcome must be one of: {', '.join(OPERATOR_OUTCOMES)}", "invalid", 422, "outcome")
    if outcome == "contact_recorded" and chat.contact_id is None:
        raise ChatError("record the chat as a contact first", "invalid", 422, "outcome")
    return chat, close(session, chat, outcome, principal.actor, "This chat has ended. Thank you for contacting us.")


def view(session: Session, principal: Principal, chat_id: int, after_seq: int = 0) -> dict[str, Any]:
    """A chat with its transcript for staff: operators see the queue and their own; supervisors all."""
    chat = session.get(Chat, chat_id)
    if chat is None:
        raise ChatError(f"chat {chat_id} not found", "unknown_chat", 404, "chat_id")
    mine = chat.operator_id == principal.user_id
    if not (mine or chat.status == "waiting" or principal.has_any("supervisor")):
        raise ChatError(f"chat {chat_id} is served by another operator", "not_yours", 403, "chat_id")
    out = summary(chat)
    out.update({"name": chat.name, "phone": chat.phone, "email": chat.email,
                "messages": [staff_message(chat, m) for m in store.messages_after(session, chat.id, after_seq)],
                "matching": matching_preview(session, chat) if (chat.name or chat.phone) else None})
    return out


def transcript_for_contact(session: Session, contact_id: int, principal: Principal | None = None,
                           reason: str | None = None) -> dict[str, Any]:
    chat = session.execute(select(Chat).where(Chat.contact_id == contact_id)).scalar_one_or_none()
    if chat is None:
        raise ChatError(f"no chat was recorded as contact {contact_id}", "unknown_chat", 404, "contact_id")
    if principal is not None:
        from bluelamp.identity import access

        try:
            access.view_for("chat", principal, own=chat.operator_id == principal.user_id, reason=reason)
        except access.AccessDenied as exc:
            raise ChatError(str(exc), "not_yours", 403, "contact_id") from None
    out = summary(chat)
    out["messages"] = [staff_message(chat, m) for m in store.messages_after(session, chat.id, 0, limit=100_000)]
    return out


def matching_preview(session: Session, chat: Chat) -> dict[str, Any]:
    """Person matching on the details given so far (repeat contact, household), changing nothing."""
    caller = {k: v for k, v in (("name", chat.name), ("phone", chat.phone)) if v}
    data = ContactIn.model_validate({"channel": "chat", "narrative": "-", "caller": caller})
    nested = session.begin_nested()
    try:
        # The contact context's own matching, inside a savepoint that is always rolled back: a person it
        # would create is not kept, so the preview changes nothing.
        match = match_people(session, data, clock.now(), load_policy())
        found = {"history_flags": sorted(match.history_flags), "reasons": list(match.reasons),
                 "household": [dict(h) for h in match.household]}
    finally:
        nested.rollback()
    return found


def ack_alert(session: Session, principal: Principal, alert_id: int) -> tuple[dict[str, Any], list[Event]]:
    alert = session.get(store.ChatAlert, alert_id)
    if alert is None:
        raise ChatError(f"alert {alert_id} not found", "unknown_alert", 404, "alert_id")
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = clock.now(), principal.actor
        audit.record(session, principal.actor, "chat.alert_acknowledged", "chat_alert", alert.id,
                     after={"chat_id": alert.chat_id, "contact_id": alert.contact_id})
    out = alert_json(alert, session.get(Chat, alert.chat_id) if alert.chat_id else None)
    return out, [Event("alerts", {"type": "alert", "alert": out})]


def snapshot(session: Session, principal: Principal) -> dict[str, Any]:
    """What a console shows on connecting: the queue, my chats, and for supervisors every active chat."""
    supervisor = principal.has_any("supervisor")
    mine = store.active_chats(session, principal.user_id)
    out: dict[str, Any] = {
        "type": "snapshot", "me": {"user_id": principal.user_id, "username": principal.username,
                                   "supervisor": supervisor},
        "limit": get_chat_settings().max_per_operator,
        "canned": [{"id": i, "title": t, "text": x} for i, t, x in CANNED],
        "outcomes": list(OPERATOR_OUTCOMES),
        "operators": transfer_targets(session, principal),
        "queue": [summary(c) for c in store.waiting_chats(session)],
        "mine": [c.id for c in mine],
        "active": [summary(c) for c in (store.active_chats(session) if supervisor else mine)],
        "alerts": [alert_json(a, session.get(Chat, a.chat_id) if a.chat_id else None)
                   for a in store.open_alerts(session)] if supervisor else [],
    }
    return out


def chat_figures(session: Session, since: datetime, until: datetime) -> dict[str, Any]:
    """Waiting, handling, abandonment and outcome per chat, for staffing and performance."""
    rows: list[dict[str, Any]] = []
    for c in store.chat_stats_rows(session, since, until):
        rows.append({"id": c.id, "reference": c.reference, "status": c.status, "queued_at": clock.iso(c.queued_at),
                     "waiting_s": seconds_between(c.queued_at, c.answered_at),
                     "handling_s": seconds_between(c.answered_at, c.closed_at),
                     "abandoned": c.status == "closed" and c.answered_at is None and c.queued_at is not None,
                     "outcome": c.outcome, "risk_grade": c.risk_grade, "emergency": c.emergency,
                     "transfers": c.transfers, "contact_id": c.contact_id})
    closed = [r for r in rows if r["status"] == "closed" and r["queued_at"]]
    waits = sorted(r["waiting_s"] for r in rows if r["waiting_s"] is not None)
    handles = sorted(r["handling_s"] for r in rows if r["handling_s"] is not None)
    return {
        "from": clock.iso(since), "to": clock.iso(until), "chats": len(rows),
        "abandoned": sum(1 for r in rows if r["abandoned"]),
        "abandon_rate": (sum(1 for r in closed if r["abandoned"]) / len(closed)) if closed else None,
        "mean_waiting_s": (sum(waits) / len(waits)) if waits else None,
        "mean_handling_s": (sum(handles) / len(handles)) if handles else None,
        "rows": rows,
    }
