"""Ad sets: ``/act_<n>/adsets``, ``/{campaign_id}/adsets`` and ``/{adset_id}``.

Create needs ``name``, ``campaign_id`` (a campaign of the same ad account, not deleted or
archived), ``billing_event``, ``optimization_goal``, ``targeting`` (a JSON object with
``geo_locations``) and ``status``. Budgets follow the campaign: a campaign with its own budget
takes ad sets without one; otherwise each ad set needs ``daily_budget`` or ``lifetime_budget``
(integers in minor units), and a lifetime budget needs an ``end_time``. A campaign bidding with
``LOWEST_COST_WITH_BID_CAP`` or ``COST_CAP`` needs a ``bid_amount`` on each ad set.

Targeting rules (OURS, the common subset of Graph's): ``geo_locations`` with at least one of
``countries`` (ISO 3166 two-letter codes), ``regions``, ``cities``, ``zips`` or
``custom_locations``; ``age_min`` and ``age_max`` between 13 and 65, min ≤ max; ``genders`` a
list of 1 (male) and 2 (female). Other keys are kept as given.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from adgate import ad_objects as o
from adgate import ids
from adgate.policy.effective_status import CONFIGURED, EFFECTIVE, GONE, ON_CREATE, adset_status
from adgate.protocol.params import Params
from adgate.protocol.times import graph_time
from adgate.services.context import Core
from adgate.services.marketing.accounts import position, require_account, unsupported
from adgate.services.marketing.lifecycle import changeable, fetch, mark_deleted
from adgate.services.marketing.listing import Listing, Row, list_query, listing, money_text, pick
from adgate.services.marketing.validation import (
    budgets,
    field_error,
    json_object,
    missing,
    money,
    object_id,
    one_of,
    text,
    time_value,
    unchangeable,
)

BILLING_EVENTS = (
    "APP_INSTALLS",
    "CLICKS",
    "IMPRESSIONS",
    "LINK_CLICKS",
    "LISTING_INTERACTION",
    "NONE",
    "OFFER_CLAIMS",
    "PAGE_LIKES",
    "POST_ENGAGEMENT",
    "PURCHASE",
    "THRUPLAY",
)
OPTIMIZATION_GOALS = (
    "NONE",
    "APP_INSTALLS",
    "AD_RECALL_LIFT",
    "ENGAGED_USERS",
    "EVENT_RESPONSES",
    "IMPRESSIONS",
    "LEAD_GENERATION",
    "QUALITY_LEAD",
    "LINK_CLICKS",
    "OFFSITE_CONVERSIONS",
    "PAGE_LIKES",
    "POST_ENGAGEMENT",
    "QUALITY_CALL",
    "REACH",
    "LANDING_PAGE_VIEWS",
    "VISIT_INSTAGRAM_PROFILE",
    "VALUE",
    "THRUPLAY",
    "DERIVED_EVENTS",
    "CONVERSATIONS",
    "IN_APP_VALUE",
    "MESSAGING_PURCHASE_CONVERSION",
    "SUBSCRIBERS",
    "REMINDERS_SET",
    "PROFILE_VISIT",
)
BID_REQUIRED = frozenset({"LOWEST_COST_WITH_BID_CAP", "COST_CAP"})
LOCATION_KEYS = ("countries", "regions", "cities", "zips", "custom_locations")
AGE_RANGE = (13, 65)


def adset_json(adset: o.AdSet, campaign_status: str, timezone_name: str | None) -> dict[str, Any]:
    budget = adset.daily_budget or adset.lifetime_budget
    return {
        "id": adset.id,
        "account_id": adset.account_id,
        "campaign_id": adset.campaign_id,
        "campaign": {"id": adset.campaign_id},
        "name": adset.name,
        "status": adset.status,
        "configured_status": adset.status,
        "effective_status": adset_status(adset.status, campaign_status),
        "billing_event": adset.billing_event,
        "optimization_goal": adset.optimization_goal,
        "daily_budget": money_text(adset.daily_budget),
        "lifetime_budget": money_text(adset.lifetime_budget),
        "budget_remaining": money_text(budget) if budget is not None else "0",
        "bid_amount": adset.bid_amount,
        "targeting": dict(adset.targeting),
        "start_time": graph_time(adset.start_time or adset.created_at, timezone_name),
        "end_time": graph_time(adset.end_time, timezone_name) if adset.end_time else None,
        "created_time": graph_time(adset.created_at, timezone_name),
        "updated_time": graph_time(adset.updated_at, timezone_name),
    }


def check_targeting(targeting: dict[str, Any]) -> dict[str, Any]:
    geo = targeting.get("geo_locations")
    if not isinstance(geo, dict) or not any(geo.get(key) for key in LOCATION_KEYS):
        raise field_error(
            "targeting.geo_locations",
            "Targeting spec must include geo_locations with countries, regions, cities, zips or "
            "custom_locations",
            title="Missing Location",
            user_msg="Your audience is missing a location. You can add a location or a Custom Audience.",
        )
    countries = geo.get("countries", [])
    if not isinstance(countries, list) or not all(
        isinstance(c, str) and len(c) == 2 and c.isalpha() and c.isupper() for c in countries
    ):
        raise field_error(
            "targeting.geo_locations.countries",
            'geo_locations.countries must be a list of two-letter country codes such as "US"',
            title="Invalid Country",
        )
    ages = {}
    for key in ("age_min", "age_max"):
        value = targeting.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not AGE_RANGE[0] <= value <= AGE_RANGE[1]:
            raise field_error(
                f"targeting.{key}",
                f"{key} must be a whole number from {AGE_RANGE[0]} to {AGE_RANGE[1]}",
                title="Invalid Age",
            )
        ages[key] = value
    if ages.get("age_min", AGE_RANGE[0]) > ages.get("age_max", AGE_RANGE[1]):
        raise field_error("targeting.age_max", "age_max must not be below age_min", title="Invalid Age Range")
    genders = targeting.get("genders", [1, 2])
    if not isinstance(genders, list) or not genders or any(g not in (1, 2) for g in genders):
        raise field_error(
            "targeting.genders", "genders must be a list of 1 (male) and 2 (female)", title="Invalid Gender"
        )
    return targeting


def _check_schedule(start: int | None, end: int | None, now: int) -> None:
    if end is not None and end <= (start or now):
        raise field_error(
            "end_time", "end_time must be after start_time and in the future", title="Invalid Schedule"
        )


class AdSets:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def create(self, app_id: str, account_id: str, params: Params) -> dict[str, str]:
        name = text(params, "name", required=True)
        campaign_id = object_id(params, "campaign_id", required=True)
        billing_event = one_of(params, "billing_event", BILLING_EVENTS, required=True)
        goal = one_of(params, "optimization_goal", OPTIMIZATION_GOALS, required=True)
        targeting = check_targeting(json_object(params, "targeting", required=True))
        status = one_of(params, "status", ON_CREATE, required=True)
        daily, lifetime = budgets(params)
        bid_amount = money(params, "bid_amount")
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            account = await require_account(tx, account_id, write=True)
            campaign = await tx.campaigns.get(campaign_id)
            if campaign is None or campaign.account_id != account_id or campaign.status in GONE:
                raise field_error(
                    "campaign_id",
                    f"Param campaign_id must be a campaign of ad account act_{account_id} that is not "
                    "deleted or archived",
                    title="Invalid Campaign",
                )
            self._check_budget(campaign, daily, lifetime, bid_amount)
            start = time_value(params, "start_time", account.timezone_name)
            end = time_value(params, "end_time", account.timezone_name)
            _check_schedule(start, end, now)
            if lifetime is not None and end is None:
                raise missing("end_time", "an end_time for a lifetime budget")
            adset = o.AdSet(
                id=ids.new_id(),
                account_id=account_id,
                campaign_id=campaign_id,
                app_id=app_id,
                name=name,
                status=status,
                billing_event=billing_event,
                optimization_goal=goal,
                daily_budget=daily,
                lifetime_budget=lifetime,
                bid_amount=bid_amount,
                targeting=targeting,
                start_time=start,
                end_time=end,
                created_at=now,
                updated_at=now,
            )
            await tx.ad_sets.add(adset)
            await tx.nodes.add(adset.id, "adset")
        return {"id": adset.id}

    @staticmethod
    def _check_budget(
        campaign: o.Campaign, daily: int | None, lifetime: int | None, bid_amount: int | None
    ) -> None:
        has_budget = daily is not None or lifetime is not None
        if campaign.daily_budget or campaign.lifetime_budget:
            if has_budget:
                raise field_error(
                    "daily_budget" if daily is not None else "lifetime_budget",
                    f"Campaign {campaign.id} has a campaign budget: its ad sets cannot have their own",
                    title="Campaign Budget In Use",
                )
        elif not has_budget:
            raise field_error(
                "daily_budget",
                "An ad set needs a daily_budget or a lifetime_budget when its campaign has no budget",
                title="Budget Required",
                user_msg="Set a daily or lifetime budget for this ad set, or a budget on its campaign.",
            )
        if campaign.bid_strategy in BID_REQUIRED and bid_amount is None:
            raise missing("bid_amount", f"a bid_amount: the campaign bids with {campaign.bid_strategy}")

    async def read(self, adset_id: str, fields: list[str] | None) -> dict[str, Any]:
        async with self.core.db.transaction() as tx:
            adset = await fetch(tx.ad_sets, adset_id, "GET")
            account = await require_account(tx, adset.account_id)
            campaign = await tx.campaigns.get(adset.campaign_id)
        campaign_status = campaign.status if campaign else "ACTIVE"
        return pick(adset_json(adset, campaign_status, account.timezone_name), fields)

    async def list(
        self, params: Params, *, account_id: str | None = None, campaign_id: str | None = None
    ) -> Listing:
        """The ad sets of an ad account, or of one campaign."""
        query = list_query(params, EFFECTIVE)
        async with self.core.db.transaction() as tx:
            if campaign_id is not None:
                campaign = await tx.campaigns.get(campaign_id)
                if campaign is None:
                    raise unsupported(campaign_id, "GET")
                account_id = campaign.account_id
            assert account_id is not None, "give account_id or campaign_id"
            account = await require_account(tx, account_id)
            statuses = {c.id: c.status for c in await tx.campaigns.for_account(account_id)}
            if campaign_id is None:
                adsets = await tx.ad_sets.for_account(account_id)
            else:
                adsets = await tx.ad_sets.for_campaign(campaign_id)
        rows: list[Row] = []
        for adset in adsets:
            rendered = adset_json(adset, statuses.get(adset.campaign_id, "ACTIVE"), account.timezone_name)
            rows.append((position(adset), rendered["effective_status"], rendered))
        return listing(rows, query)

    async def update(self, adset_id: str, params: Params) -> dict[str, Any]:
        unchangeable(
            params, "campaign_id", "An ad set cannot move to another campaign", title="Campaign Cannot Change"
        )
        status = one_of(params, "status", CONFIGURED, required=False)
        name = text(params, "name", required=False)
        billing_event = one_of(params, "billing_event", BILLING_EVENTS, required=False)
        goal = one_of(params, "optimization_goal", OPTIMIZATION_GOALS, required=False)
        targeting = json_object(params, "targeting", required=False)
        bid_amount = money(params, "bid_amount")
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            adset = await changeable(tx.ad_sets, adset_id, status)
            account = await require_account(tx, adset.account_id)
            daily, lifetime = budgets(params, (adset.daily_budget, adset.lifetime_budget))
            campaign = await tx.campaigns.get(adset.campaign_id)
            if campaign is not None and (daily, lifetime) != (adset.daily_budget, adset.lifetime_budget):
                self._check_budget(campaign, daily, lifetime, bid_amount or adset.bid_amount)
            start = time_value(params, "start_time", account.timezone_name) or adset.start_time
            end = time_value(params, "end_time", account.timezone_name) or adset.end_time
            if (start, end) != (adset.start_time, adset.end_time):
                _check_schedule(start, end, now)
            updated = replace(
                adset,
                name=name or adset.name,
                status=status or adset.status,
                billing_event=billing_event or adset.billing_event,
                optimization_goal=goal or adset.optimization_goal,
                daily_budget=daily,
                lifetime_budget=lifetime,
                bid_amount=bid_amount or adset.bid_amount,
                targeting=adset.targeting if targeting is None else check_targeting(targeting),
                start_time=start,
                end_time=end,
                updated_at=now,
            )
            await tx.ad_sets.update(updated, adset)
            if updated.status in GONE:
                await tx.ads.cascade_status(updated.status, now, adset_id=adset_id)
        return {"success": True}

    async def delete(self, adset_id: str) -> dict[str, Any]:
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            if await mark_deleted(tx.ad_sets, adset_id, now) is not None:
                await tx.ads.cascade_status("DELETED", now, adset_id=adset_id)
        return {"success": True}
