"""location (issue 15): gazetteer, contact location sources, linked contacts, unit positions, street crime

Revision ID: l15b_location
Revises: l15a_unit_position_at
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bluelamp.db.base

revision = "l15b_location"
down_revision = "l15a_unit_position_at"
branch_labels = None
depends_on = None

WHEN = bluelamp.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gazetteer_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("locality", sa.String(120), nullable=True),
        sa.Column("postcode", sa.String(10), nullable=True),
        sa.Column("uprn", sa.String(12), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gazetteer_entry")),
        sa.UniqueConstraint("source", "external_id", name="uq_gazetteer_source_external_id"),
    )
    op.create_index("ix_gazetteer_uprn", "gazetteer_entry", ["uprn"])
    op.create_table(
        "contact_location",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=True),
        sa.Column("grid_ref", sa.String(32), nullable=True),
        sa.Column("uprn", sa.String(12), nullable=True),
        sa.Column("what3words", sa.String(120), nullable=True),
        sa.Column("gazetteer_ref", sa.String(120), nullable=True),
        sa.Column("match_score", sa.Float(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("precision_m", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_contact_location_contact_id_contact"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_location")),
    )
    op.create_table(
        "incident_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", WHEN, nullable=False),
        sa.Column("linked_by", sa.String(120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"], name=op.f("fk_incident_contact_incident_id_incident"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_incident_contact_contact_id_contact"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_contact")),
        sa.UniqueConstraint("contact_id", name="uq_incident_contact_contact"),
    )
    op.create_index(op.f("ix_incident_contact_incident_id"), "incident_contact", ["incident_id"])
    op.create_table(
        "unit_position",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_unit_position_unit_id_unit"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_position")),
    )
    op.create_index("ix_unit_position_unit_at", "unit_position", ["unit_id", "at"])
    op.create_table(
        "street_crime",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("row_key", sa.String(64), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("crime_type", sa.String(64), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("location", sa.String(200), nullable=True),
        sa.Column("lsoa_code", sa.String(16), nullable=True),
        sa.Column("lsoa_name", sa.String(120), nullable=True),
        sa.Column("outcome", sa.String(200), nullable=True),
        sa.Column("area", sa.String(64), nullable=True),
        sa.Column("h3_cell", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_crime")),
        sa.UniqueConstraint("row_key", name="uq_street_crime_row_key"),
    )
    op.create_index("ix_street_crime_month", "street_crime", ["month", "crime_type"])


def downgrade() -> None:
    for name in ("street_crime", "unit_position", "incident_contact", "contact_location", "gazetteer_entry"):
        op.drop_table(name)
