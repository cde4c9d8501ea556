"""casework (issue 13): a restarted recording clock keeps the original and the reason

Revision ID: i13d_recording_restart
Revises: i13b_review_due
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bluelamp.db.base

revision = "i13d_recording_restart"
down_revision = "i13b_review_due"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crime") as batch:
        batch.add_column(sa.Column("original_record_due_at", bluelamp.db.base.UTCDateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("recording_restart_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crime") as batch:
        batch.drop_column("recording_restart_reason")
        batch.drop_column("original_record_due_at")
