"""casework (issue 13): enhanced rights worked out from the facts (hate flag, reasons, override)

Revision ID: i13a_enhanced_rights
Revises: 0004_crime
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "i13a_enhanced_rights"
down_revision = "0004_crime"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("crime") as batch:
        batch.add_column(sa.Column("hate", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("victim") as batch:
        batch.add_column(sa.Column("enhanced_basis", JSON, nullable=True))
        batch.add_column(sa.Column("enhanced_override", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("victim") as batch:
        batch.drop_column("enhanced_override")
        batch.drop_column("enhanced_basis")
    with op.batch_alter_table("crime") as batch:
        batch.drop_column("hate")
