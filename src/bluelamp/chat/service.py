"""Use cases of the public side of a chat: start, message, details, leave, end, transcript.

Each function changes state in the caller's transaction, writes its audit entry where the state
change matters to the record, and returns the live events to publish once the transaction commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bluelamp import clock
from bluelamp.audit import service as audit
from bluelamp.chat import store
from bluelamp.chat.model import (
    EMERGENCY_TEXT,
    WELCOME_TEXT,
    ChatError,
    Event,
    check_body,
    merge_flags,
    transcript_text,
)
from bluelamp.chat.settings import get_chat_settings
from bluelamp.chat.store import Chat, ChatAlert, ChatMessage
from bluelamp.triage import service as triage

PUBLIC_ACTOR = "public:chat"
MAX_REASONS = 30


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def seconds_between(a: Any, b: Any) -> float | None:
    return round((b - a).total_seconds(), 3) if a is not None and b is not None else None


# ---- frames ---------------------------------------------------------------------------------

def public_message(msg: ChatMessage) -> dict[str, Any]:
    """A message as the citizen sees it: staff only by first name or number, no usernames."""
    frame: dict[str, Any] = {"type": "message", "seq": msg.seq, "sender": msg.sender, "kind": msg.kind,
                             "author": msg.author_public, "body": msg.body, "at": clock.iso(msg.at)}
    if msg.sender == "citizen" and msg.client_id:
        frame["client_id"] = msg.client_id
    return frame


def staff_message(chat: Chat, msg: ChatMessage) -> dict[str, Any]:
    return {"type": "message", "chat_id": chat.id, "seq": msg.seq, "sender": msg.sender, "kind": msg.kind,
            "author": msg.author, "author_public": msg.author_public, "body": msg.body,
            "client_id": msg.client_id, "at": clock.iso(msg.at), "flags": list(msg.flags or [])}


def public_status(chat: Chat, position: int | None = None) -> dict[str, Any]:
    """The person's view of their chat; `position` is their place in the queue while waiting."""
    return {"type": "status", "reference": chat.reference, "status": chat.status,
            "operator": chat.operator_public, "emergency": chat.emergency, "last_seq": chat.last_seq,
            "position": position if chat.status == "waiting" else None}


def summary(chat: Chat) -> dict[str, Any]:
    """The staff view of a chat's state (queue row, supervisor view)."""
    now = clock.now()
    row = store.summary_columns(chat)
    row.update({
        "started_at": clock.iso(chat.started_at), "queued_at": clock.iso(chat.queued_at),
        "answered_at": clock.iso(chat.answered_at), "closed_at": clock.iso(chat.closed_at),
        "waiting_s": seconds_between(chat.queued_at, chat.answered_at or (now if chat.status == "waiting" else None)),
        "reasons": list(chat.reasons or [])[-8:],
    })
    return row


def message_events(chat: Chat, msg: ChatMessage) -> list[Event]:
    return [Event(f"chat:{chat.id}:public", public_message(msg)),
            Event(f"chat:{chat.id}:staff", staff_message(chat, msg))]


def queue_event(chat: Chat) -> Event:
    return Event("queue", {"type": "chat", "chat": summary(chat)})


def add_message(session: Session, chat: Chat, sender: str, body: str, *, kind: str = "text",
                author: str | None = None, author_public: str | None = None, client_id: str | None = None,
                flags: list[str] | None = None) -> ChatMessage:
    """Append a message with the chat's next sequence number (the chat row is locked by the caller)."""
    chat.last_seq += 1
    msg = ChatMessage(chat_id=chat.id, seq=chat.last_seq, sender=sender, kind=kind, author=author,
                      author_public=author_public, body=body, client_id=client_id, at=clock.now(),
                      flags=flags or [])
    session.add(msg)
    return msg


# ---- use cases ----------------------------------------------------------------------------

