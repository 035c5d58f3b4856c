"""Campaigns: ``/act_<n>/campaigns`` (list, create) and ``/{campaign_id}`` (read, update, delete).

Fields and rules (docs/graph-facts.md §12.2, "create_campaign"; Marketing API campaign reference):

- create needs ``name``, ``objective`` (an ``OUTCOME_*`` objective: the legacy objectives such as
  ``LINK_CLICKS`` are refused, as Graph refuses them for new campaigns), ``special_ad_categories``
  (a JSON array, ``[]`` allowed) and ``status`` (ACTIVE or PAUSED);
- a campaign budget (``daily_budget`` **or** ``lifetime_budget``, integers in minor units, > 0) makes
  it a campaign-budget campaign: its ad sets then carry no budget of their own;
- ``bid_strategy``, ``buying_type`` (AUCTION, RESERVED), ``spend_cap`` and
  ``is_adset_budget_sharing_enabled`` are optional and checked when given.

OURS where Graph is silent: the objective cannot change after creation; an ARCHIVED campaign can
only be deleted; a DELETED one cannot change at all, and deleting it again succeeds. Deleting or
archiving a campaign does the same to its ad sets and ads (as Graph's cascade does).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from adgate import ad_objects as o
from adgate import ids
from adgate.policy.effective_status import CONFIGURED, EFFECTIVE, ON_CREATE, campaign_status
from adgate.protocol.params import Params
from adgate.protocol.times import graph_time
from adgate.services.context import Core
from adgate.services.marketing.accounts import position, require_account
from adgate.services.marketing.lifecycle import changeable, fetch, mark_deleted
from adgate.services.marketing.listing import Listing, Row, list_query, listing, money_text, pick
from adgate.services.marketing.validation import (
    budgets,
    each_one_of,
    field_error,
    flag,
    missing,
    money,
    one_of,
    string_list,
    text,
    unchangeable,
)
from adgate.store.interfaces import Repos

OBJECTIVES = (
    "OUTCOME_APP_PROMOTION",
    "OUTCOME_AWARENESS",
    "OUTCOME_ENGAGEMENT",
    "OUTCOME_LEADS",
    "OUTCOME_SALES",
    "OUTCOME_TRAFFIC",
)
SPECIAL_AD_CATEGORIES = (
    "NONE",
    "EMPLOYMENT",
    "HOUSING",
    "CREDIT",
    "ISSUES_ELECTIONS_POLITICS",
    "ONLINE_GAMBLING_AND_GAMING",
    "FINANCIAL_PRODUCTS_SERVICES",
)
BID_STRATEGIES = (
    "LOWEST_COST_WITHOUT_CAP",
    "LOWEST_COST_WITH_BID_CAP",
    "COST_CAP",
    "LOWEST_COST_WITH_MIN_ROAS",
)
BUYING_TYPES = ("AUCTION", "RESERVED")


def campaign_json(campaign: o.Campaign, timezone_name: str | None) -> dict[str, Any]:
    budget = campaign.daily_budget or campaign.lifetime_budget
    return {
        "id": campaign.id,
        "account_id": campaign.account_id,
        "name": campaign.name,
        "objective": campaign.objective,
        "status": campaign.status,
        "configured_status": campaign.status,
        "effective_status": campaign_status(campaign.status),
        "special_ad_categories": list(campaign.special_ad_categories),
        "daily_budget": money_text(campaign.daily_budget),
        "lifetime_budget": money_text(campaign.lifetime_budget),
        "budget_remaining": money_text(budget) if budget is not None else "0",
        "spend_cap": money_text(campaign.spend_cap),
        "bid_strategy": campaign.bid_strategy,
        "buying_type": campaign.buying_type,
        "created_time": graph_time(campaign.created_at, timezone_name),
        "updated_time": graph_time(campaign.updated_at, timezone_name),
        "start_time": graph_time(campaign.created_at, timezone_name),
    }


def _categories(params: Params, *, required: bool) -> tuple[str, ...] | None:
    values = string_list(params, "special_ad_categories", required=required)
    if values is None:
        return None
    return each_one_of("special_ad_categories", values, SPECIAL_AD_CATEGORIES)


def _required_categories(params: Params) -> tuple[str, ...]:
    values = string_list(params, "special_ad_categories", required=True)
    return each_one_of("special_ad_categories", values, SPECIAL_AD_CATEGORIES)


def _objective(params: Params) -> str:
    value = params.get_str("objective")
    if value is None:
        raise missing("objective")
    if value.strip().upper() not in OBJECTIVES:
        raise field_error(
            "objective",
            f"Param objective must be one of {{{', '.join(OBJECTIVES)}}}",
            title="Invalid Objective",
            user_msg=(
                f"The objective {value.strip()[:40]!r} can't be used for new campaigns. "
                "Choose an outcome-based objective: " + ", ".join(OBJECTIVES) + "."
            ),
        )
    return value.strip().upper()


class Campaigns:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def create(self, app_id: str, account_id: str, params: Params) -> dict[str, str]:
        name = text(params, "name", required=True)
        objective = _objective(params)
        categories = _required_categories(params)
        status = one_of(params, "status", ON_CREATE, required=True)
        daily, lifetime = budgets(params)
        bid_strategy = one_of(params, "bid_strategy", BID_STRATEGIES, required=False)
        buying_type = one_of(params, "buying_type", BUYING_TYPES, required=False) or "AUCTION"
        spend_cap = money(params, "spend_cap")
        flag(params, "is_adset_budget_sharing_enabled")
        now = self.core.now()
        campaign = o.Campaign(
            id=ids.new_id(),
            account_id=account_id,
            app_id=app_id,
            name=name,
            objective=objective,
            status=status,
            special_ad_categories=categories,
            daily_budget=daily,
            lifetime_budget=lifetime,
            spend_cap=spend_cap,
            bid_strategy=bid_strategy,
            buying_type=buying_type,
            created_at=now,
            updated_at=now,
        )
        async with self.core.db.transaction() as tx:
            await require_account(tx, account_id, write=True)
            await tx.campaigns.add(campaign)
            await tx.nodes.add(campaign.id, "campaign")
        return {"id": campaign.id}

    async def read(self, campaign_id: str, fields: list[str] | None) -> dict[str, Any]:
        async with self.core.db.transaction() as tx:
            campaign = await fetch(tx.campaigns, campaign_id, "GET")
            account = await require_account(tx, campaign.account_id)
        return pick(campaign_json(campaign, account.timezone_name), fields)

    async def list(self, account_id: str, params: Params) -> Listing:
        query = list_query(params, EFFECTIVE)
        async with self.core.db.transaction() as tx:
            account = await require_account(tx, account_id)
            campaigns = await tx.campaigns.for_account(account_id)
        rows: list[Row] = []
        for campaign in campaigns:
            rendered = campaign_json(campaign, account.timezone_name)
            rows.append((position(campaign), rendered["effective_status"], rendered))
        return listing(rows, query)

    async def update(self, campaign_id: str, params: Params) -> dict[str, Any]:
        status = one_of(params, "status", CONFIGURED, required=False)
        name = text(params, "name", required=False)
        unchangeable(
            params,
            "objective",
            "The objective of a campaign cannot be changed",
            title="Objective Cannot Change",
        )
        categories = _categories(params, required=False)
        bid_strategy = one_of(params, "bid_strategy", BID_STRATEGIES, required=False)
        spend_cap = money(params, "spend_cap")
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            campaign = await changeable(tx.campaigns, campaign_id, status)
            daily, lifetime = budgets(params, (campaign.daily_budget, campaign.lifetime_budget))
            if (daily, lifetime) != (campaign.daily_budget, campaign.lifetime_budget) and any(
                s.daily_budget or s.lifetime_budget for s in await tx.ad_sets.for_campaign(campaign_id)
            ):
                raise field_error(
                    "daily_budget" if daily is not None else "lifetime_budget",
                    "A campaign budget cannot be set while the campaign's ad sets have their own budgets",
                    title="Ad Sets Have Budgets",
                )
            updated = replace(
                campaign,
                name=name or campaign.name,
                status=status or campaign.status,
                special_ad_categories=campaign.special_ad_categories if categories is None else categories,
                daily_budget=daily,
                lifetime_budget=lifetime,
                bid_strategy=bid_strategy or campaign.bid_strategy,
                spend_cap=campaign.spend_cap if spend_cap is None else spend_cap,
                updated_at=now,
            )
            await tx.campaigns.update(updated, campaign)
            await self._cascade(tx, updated, now)
        return {"success": True}

    async def delete(self, campaign_id: str) -> dict[str, Any]:
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            deleted = await mark_deleted(tx.campaigns, campaign_id, now)
            if deleted is not None:
                await self._cascade(tx, deleted, now)
        return {"success": True}

    @staticmethod
    async def _cascade(tx: Repos, campaign: o.Campaign, now: int) -> None:
        if campaign.status in ("DELETED", "ARCHIVED"):
            await tx.ad_sets.cascade_status(campaign.id, campaign.status, now)
            await tx.ads.cascade_status(campaign.status, now, campaign_id=campaign.id)
