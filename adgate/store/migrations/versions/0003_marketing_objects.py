"""marketing objects: campaigns, ad sets, creatives, ads, custom audiences, report runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 12:10:00

Hand-written. Every Marketing object belongs to one ad account (cascade) and remembers
the app that created it (set null); ``adgate.store.tables`` describes the same schema, and
``tests/store/test_migrations.py`` checks the two agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(length=24)
TS = sa.BigInteger()


def _owned(name: str, *columns: Any, parent: tuple[str, str] | None = None, by_app: bool = False) -> None:
    """One object table: id, account, optional parent, creating app, name, status, times."""
    parents = [sa.Column(parent[0], ID, nullable=False)] if parent else []
    parent_fks = (
        [
            sa.ForeignKeyConstraint(
                [parent[0]],
                [f"{parent[1]}.id"],
                name=op.f(f"fk_{name}_{parent[0]}_{parent[1]}"),
                ondelete="CASCADE",
            )
        ]
        if parent
        else []
    )
    op.create_table(
        name,
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        *parents,
        sa.Column("app_id", ID, nullable=True),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        *columns,
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ad_accounts.id"],
            name=op.f(f"fk_{name}_account_id_ad_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f(f"fk_{name}_app_id_apps"), ondelete="SET NULL"
        ),
        *parent_fks,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(f"ix_{name}_account_created", name, ["account_id", "created_at"])
    if parent:
        op.create_index(op.f(f"ix_{name}_{parent[0]}"), name, [parent[0]])
    if by_app:
        op.create_index(op.f(f"ix_{name}_app_id"), name, ["app_id"])


def upgrade() -> None:
    _owned(
        "ad_creatives",
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("link_url", sa.Text(), nullable=True),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("call_to_action_type", sa.String(length=40), nullable=True),
        sa.Column("object_story_spec", sa.Text(), nullable=True),
    )
    _owned(
        "campaigns",
        sa.Column("objective", sa.String(length=32), nullable=False),
        sa.Column("special_ad_categories", sa.Text(), nullable=False),
        sa.Column("daily_budget", sa.BigInteger(), nullable=True),
        sa.Column("lifetime_budget", sa.BigInteger(), nullable=True),
        sa.Column("spend_cap", sa.BigInteger(), nullable=True),
        sa.Column("bid_strategy", sa.String(length=40), nullable=True),
        sa.Column("buying_type", sa.String(length=16), nullable=False),
    )
    _owned(
        "custom_audiences",
        sa.Column("subtype", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("customer_file_source", sa.String(length=48), nullable=True),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("origin_audience_id", ID, nullable=True),
        sa.Column("lookalike_spec", sa.Text(), nullable=True),
    )
    _owned(
        "ad_sets",
        sa.Column("billing_event", sa.String(length=32), nullable=False),
        sa.Column("optimization_goal", sa.String(length=48), nullable=False),
        sa.Column("daily_budget", sa.BigInteger(), nullable=True),
        sa.Column("lifetime_budget", sa.BigInteger(), nullable=True),
        sa.Column("bid_amount", sa.BigInteger(), nullable=True),
        sa.Column("targeting", sa.Text(), nullable=False),
        sa.Column("start_time", TS, nullable=True),
        sa.Column("end_time", TS, nullable=True),
        parent=("campaign_id", "campaigns"),
    )
    _owned(
        "ads",
        sa.Column("campaign_id", ID, nullable=False),
        sa.Column("creative_id", ID, nullable=False),
        sa.Column("review_submitted_at", TS, nullable=False),
        sa.Column("review_verdict", sa.String(length=16), nullable=False),
        sa.Column("review_feedback", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_ads_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["creative_id"],
            ["ad_creatives.id"],
            name=op.f("fk_ads_creative_id_ad_creatives"),
            ondelete="CASCADE",
        ),
        parent=("adset_id", "ad_sets"),
        by_app=True,
    )
    op.create_index(op.f("ix_ads_campaign_id"), "ads", ["campaign_id"])
    op.create_table(
        "report_runs",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("app_id", ID, nullable=True),
        sa.Column("node_id", ID, nullable=False),
        sa.Column("node_kind", sa.String(length=32), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ad_accounts.id"],
            name=op.f("fk_report_runs_account_id_ad_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f("fk_report_runs_app_id_apps"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_runs")),
    )
    op.create_index(op.f("ix_report_runs_account_id"), "report_runs", ["account_id"])


def downgrade() -> None:
    for name in ("report_runs", "ads", "ad_sets", "custom_audiences", "campaigns", "ad_creatives"):
        op.drop_table(name)
