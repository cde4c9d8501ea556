"""the victim's own page (issue 16 item 4): access codes, victims' sessions, sign-in attempts, a crime's
online setting, updates read online

Revision ID: portal_a_my_case
Revises: 0004_crime
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bluelamp.db.base

revision = "portal_a_my_case"
down_revision = "0004_crime"
branch_labels = ("portal",)
depends_on = None

WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "victim_access_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("victim_id", sa.Integer(), nullable=False),
        sa.Column("crime_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=200), nullable=False),
        sa.Column("issued_at", WHEN, nullable=False),
        sa.Column("issued_by", sa.String(length=120), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.Column("revoked_by", sa.String(length=120), nullable=True),
        sa.Column("last_used_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["victim_id"], ["victim.id"], name=op.f("fk_victim_access_code_victim_id_victim"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["crime_id"], ["crime.id"], name=op.f("fk_victim_access_code_crime_id_crime"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_access_code")),
    )
    op.create_index(op.f("ix_victim_access_code_victim_id"), "victim_access_code", ["victim_id"])
    op.create_index("ix_victim_access_code_crime", "victim_access_code", ["crime_id", "revoked_at"])
    op.create_table(
        "portal_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("victim_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["victim_id"], ["victim.id"], name=op.f("fk_portal_session_victim_id_victim"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["code_id"], ["victim_access_code.id"],
                                name=op.f("fk_portal_session_code_id_victim_access_code"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_session")),
        sa.UniqueConstraint("digest", name=op.f("uq_portal_session_digest")),
    )
    op.create_index(op.f("ix_portal_session_victim_id"), "portal_session", ["victim_id"])
    op.create_index(op.f("ix_portal_session_code_id"), "portal_session", ["code_id"])
    op.create_table(
        "portal_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("ref_digest", sa.String(length=32), nullable=False),
        sa.Column("addr_digest", sa.String(length=32), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_attempt")),
    )
    op.create_index("ix_portal_attempt_ref", "portal_attempt", ["ref_digest", "at"])
    op.create_index("ix_portal_attempt_addr", "portal_attempt", ["addr_digest", "at"])
    op.create_table(
        "crime_online",
        sa.Column("crime_id", sa.Integer(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["crime_id"], ["crime.id"], name=op.f("fk_crime_online_crime_id_crime"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("crime_id", name=op.f("pk_crime_online")),
    )
    op.create_table(
        "portal_update_read",
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("victim_id", sa.Integer(), nullable=False),
        sa.Column("first_read_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["update_id"], ["victim_update.id"],
                                name=op.f("fk_portal_update_read_update_id_victim_update"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["victim_id"], ["victim.id"], name=op.f("fk_portal_update_read_victim_id_victim"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_portal_update_read")),
    )
    op.create_index(op.f("ix_portal_update_read_victim_id"), "portal_update_read", ["victim_id"])
    op.create_index(op.f("ix_portal_update_read_first_read_at"), "portal_update_read", ["first_read_at"])


def downgrade() -> None:
    for table in ("portal_update_read", "crime_online", "portal_attempt", "portal_session", "victim_access_code"):
        op.drop_table(table)
