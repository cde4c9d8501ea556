"""location (issue 15): when a unit's last position was taken (AVL), so its age and staleness can be shown

Revision ID: l15a_unit_position_at
Revises: 0002_response
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bluelamp.db.base

revision = "l15a_unit_position_at"
down_revision = "0002_response"
branch_labels = None
depends_on = None

WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("position_at", WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("position_at")
