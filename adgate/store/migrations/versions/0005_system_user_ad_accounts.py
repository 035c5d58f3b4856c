"""Business Manager: ad accounts assigned to system users

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00

Hand-written. ``adgate.store.tables`` describes the same schema, and
``tests/store/test_migrations.py`` checks the two agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.String(length=24)


def upgrade() -> None:
    op.create_table(
        "system_user_ad_accounts",
        sa.Column("ad_account_id", ID, nullable=False),
        sa.Column("system_user_id", ID, nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_account_id"],
            ["ad_accounts.id"],
            name=op.f("fk_system_user_ad_accounts_ad_account_id_ad_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["system_user_id"],
            ["system_users.id"],
            name=op.f("fk_system_user_ad_accounts_system_user_id_system_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ad_account_id", "system_user_id", name=op.f("pk_system_user_ad_accounts")),
    )
    op.create_index("ix_system_user_ad_accounts_system_user", "system_user_ad_accounts", ["system_user_id"])


def downgrade() -> None:
    op.drop_index("ix_system_user_ad_accounts_system_user", table_name="system_user_ad_accounts")
    op.drop_table("system_user_ad_accounts")
