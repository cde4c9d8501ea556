"""people: details as given on each contact; a person's details as a history with source and verified

Revision ID: s12b_people
Revises: 0001_spine
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bluelamp.db.base

revision = "s12b_people"
down_revision = "0001_spine"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("given", JSON, nullable=True))
    with op.batch_alter_table("contact_person") as batch:
        batch.add_column(sa.Column("phone_key", sa.String(length=40), nullable=True))
        batch.create_index("ix_contact_person_phone", ["phone_key", "received_at"])
    with op.batch_alter_table("person") as batch:
        # Seeded and earlier people were recorded by staff: their address counts as verified.
        batch.add_column(sa.Column("address_verified", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "person_detail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_person_detail_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_detail")),
    )
    op.create_index("ix_person_detail_person", "person_detail", ["person_id", "field", "id"])


def downgrade() -> None:
    op.drop_index("ix_person_detail_person", table_name="person_detail")
    op.drop_table("person_detail")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("address_verified")
    with op.batch_alter_table("contact_person") as batch:
        batch.drop_index("ix_contact_person_phone")
        batch.drop_column("phone_key")
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("given")
