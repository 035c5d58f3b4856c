"""System-user tokens: the assets a token may touch, and sealed tokens for ``fetch_only``

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 08:00:00

Hand-written. ``adgate.store.tables`` describes the same schema, and
``tests/store/test_migrations.py`` checks the two agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ID = sa.String(length=24)
TS = sa.BigInteger()


def upgrade() -> None:
    op.add_column("tokens", sa.Column("assets", sa.Text(), nullable=True))
    op.create_table(
        "sealed_system_user_tokens",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("system_user_id", ID, nullable=False),
        sa.Column("app_id", ID, nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("assets", sa.Text(), nullable=True),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["digest"],
            ["tokens.digest"],
            name=op.f("fk_sealed_system_user_tokens_digest_tokens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["system_user_id"],
            ["system_users.id"],
            name=op.f("fk_sealed_system_user_tokens_system_user_id_system_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["apps.id"],
            name=op.f("fk_sealed_system_user_tokens_app_id_apps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_sealed_system_user_tokens")),
    )
    op.create_index(
        "ix_sealed_system_user_tokens_user_app", "sealed_system_user_tokens", ["system_user_id", "app_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_sealed_system_user_tokens_user_app", table_name="sealed_system_user_tokens")
    op.drop_table("sealed_system_user_tokens")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("assets")
