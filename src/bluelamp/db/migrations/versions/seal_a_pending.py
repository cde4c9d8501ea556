"""audit: entries committed unchained (audit_pending) and chained just after the commit by the sealer

A business transaction appends its audit entries here, without taking the chain's head row; the sealer
moves them into audit_entry with their sequence number and digest, many at a time. Not partitioned and
no foreign keys (rows live here for milliseconds), so it needs nothing of part_a_monthly either way.

Revision ID: seal_a_pending
Revises: 0001_spine
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bluelamp.db.base

revision = "seal_a_pending"
down_revision = "0001_spine"
branch_labels = ("seal",)
depends_on = None

WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_pending",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_pending")),
        sa.UniqueConstraint("mac", name=op.f("uq_audit_pending_mac")),
    )


def downgrade() -> None:
    # Entries still waiting would be lost with the table: seal them first (`bluelamp jobs run`).
    op.drop_table("audit_pending")
