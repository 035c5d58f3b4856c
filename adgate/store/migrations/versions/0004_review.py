"""the access review: submissions, their audit trail, approved permissions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 12:55:00

Hand-written. ``adgate.store.tables`` describes the same schema, and
``tests/store/test_migrations.py`` checks the two agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.String(length=24)
TS = sa.BigInteger()


def upgrade() -> None:
    op.create_table(
        "review_submissions",
        sa.Column("id", ID, nullable=False),
        sa.Column("app_id", ID, nullable=False),
        sa.Column("feature", sa.String(length=80), nullable=False),
        sa.Column("target_level", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_by", sa.String(length=40), nullable=False),
        sa.Column("submitted_at", TS, nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("evidence_at_submission", sa.Text(), nullable=False),
        sa.Column("evidence_at_decision", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f("fk_review_submissions_app_id_apps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_submissions")),
    )
    op.create_index("ix_review_submissions_app_feature", "review_submissions", ["app_id", "feature"])
    op.create_index("ix_review_submissions_status_due", "review_submissions", ["status", "due_at"])
    op.create_table(
        "review_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", ID, nullable=False),
        sa.Column("app_id", ID, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["review_submissions.id"],
            name=op.f("fk_review_audit_submission_id_review_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f("fk_review_audit_app_id_apps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_audit")),
    )
    op.create_index(op.f("ix_review_audit_submission_id"), "review_audit", ["submission_id"])
    op.create_index(op.f("ix_review_audit_app_id"), "review_audit", ["app_id"])
    op.create_table(
        "app_permission_approvals",
        sa.Column("app_id", ID, nullable=False),
        sa.Column("permission", sa.String(length=64), nullable=False),
        sa.Column("approved_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f("fk_app_permission_approvals_app_id_apps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("app_id", "permission", name=op.f("pk_app_permission_approvals")),
    )


def downgrade() -> None:
    op.drop_table("app_permission_approvals")
    op.drop_index(op.f("ix_review_audit_app_id"), table_name="review_audit")
    op.drop_index(op.f("ix_review_audit_submission_id"), table_name="review_audit")
    op.drop_table("review_audit")
    op.drop_index("ix_review_submissions_status_due", table_name="review_submissions")
    op.drop_index("ix_review_submissions_app_feature", table_name="review_submissions")
    op.drop_table("review_submissions")
