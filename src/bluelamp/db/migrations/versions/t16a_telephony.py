"""telephony (issue 16): call events, derived calls, imported hourly reports, the 101 call-back queue;
an alert may concern a call rather than a crime (crime_alert.crime_id nullable)

Revision ID: t16a_telephony
Revises: 0004_crime
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bluelamp.db.base

revision = "t16a_telephony"
down_revision = "0004_crime"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tel_call_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=24), nullable=False),
        sa.Column("line", sa.String(length=8), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("handler", sa.String(length=120), nullable=True),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("received_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tel_call_event")),
        sa.UniqueConstraint("call_id", "event", "at", name="uq_tel_call_event_key"),
    )
    op.create_table(
        "tel_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("line", sa.String(length=8), nullable=False),
        sa.Column("offered_at", WHEN, nullable=True),
        sa.Column("hour", WHEN, nullable=True),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.Column("answered_by", sa.String(length=120), nullable=True),
        sa.Column("abandoned_at", WHEN, nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("transferred_at", WHEN, nullable=True),
        sa.Column("callback_requested_at", WHEN, nullable=True),
        sa.Column("answer_s", sa.Float(), nullable=True),
        sa.Column("wait_s", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("unoffered", sa.Boolean(), nullable=False),
        sa.Column("conflicts", JSON, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=True),
        sa.Column("number_key", sa.String(length=32), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tel_call")),
        sa.UniqueConstraint("call_id", name=op.f("uq_tel_call_call_id")),
    )
    op.create_index("ix_tel_call_hour", "tel_call", ["line", "hour"], unique=False)
    op.create_index("ix_tel_call_answered_by", "tel_call", ["answered_by", "answered_at"], unique=False)
    op.create_index("ix_tel_call_number", "tel_call", ["number_key", "offered_at"], unique=False)
    op.create_index(op.f("ix_tel_call_contact_id"), "tel_call", ["contact_id"], unique=False)
    op.create_table(
        "tel_call_hour",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=8), nullable=False),
        sa.Column("hour", WHEN, nullable=False),
        sa.Column("offered", sa.Integer(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.Column("bands", JSON, nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("imported_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tel_call_hour")),
        sa.UniqueConstraint("line", "hour", name="uq_tel_call_hour_line"),
    )
    op.create_table(
        "tel_callback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("line", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("number_key", sa.String(length=32), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("deadline", WHEN, nullable=False),
        sa.Column("next_try_at", WHEN, nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("findings", JSON, nullable=False),
        sa.Column("policy_version", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("taken_by", sa.String(length=120), nullable=True),
        sa.Column("taken_at", WHEN, nullable=True),
        sa.Column("attempts", JSON, nullable=False),
        sa.Column("first_attempt_at", WHEN, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", WHEN, nullable=True),
        sa.Column("closed_by", sa.String(length=120), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tel_callback")),
        sa.UniqueConstraint("call_id", name=op.f("uq_tel_callback_call_id")),
    )
    op.create_index("ix_tel_callback_open", "tel_callback", ["status", "deadline"], unique=False,
                    postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
    with op.batch_alter_table("crime_alert") as batch:
        batch.alter_column("crime_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM crime_alert WHERE crime_id IS NULL")
    with op.batch_alter_table("crime_alert") as batch:
        batch.alter_column("crime_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_tel_callback_open", table_name="tel_callback")
    op.drop_table("tel_callback")
    op.drop_table("tel_call_hour")
    op.drop_index(op.f("ix_tel_call_contact_id"), table_name="tel_call")
    op.drop_index("ix_tel_call_number", table_name="tel_call")
    op.drop_index("ix_tel_call_answered_by", table_name="tel_call")
    op.drop_index("ix_tel_call_hour", table_name="tel_call")
    op.drop_table("tel_call")
    op.drop_table("tel_call_event")
