"""response: stage times entered late, with their reasons (issue 12 item 10)

Revision ID: s12f_late_times
Revises: 0002_response
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s12f_late_times"
down_revision = "0002_response"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("late", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("late")
