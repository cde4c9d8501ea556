"""casework (issue 13): review_due, one row per supervisory review that falls due

Revision ID: i13b_review_due
Revises: i13a_enhanced_rights
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bluelamp.db.base

revision = "i13b_review_due"
down_revision = "i13a_enhanced_rights"
branch_labels = None
depends_on = None

WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_due",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crime_id", sa.Integer(), nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("risk", sa.String(length=8), nullable=False),
        sa.Column("done_at", WHEN, nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["crime_id"], ["crime.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_due_due", "review_due", ["due_at"])
    op.create_index("ix_review_due_open", "review_due", ["crime_id", "done_at"])
    # Existing crimes: each review done answered its due time; an open crime's next review is due.
    op.execute("INSERT INTO review_due (crime_id, due_at, risk, done_at, review_id, cancelled) "
               "SELECT crime_id, was_due_at, risk, reviewed_at, id, false FROM supervisory_review "
               "WHERE was_due_at IS NOT NULL")
    op.execute("INSERT INTO review_due (crime_id, due_at, risk, done_at, review_id, cancelled) "
               "SELECT id, next_review_due_at, risk, NULL, NULL, false FROM crime "
               "WHERE next_review_due_at IS NOT NULL AND status <> 'closed'")


def downgrade() -> None:
    op.drop_index("ix_review_due_open", table_name="review_due")
    op.drop_index("ix_review_due_due", table_name="review_due")
    op.drop_table("review_due")
