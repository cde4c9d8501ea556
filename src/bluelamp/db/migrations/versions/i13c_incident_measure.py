"""casework (issue 13): the grade and attend-by the attendance measure uses after a regrade

Revision ID: i13c_incident_measure
Revises: 0002_response
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bluelamp.db.base

revision = "i13c_incident_measure"
down_revision = "0002_response"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.add_column(sa.Column("measure_grade", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("measure_attend_by", bluelamp.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.drop_column("measure_attend_by")
        batch.drop_column("measure_grade")
