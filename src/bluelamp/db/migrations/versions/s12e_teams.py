"""teams: a user's team and the team a crime belongs to (separation of duties, issue 12 item 8)

Revision ID: s12e_teams
Revises: 0004_crime
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s12e_teams"
down_revision = "0004_crime"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("team", sa.String(48), nullable=True))
    op.create_index("ix_user_account_team", "user_account", ["team"])
    with op.batch_alter_table("crime") as batch:
        batch.add_column(sa.Column("team", sa.String(48), nullable=True))
    op.create_index("ix_crime_team", "crime", ["team", "status"])


def downgrade() -> None:
    op.drop_index("ix_crime_team", table_name="crime")
    with op.batch_alter_table("crime") as batch:
        batch.drop_column("team")
    op.drop_index("ix_user_account_team", table_name="user_account")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("team")
