"""Faults on demand: rules and the failures they injected

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 17:00:00

Hand-written. ``adgate.store.tables`` describes the same schema, and
``tests/store/test_migrations.py`` checks the two agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.String(length=24)


def upgrade() -> None:
    op.create_table(
        "fault_rules",
        sa.Column("id", ID, nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("matched", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault_rules")),
    )
    op.create_table(
        "fault_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule_id", ID, nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("app_id", ID, nullable=True),
        sa.Column("ad_account", ID, nullable=True),
        sa.Column("effect", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["fault_rules.id"],
            name=op.f("fk_fault_events_rule_id_fault_rules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault_events")),
    )
    op.create_index("ix_fault_events_rule_id", "fault_events", ["rule_id"])


def downgrade() -> None:
    op.drop_index("ix_fault_events_rule_id", table_name="fault_events")
    op.drop_table("fault_events")
    op.drop_table("fault_rules")
