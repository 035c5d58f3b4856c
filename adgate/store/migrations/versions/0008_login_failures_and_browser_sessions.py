"""Security: the shared login throttle and server-side browser sessions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:00:00

Hand-written. ``adgate.store.tables`` describes the same schema, and
``tests/store/test_migrations.py`` checks the two agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.String(length=24)
TS = sa.BigInteger()


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_key_failed_at", "login_failures", ["key", "failed_at"])
    op.create_index("ix_login_failures_failed_at", "login_failures", ["failed_at"])
    op.create_table(
        "browser_sessions",
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("person_id", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_browser_sessions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_digest", name=op.f("pk_browser_sessions")),
    )
    op.create_index(op.f("ix_browser_sessions_person_id"), "browser_sessions", ["person_id"])
    op.create_index(op.f("ix_browser_sessions_expires_at"), "browser_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_browser_sessions_expires_at"), table_name="browser_sessions")
    op.drop_index(op.f("ix_browser_sessions_person_id"), table_name="browser_sessions")
    op.drop_table("browser_sessions")
    op.drop_index("ix_login_failures_failed_at", table_name="login_failures")
    op.drop_index("ix_login_failures_key_failed_at", table_name="login_failures")
    op.drop_table("login_failures")
