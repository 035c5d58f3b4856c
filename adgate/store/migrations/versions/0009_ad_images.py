"""Ad images: an ad account's image library, with the bytes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 08:00:00

Hand-written. ``adgate.store.tables`` describes the same schema, and
``tests/store/test_migrations.py`` checks the two agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.String(length=24)
TS = sa.BigInteger()


def upgrade() -> None:
    op.create_table(
        "ad_images",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("hash", sa.String(length=32), nullable=False),
        sa.Column("app_id", ID, nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ad_accounts.id"],
            name=op.f("fk_ad_images_account_id_ad_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f("fk_ad_images_app_id_apps"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("account_id", "hash", name=op.f("pk_ad_images")),
    )
    op.create_index("ix_ad_images_account_created", "ad_images", ["account_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_ad_images_account_created", table_name="ad_images")
    op.drop_table("ad_images")
