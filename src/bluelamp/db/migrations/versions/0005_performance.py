"""performance: areas for improvement with actions; case-file audits; daily roll-up of contact figures

Revision ID: 0005_performance
Revises: 0002_response
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bluelamp.db.base

revision = "0005_performance"
down_revision = "0002_response"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "perf_improvement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("measures", JSON, nullable=False),
        sa.Column("baseline", JSON, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("completed_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["perf_improvement.id"],
                                name=op.f("fk_perf_improvement_parent_id_perf_improvement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_perf_improvement")),
        sa.UniqueConstraint("reference", name=op.f("uq_perf_improvement_reference")),
    )
    op.create_index("ix_perf_improvement_status", "perf_improvement", ["status", "due_date"], unique=False)
    op.create_table(
        "perf_improvement_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("done_at", WHEN, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["perf_improvement.id"], ondelete="CASCADE",
                                name=op.f("fk_perf_improvement_action_item_id_perf_improvement")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_perf_improvement_action")),
    )
    op.create_index(op.f("ix_perf_improvement_action_item_id"), "perf_improvement_action", ["item_id"],
                    unique=False)
    op.create_table(
        "perf_case_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("per_group", sa.Integer(), nullable=False),
        sa.Column("groups", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_perf_case_audit")),
    )
    op.create_table(
        "perf_case_audit_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("crime_id", sa.Integer(), nullable=False),
        sa.Column("offence_group", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("check", sa.String(length=48), nullable=False),
        sa.Column("prefilled", sa.String(length=8), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("finding", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["audit_id"], ["perf_case_audit.id"], ondelete="CASCADE",
                                name=op.f("fk_perf_case_audit_item_audit_id_perf_case_audit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_perf_case_audit_item")),
        sa.UniqueConstraint("audit_id", "crime_id", "check", name="uq_perf_case_audit_item_check"),
    )
    op.create_index("ix_perf_case_audit_item_audit", "perf_case_audit_item", ["audit_id", "crime_id"],
                    unique=False)
    op.create_table(
        "perf_rollup_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("computed_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("day", "family", name=op.f("pk_perf_rollup_day")),
    )
    op.create_table(
        "perf_rollup_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("num", sa.Float(), nullable=False),
        sa.Column("den", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_perf_rollup_figure")),
    )
    op.create_index("ix_perf_rollup_figure_day", "perf_rollup_figure", ["family", "day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_perf_rollup_figure_day", table_name="perf_rollup_figure")
    op.drop_table("perf_rollup_figure")
    op.drop_table("perf_rollup_day")
    op.drop_table("perf_case_audit_item")
    op.drop_table("perf_case_audit")
    op.drop_index(op.f("ix_perf_improvement_action_item_id"), table_name="perf_improvement_action")
    op.drop_table("perf_improvement_action")
    op.drop_index("ix_perf_improvement_status", table_name="perf_improvement")
    op.drop_table("perf_improvement")
