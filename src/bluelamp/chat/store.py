"""Tables of the chat context: chats, their messages (the transcript) and supervisor alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from bluelamp.db.base import Base, JSONType, UTCDateTime


class Chat(Base):
    """One live chat: who serves it, its risk so far, its times and its outcome."""

    __tablename__ = "chat"
    __table_args__ = (Index("ix_chat_queue", "status", "emergency", "risk_grade", "queued_at"),
                      Index("ix_chat_operator", "operator_id", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Only a digest of the citizen's token is kept: the token itself lives in their browser alone.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="new")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    operator_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    operator_username: Mapped[str | None] = mapped_column(String(120), nullable=True)
    operator_public: Mapped[str | None] = mapped_column(String(60), nullable=True)
    risk_grade: Mapped[int] = mapped_column(Integer, default=4)
    suggested_route: Mapped[str | None] = mapped_column(String(48), nullable=True)
    flags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    citizen_seen_seq: Mapped[int] = mapped_column(Integer, default=0)
    citizen_left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), nullable=True)
    transcript_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def reference(self) -> str:
        return f"WC{self.id:06d}"


class ChatMessage(Base):
    """One message of a chat, with its per-chat sequence number; stored verbatim, never edited."""

    __tablename__ = "chat_message"
    __table_args__ = (UniqueConstraint("chat_id", "seq", name="uq_chat_message_chat_seq"),
                      UniqueConstraint("chat_id", "sender", "client_id", name="uq_chat_message_client_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chat.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(12))  # citizen, operator, system
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text, emergency, notice
    author: Mapped[str | None] = mapped_column(String(120), nullable=True)  # staff actor, never shown publicly
    author_public: Mapped[str | None] = mapped_column(String(60), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    flags: Mapped[list[str]] = mapped_column(JSONType, default=list)  # flags first raised by this message


class ChatAlert(Base):
    """A supervisor alert: an emergency screened in a chat or an online report."""

    __tablename__ = "chat_alert"
    __table_args__ = (Index("ix_chat_alert_open", "acknowledged_at", "raised_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # chat_emergency, online_emergency
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chat.id", ondelete="CASCADE"), nullable=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), nullable=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    acknowledged_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def messages_after(session: Session, chat_id: int, after_seq: int, limit: int = 1000) -> list[ChatMessage]:
    return list(session.execute(
        select(ChatMessage).where(ChatMessage.chat_id == chat_id, ChatMessage.seq > after_seq)
        .order_by(ChatMessage.seq).limit(limit)
    ).scalars())


def message_by_client_id(session: Session, chat_id: int, sender: str, client_id: str) -> ChatMessage | None:
    return session.execute(
        select(ChatMessage).where(ChatMessage.chat_id == chat_id, ChatMessage.sender == sender,
                                  ChatMessage.client_id == client_id)
    ).scalar_one_or_none()


def chat_for_update(session: Session, chat_id: int) -> Chat | None:
    return session.execute(select(Chat).where(Chat.id == chat_id).with_for_update()).scalar_one_or_none()


def chat_by_token(session: Session, digest: str, for_update: bool = False) -> Chat | None:
    query = select(Chat).where(Chat.token_digest == digest)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def waiting_chats(session: Session, limit: int = 500) -> list[Chat]:
    """The queue: an emergency first, then by risk grade, then longest waiting."""
    return list(session.execute(
        select(Chat).where(Chat.status == "waiting")
        .order_by(Chat.emergency.desc(), Chat.risk_grade, Chat.queued_at, Chat.id).limit(limit)
    ).scalars())


def active_chats(session: Session, operator_id: int | None = None, limit: int = 1000) -> list[Chat]:
    query = select(Chat).where(Chat.status == "active")
    if operator_id is not None:
        query = query.where(Chat.operator_id == operator_id)
    return list(session.execute(query.order_by(Chat.risk_grade, Chat.answered_at).limit(limit)).scalars())


def count_active(session: Session, operator_id: int) -> int:
    return int(session.execute(
        select(func.count()).select_from(Chat).where(Chat.operator_id == operator_id, Chat.status == "active")
    ).scalar_one())


def active_counts(session: Session) -> dict[int, int]:
    """Active chats held per operator id."""
    rows = session.execute(select(Chat.operator_id, func.count()).where(Chat.status == "active",
                                                                       Chat.operator_id.is_not(None))
                           .group_by(Chat.operator_id)).all()
    return {int(uid): int(n) for uid, n in rows if uid is not None}


def open_alerts(session: Session, limit: int = 200) -> list[ChatAlert]:
    return list(session.execute(
        select(ChatAlert).where(ChatAlert.acknowledged_at.is_(None)).order_by(ChatAlert.raised_at).limit(limit)
    ).scalars())


def stale_waiting(session: Session, left_before: datetime) -> list[Chat]:
    """Waiting or new chats whose citizen left before `left_before` and never came back."""
    return list(session.execute(
        select(Chat).where(Chat.status.in_(("new", "waiting")), Chat.citizen_left_at.is_not(None),
                           Chat.citizen_left_at < left_before).with_for_update()
    ).scalars())


def unanswered_emergencies(session: Session, since_before: datetime) -> list[Chat]:
    """Emergency chats still waiting whose emergency was screened before `since_before`."""
    return list(session.execute(
        select(Chat).where(Chat.status.in_(("new", "waiting")), Chat.emergency.is_(True),
                           Chat.emergency_at < since_before).order_by(Chat.id)
    ).scalars())


def has_alert(session: Session, chat_id: int, kind: str) -> bool:
    return session.execute(
        select(ChatAlert.id).where(ChatAlert.chat_id == chat_id, ChatAlert.kind == kind).limit(1)
    ).first() is not None


def queue_position(session: Session, chat: Chat) -> int:
    """1 + the number of waiting chats ahead of this one in queue order (waiting_chats' order)."""
    emergency, grade, queued = bool(chat.emergency), chat.risk_grade, chat.queued_at
    ahead = [Chat.emergency.is_(True)] if not emergency else []
    same = [Chat.emergency.is_(emergency)]
    tie = or_(Chat.risk_grade < grade,
              and_(Chat.risk_grade == grade,
                   or_(Chat.queued_at < queued, and_(Chat.queued_at == queued, Chat.id < chat.id))))
    condition = or_(*ahead, and_(*same, tie)) if ahead else and_(*same, tie)
    count = session.execute(
        select(func.count()).select_from(Chat).where(Chat.status == "waiting", Chat.id != chat.id, condition)
    ).scalar_one()
    return int(count) + 1


def chat_stats_rows(session: Session, since: datetime, until: datetime) -> list[Chat]:
    return list(session.execute(
        select(Chat).where(Chat.started_at >= since, Chat.started_at < until).order_by(Chat.id)
    ).scalars())


def summary_columns(chat: Chat) -> dict[str, Any]:
    """The row the queue and the supervisor view show (staff only)."""
    return {
        "id": chat.id, "reference": chat.reference, "status": chat.status, "risk_grade": chat.risk_grade,
        "emergency": chat.emergency, "flags": list(chat.flags or []), "suggested_route": chat.suggested_route,
        "operator": chat.operator_username, "operator_id": chat.operator_id, "last_seq": chat.last_seq,
        "has_details": bool(chat.name or chat.phone or chat.email), "contact_id": chat.contact_id,
        "outcome": chat.outcome, "citizen_connected": chat.citizen_left_at is None,
    }
