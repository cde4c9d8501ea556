"""audit: the chain is keyed (HMAC) from the next entry on; entries before stay plain SHA-256

Revision ID: s12d_audit_key
Revises: 0001_spine
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s12d_audit_key"
down_revision = "0001_spine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("keyed_from", sa.BigInteger(), nullable=True))
    op.execute("UPDATE audit_head SET keyed_from = seq + 1")


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("keyed_from")
