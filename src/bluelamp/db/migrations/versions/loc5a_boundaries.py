"""area boundaries (issue 15, session 5): imported beats, neighbourhoods, LSOAs; a contact's beat

Revision ID: loc5a_boundaries
Revises: l15b_location

No foreign key points at a partitioned table (contact, incident, tel_call_event, audit_entry).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bluelamp.db.base

revision = "loc5a_boundaries"
down_revision = "l15b_location"
branch_labels = ("loc5",)
depends_on = None

WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "area_boundary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("layer", sa.String(16), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("urban", sa.Boolean(), nullable=True),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("imported_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_boundary")),
        sa.UniqueConstraint("layer", "code", name="uq_area_boundary_layer_code"),
    )
    with op.batch_alter_table("contact_location") as batch:
        batch.add_column(sa.Column("beat", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contact_location") as batch:
        batch.drop_column("beat")
    op.drop_table("area_boundary")
