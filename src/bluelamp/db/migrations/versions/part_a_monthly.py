"""part: contacts, incidents, call events and the audit trail partitioned by month (PostgreSQL only)

Works on a populated database: each table is rebuilt as a partitioned one, its rows moved, its ids and
sequence, indexes and constraints kept (primary and unique keys widened by the partition key), and the
foreign keys that point at these tables dropped (PostgreSQL cannot keep them; see db/partitions.py and
docs/scaling.md). The downgrade restores every table and key exactly. SQLite: nothing to do.

Revision ID: part_a_monthly
Revises: t16a_telephony (and depends on every other branch, so it runs once all tables exist)
"""
from __future__ import annotations

from alembic import op

from bluelamp import clock
from bluelamp.db import partitions

revision = "part_a_monthly"
down_revision = "t16a_telephony"
branch_labels = ("part",)
depends_on = ("0003_chat", "0005_performance", "i13c_incident_measure", "i13e_plan_clock", "l15b_location",
              "s12a_accounts", "s12b_people", "s12c_access_log", "s12d_audit_key", "s12e_teams",
              # later branches: partitioning runs after every table that points at contact or incident
              # (s12g follows s12f_late_times and stands for it: naming both confuses Alembic)
              "s12g_regrade_request", "portal_a_my_case")


def upgrade() -> None:
    partitions.partition_all(op.get_bind(), clock.now().date())


def downgrade() -> None:
    partitions.unpartition_all(op.get_bind())