def start_chat(session: Session, details: dict[str, str | None] | None = None) -> tuple[str, Chat, list[Event]]:
    """Open a chat for a member of the public; returns the secret token their browser keeps."""
    token = secrets.token_urlsafe(24)
    now = clock.now()
    chat = Chat(token_digest=token_digest(token), status="new", started_at=now, risk_grade=4, flags=[],
                reasons=[], emergency=False, last_seq=0, citizen_seen_seq=0, transfers=0)
    for key, value in (details or {}).items():
        if value:
            setattr(chat, key, value)
    session.add(chat)
    session.flush()
    add_message(session, chat, "system", WELCOME_TEXT, kind="notice")
    audit.record(session, PUBLIC_ACTOR, "chat.started", "chat", chat.id,
                 after={"details_given": sorted(k for k, v in (details or {}).items() if v)})
    return token, chat, []


def chat_for_token(session: Session, token: str, for_update: bool = False) -> Chat:
    chat = store.chat_by_token(session, token_digest(token), for_update)
    if chat is None:
        raise ChatError("this chat does not exist or has expired", "unknown_chat", 404, "token")
    return chat


def citizen_message(session: Session, token: str, body: object,
                    client_id: str | None) -> tuple[ChatMessage, list[Event], bool]:
    """The person writes: de-duplicate, store, screen with everything said so far, escalate at once.

    Returns the message, the events, and whether it was a resend of one already stored.
    """
    text = check_body(body, get_chat_settings().max_message_chars)
    chat = chat_for_token(session, token, for_update=True)
    if client_id:
        earlier = store.message_by_client_id(session, chat.id, "citizen", client_id)
        if earlier is not None:
            return earlier, [], True
    if chat.status == "closed":
        raise ChatError("this chat has ended; start a new one if you need us again", "closed", 409)
    events: list[Event] = []
    now = clock.now()
    risk_before = chat.risk_grade
    screening = triage.screen_text(text, prior_flags=chat.flags or [])
    new_flags = [f for f in screening.flags if f not in (chat.flags or [])]
    if new_flags:
        chat.flags = merge_flags(chat.flags or [], new_flags)
    if screening.grade < chat.risk_grade:
        chat.risk_grade, chat.suggested_route = screening.grade, screening.route
    elif chat.suggested_route is None:
        chat.suggested_route = screening.route
    reasons = merge_flags(chat.reasons or [], screening.reasons)[-MAX_REASONS:]
    if reasons != (chat.reasons or []):  # rewrite the JSON column only when something was added
        chat.reasons = reasons
    msg = add_message(session, chat, "citizen", text, client_id=client_id, flags=new_flags)
    events += message_events(chat, msg)
    changed = bool(new_flags) or chat.status == "new" or chat.citizen_left_at is not None
    if chat.status == "new":
        # Not an audit entry of its own: every audit entry passes one chain lock until its commit, and
        # a burst of first messages would queue behind it. The queueing time is kept on the chat and
        # carried by the chat.assigned and chat.closed entries.
        chat.status, chat.queued_at = "waiting", now
    if chat.citizen_left_at is not None:
        chat.citizen_left_at = None
    if screening.is_emergency and not chat.emergency:
        events += _escalate(session, chat, screening.reasons)
    elif new_flags:
        audit.record(session, PUBLIC_ACTOR, "chat.risk_raised", "chat", chat.id,
                     after={"flags": new_flags, "risk_grade": chat.risk_grade})
    if changed or chat.risk_grade != risk_before:
        # Every console hears the queue: tell it only what changes the queue (status, risk, presence),
        # not every message, so the fan-out stays proportional to what operators need to see.
        events.append(queue_event(chat))
    return msg, events, False


