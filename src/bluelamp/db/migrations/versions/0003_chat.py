"""chat: live chats, their messages (transcripts) and supervisor alerts

Revision ID: 0003_chat
Revises: 0002_response
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bluelamp.db.base

revision = "0003_chat"
down_revision = "0002_response"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "chat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("queued_at", WHEN, nullable=True),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("operator_username", sa.String(length=120), nullable=True),
        sa.Column("operator_public", sa.String(length=60), nullable=True),
        sa.Column("risk_grade", sa.Integer(), nullable=False),
        sa.Column("suggested_route", sa.String(length=48), nullable=True),
        sa.Column("flags", JSON, nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("emergency_at", WHEN, nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("citizen_seen_seq", sa.Integer(), nullable=False),
        sa.Column("citizen_left_at", WHEN, nullable=True),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("transcript_requested_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_chat_contact_id_contact")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_chat_token_digest")),
    )
    with op.batch_alter_table("chat", schema=None) as batch_op:
        batch_op.create_index("ix_chat_queue", ["status", "emergency", "risk_grade", "queued_at"], unique=False)
        batch_op.create_index("ix_chat_operator", ["operator_id", "status"], unique=False)

    op.create_table(
        "chat_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=True),
        sa.Column("author_public", sa.String(length=60), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("flags", JSON, nullable=False),
        sa.ForeignKeyConstraint(["chat_id"], ["chat.id"], name=op.f("fk_chat_message_chat_id_chat"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_message")),
        sa.UniqueConstraint("chat_id", "seq", name="uq_chat_message_chat_seq"),
        sa.UniqueConstraint("chat_id", "sender", "client_id", name="uq_chat_message_client_id"),
    )

    op.create_table(
        "chat_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("raised_at", WHEN, nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("acknowledged_by", sa.String(length=120), nullable=True),
        sa.Column("acknowledged_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["chat_id"], ["chat.id"], name=op.f("fk_chat_alert_chat_id_chat"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_chat_alert_contact_id_contact")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_alert")),
    )
    with op.batch_alter_table("chat_alert", schema=None) as batch_op:
        batch_op.create_index("ix_chat_alert_open", ["acknowledged_at", "raised_at"], unique=False)


def downgrade() -> None:
    op.drop_table("chat_alert")
    op.drop_table("chat_message")
    op.drop_table("chat")
