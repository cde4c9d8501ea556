"""security, session 5: a close without attendance waits for a second supervisor (the regrade request
gains `kind` and `detail`), a contact keeps the team that recorded it (need to know by team), and failed
sign-ins and the public's chat starts and online reports are counted in the database (one throttle for
every server process). Issue 12.

Runs after partitioning (`part_a_monthly`): adding a nullable column to the partitioned `contact` is an
ALTER of the parent on PostgreSQL, and the new table points at nothing.

Revision ID: s5sec_a_shared_controls
Revises: s12g_regrade_request
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bluelamp.db.base

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = bluelamp.db.base.UTCDateTime(timezone=True)

revision = "s5sec_a_shared_controls"
down_revision = "s12g_regrade_request"
branch_labels = ("s5sec",)
depends_on = ("part_a_monthly", "s12e_teams")


def upgrade() -> None:
    op.add_column("incident_regrade_request",
                  sa.Column("kind", sa.String(length=16), nullable=False, server_default="regrade"))
    op.add_column("incident_regrade_request", sa.Column("detail", JSON, nullable=True))
    op.add_column("contact", sa.Column("team", sa.String(length=48), nullable=True))
    # Contacts recorded before teams: the recorder's team now (the best record there is).
    op.execute(sa.text(
        "UPDATE contact SET team = (SELECT u.team FROM user_account u WHERE 'user:' || u.username = contact.recorded_by) "
        "WHERE recorded_by LIKE 'user:%'"))
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("locked_until", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    op.create_index("ix_login_failure_key", "login_failure", ["kind", "key_digest", "at"])
    op.create_index(op.f("ix_login_failure_at"), "login_failure", ["at"])
    op.create_table(
        "rate_bucket",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name", "key_digest", name=op.f("pk_rate_bucket")),
    )
    op.create_index(op.f("ix_rate_bucket_at"), "rate_bucket", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_bucket_at"), table_name="rate_bucket")
    op.drop_table("rate_bucket")
    op.drop_index(op.f("ix_login_failure_at"), table_name="login_failure")
    op.drop_index("ix_login_failure_key", table_name="login_failure")
    op.drop_table("login_failure")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("team")
    with op.batch_alter_table("incident_regrade_request") as batch:
        batch.drop_column("detail")
        batch.drop_column("kind")