def _escalate(session: Session, chat: Chat, reasons: list[str]) -> list[Event]:
    """An emergency: tell the person to call 999 at once, alert a supervisor, jump the queue."""
    now = clock.now()
    chat.emergency, chat.emergency_at, chat.risk_grade = True, now, 1
    warning = add_message(session, chat, "system", EMERGENCY_TEXT, kind="emergency")
    alert = ChatAlert(kind="chat_emergency", chat_id=chat.id, raised_at=now, reasons=list(reasons))
    session.add(alert)
    session.flush()
    audit.record(session, PUBLIC_ACTOR, "chat.emergency_screened", "chat", chat.id,
                 after={"flags": list(chat.flags), "reasons": list(reasons), "alert_id": alert.id})
    return message_events(chat, warning) + [Event("alerts", {"type": "alert", "alert": alert_json(alert, chat)})]


def alert_json(alert: ChatAlert, chat: Chat | None = None) -> dict[str, Any]:
    return {"id": alert.id, "kind": alert.kind, "chat_id": alert.chat_id, "contact_id": alert.contact_id,
            "reference": chat.reference if chat else None, "raised_at": clock.iso(alert.raised_at),
            "reasons": list(alert.reasons or []), "acknowledged_by": alert.acknowledged_by}


def citizen_details(session: Session, token: str, details: dict[str, str | None]) -> tuple[Chat, list[Event]]:
    """The person gives (or corrects) their name and contact details."""
    chat = chat_for_token(session, token, for_update=True)
    if chat.status == "closed":
        raise ChatError("this chat has ended", "closed", 409)
    given = sorted(k for k, v in details.items() if v)
    changed = [k for k in given if getattr(chat, k) != details[k]]
    for key in changed:
        setattr(chat, key, details[key])
    if changed:  # the same details sent again write nothing (the public cannot fill the audit trail)
        audit.record(session, PUBLIC_ACTOR, "chat.details_given", "chat", chat.id, after={"fields": changed})
    frame = {"type": "details", "chat_id": chat.id, "name": chat.name, "phone": chat.phone, "email": chat.email}
    return chat, [Event(f"chat:{chat.id}:staff", frame), queue_event(chat)]


def citizen_presence(session: Session, token: str, connected: bool, seen_seq: int = 0) -> list[Event]:
    """The person's socket came or went; a waiting chat left too long is swept as abandoned."""
    chat = chat_for_token(session, token, for_update=True)
    chat.citizen_seen_seq = max(chat.citizen_seen_seq, min(seen_seq, chat.last_seq))
    if chat.status == "closed":
        return []
    chat.citizen_left_at = None if connected else clock.now()
    return [Event(f"chat:{chat.id}:staff", {"type": "presence", "chat_id": chat.id, "connected": connected}),
            queue_event(chat)]


def citizen_end(session: Session, token: str) -> tuple[Chat, list[Event]]:
    chat = chat_for_token(session, token, for_update=True)
    if chat.status == "closed":
        return chat, []
    outcome = "ended_by_citizen" if chat.answered_at else "abandoned"
    return chat, close(session, chat, outcome, PUBLIC_ACTOR, "You ended the chat. Thank you for contacting us.")


def close(session: Session, chat: Chat, outcome: str, actor: str, notice: str) -> list[Event]:
    """Close a chat with its outcome; the audit entry holds its times and the transcript's digest."""
    now = clock.now()
    before = {"status": chat.status, "operator": chat.operator_username}
    previous_operator = chat.operator_id
    msg = add_message(session, chat, "system", notice, kind="notice")
    chat.status, chat.closed_at, chat.outcome = "closed", now, outcome
    session.flush()
    digest, count = transcript_digest(session, chat)
    audit.record(session, actor, "chat.closed", "chat", chat.id, before=before, after={
        "outcome": outcome, "queued_at": clock.iso(chat.queued_at), "answered_at": clock.iso(chat.answered_at),
        "abandoned": chat.answered_at is None, "contact_id": chat.contact_id,
        "waiting_s": seconds_between(chat.queued_at, chat.answered_at), "handling_s": seconds_between(chat.answered_at, now),
        "messages": count, "transcript_sha256": digest,
    })
    events = message_events(chat, msg) + [Event(f"chat:{chat.id}:public", public_status(chat)), queue_event(chat)]
    if previous_operator is not None:
        events.append(Event(f"user:{previous_operator}", {"type": "unassigned", "chat_id": chat.id}))
    return events


