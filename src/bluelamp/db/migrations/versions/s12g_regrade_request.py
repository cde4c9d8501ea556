"""response: an incident downgrade waits for a second supervisor (issue 12 item 8)

Revision ID: s12g_regrade_request
Revises: s12f_late_times
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "s12g_regrade_request"
down_revision = "s12f_late_times"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_regrade_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("from_grade", sa.Integer(), nullable=False),
        sa.Column("to_grade", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reduces", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"],
                                name=op.f("fk_incident_regrade_request_incident_id_incident"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_regrade_request")),
    )
    with op.batch_alter_table("incident_regrade_request") as batch:
        batch.create_index(batch.f("ix_incident_regrade_request_incident_id"), ["incident_id"], unique=False)
        batch.create_index("ix_incident_regrade_request_status", ["status", "incident_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incident_regrade_request") as batch:
        batch.drop_index("ix_incident_regrade_request_status")
        batch.drop_index(batch.f("ix_incident_regrade_request_incident_id"))
    op.drop_table("incident_regrade_request")
