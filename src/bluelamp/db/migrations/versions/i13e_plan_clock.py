"""casework (issue 13): the 72-hour plan clock (plan due, first plan saved)

Revision ID: i13e_plan_clock
Revises: i13d_recording_restart
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bluelamp.db.base

revision = "i13e_plan_clock"
down_revision = "i13d_recording_restart"
branch_labels = None
depends_on = None

WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("crime") as batch:
        batch.add_column(sa.Column("plan_due_at", WHEN, nullable=True))
        batch.add_column(sa.Column("first_plan_at", WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crime") as batch:
        batch.drop_column("first_plan_at")
        batch.drop_column("plan_due_at")