def transcript_digest(session: Session, chat: Chat) -> tuple[str, int]:
    """A digest over every message (seq, sender, body): the audit trail can prove a transcript unchanged."""
    h = hashlib.sha256()
    messages = store.messages_after(session, chat.id, 0, limit=100_000)
    for m in messages:
        h.update(f"{m.seq}\x1f{m.sender}\x1f{m.author or ''}\x1f{m.body}\x1e".encode())
    return h.hexdigest(), len(messages)


def citizen_transcript(session: Session, token: str) -> str:
    """The transcript the person asked for: their words, staff by first name only."""
    chat = chat_for_token(session, token, for_update=True)
    now = clock.now()
    # The public cannot fill the audit trail: one entry per chat an hour, however often they ask.
    if chat.transcript_requested_at is None or now - chat.transcript_requested_at >= timedelta(hours=1):
        audit.record(session, PUBLIC_ACTOR, "chat.transcript_requested", "chat", chat.id)
    chat.transcript_requested_at = now
    lines = []
    for m in store.messages_after(session, chat.id, 0, limit=100_000):
        who = "You" if m.sender == "citizen" else (m.author_public or "Police") if m.sender == "operator" else "Notice"
        lines.append((clock.local(m.at), who, m.body))
    return transcript_text(lines, chat.reference)


def citizen_resume(session: Session, token: str, after_seq: int) -> tuple[Chat, list[dict[str, Any]]]:
    """Everything after the last message the person's browser has, in order (a reconnect)."""
    chat = chat_for_token(session, token)
    return chat, [public_message(m) for m in store.messages_after(session, chat.id, after_seq)]


def sweep_abandoned(session: Session) -> list[Event]:
    """Close chats nobody answered whose citizen left more than `abandon_after_s` ago.

    An emergency is never closed this way: the person was told to call 999 and may be doing so, or may
    be unable to. It stays at the head of the queue and the supervisors get an alert, once per chat.
    """
    limit = clock.now() - timedelta(seconds=get_chat_settings().abandon_after_s)
    events: list[Event] = []
    for chat in store.stale_waiting(session, limit):
        if chat.emergency:
            continue
        events += close(session, chat, "abandoned", "system:chat", "The chat was closed because you left.")
    for chat in store.unanswered_emergencies(session, limit):
        events += _escalate_unanswered(session, chat)
    return events


UNANSWERED_ALERT = "chat_unanswered"


def _escalate_unanswered(session: Session, chat: Chat) -> list[Event]:
    """An emergency chat still unanswered after `abandon_after_s`: a supervisor alert (once), audited."""
    if store.has_alert(session, chat.id, UNANSWERED_ALERT):
        return []
    now = clock.now()
    left = chat.citizen_left_at is not None
    reasons = [f"emergency chat unanswered for {int((now - (chat.emergency_at or chat.started_at)).total_seconds())} s"
               + ("; the person has disconnected" if left else "")]
    alert = ChatAlert(kind=UNANSWERED_ALERT, chat_id=chat.id, raised_at=now, reasons=reasons)
    session.add(alert)
    session.flush()
    audit.record(session, "system:chat", "chat.escalated", "chat", chat.id,
                 after={"alert_id": alert.id, "status": chat.status, "citizen_connected": not left,
                        "emergency_at": clock.iso(chat.emergency_at)})
    return [Event("alerts", {"type": "alert", "alert": alert_json(alert, chat)})]


def queue_position(session: Session, chat: Chat) -> int | None:
    """Where a waiting chat stands in the queue (1 = next to be answered); None when not waiting."""
    if chat.status != "waiting":
        return None
    return store.queue_position(session, chat)
