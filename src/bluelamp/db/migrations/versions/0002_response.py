"""response: units, assignments, regrades; incident queue time, call type and source priority

Revision ID: 0002_response
Revises: 0001_spine
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bluelamp.db.base

revision = "0002_response"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queued_at", bluelamp.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("call_type", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("source_priority", sa.String(length=16), nullable=True))

    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sign", sa.String(length=32), nullable=False),
        sa.Column("unit_type", sa.String(length=24), nullable=False),
        sa.Column("skills", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("area", sa.String(length=64), nullable=True),
        sa.Column("shift_start", bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("shift_end", bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], name=op.f("fk_unit_incident_id_incident")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("call_sign", name=op.f("uq_unit_call_sign")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index("ix_unit_status", ["status"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("dispatched_at", bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("enroute_at", bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cleared_at", bluelamp.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dispatched_by", sa.String(length=120), nullable=False),
        sa.Column("eta_s", sa.Float(), nullable=True),
        sa.Column("recommended_unit_id", sa.Integer(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], name=op.f("fk_assignment_incident_id_incident"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_assignment_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index("ix_assignment_unit", ["unit_id", "cleared_at"], unique=False)

    op.create_table(
        "incident_regrade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", bluelamp.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("from_grade", sa.Integer(), nullable=False),
        sa.Column("to_grade", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"],
                                name=op.f("fk_incident_regrade_incident_id_incident"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_regrade")),
    )
    with op.batch_alter_table("incident_regrade", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_regrade_incident_id"), ["incident_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # The attendance measures read only these columns: an index-only scan on PostgreSQL.
        op.execute(
            "CREATE INDEX ix_incident_measures ON incident (agency, received_at) "
            "INCLUDE (grade, urban, arrived_at, attend_by, area)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_incident_measures")
    with op.batch_alter_table("incident_regrade", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_regrade_incident_id"))
    op.drop_table("incident_regrade")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_unit")
        batch_op.drop_index(batch_op.f("ix_assignment_incident_id"))
    op.drop_table("assignment")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_status")
    op.drop_table("unit")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_column("source_priority")
        batch_op.drop_column("call_type")
        batch_op.drop_column("queued_at")
