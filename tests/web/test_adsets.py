"""Ad sets: campaign, billing, optimization, budgets that follow the campaign, targeting."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from ads_world import TARGETING, Advertiser, error_of, make_advertiser

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


async def test_an_ad_set_is_created_under_its_campaign(adv: Advertiser) -> None:
    campaign_id = await adv.campaign(status="PAUSED")
    adset_id = await adv.adset(campaign_id, bid_amount=150)
    body = (
        await adv.get(
            f"{adset_id}/",
            fields="campaign_id,billing_event,optimization_goal,daily_budget,targeting,status,effective_status,bid_amount",
        )
    ).json()
    assert body == {
        "id": adset_id,
        "campaign_id": campaign_id,
        "billing_event": "IMPRESSIONS",
        "optimization_goal": "LINK_CLICKS",
        "daily_budget": "1000",
        "targeting": TARGETING,
        "status": "ACTIVE",
        "effective_status": "CAMPAIGN_PAUSED",
        "bid_amount": 150,
    }
    listed = (await adv.get(f"{campaign_id}/adsets", fields="name")).json()["data"]
    assert [a["id"] for a in listed] == [adset_id]


@pytest.mark.parametrize(
    ("change", "blamed", "text"),
    [
        ({"name": None}, ["name"], "is required"),
        ({"campaign_id": None}, ["campaign_id"], "is required"),
        ({"campaign_id": "123"}, ["campaign_id"], "must be a campaign of ad account"),
        ({"campaign_id": "act_1"}, ["campaign_id"], "valid ID"),
        ({"billing_event": None}, ["billing_event"], "is required"),
        ({"billing_event": "VIEWS"}, ["billing_event"], "must be one of"),
        ({"optimization_goal": "HAPPINESS"}, ["optimization_goal"], "must be one of"),
        ({"daily_budget": None}, ["daily_budget"], "needs a daily_budget or a lifetime_budget"),
        ({"daily_budget": "abc"}, ["daily_budget"], "integer"),
        ({"daily_budget": 50}, ["daily_budget"], "at least 100"),
        ({"daily_budget": None, "lifetime_budget": 10000}, ["end_time"], "is required"),
        ({"end_time": "2020-01-01T00:00:00+0000"}, ["end_time"], "after start_time"),
        ({"end_time": "next tuesday"}, ["end_time"], "ISO 8601"),
        ({"targeting": None}, ["targeting"], "is required"),
        ({"targeting": "[1]"}, ["targeting"], "JSON object"),
        ({"targeting": {"age_min": 30}}, ["targeting", "geo_locations"], "geo_locations"),
        (
            {"targeting": {"geo_locations": {"countries": ["usa"]}}},
            ["targeting", "geo_locations", "countries"],
            "two-letter",
        ),
        ({"targeting": {**TARGETING, "age_min": 12}}, ["targeting", "age_min"], "from 13 to 65"),
        (
            {"targeting": {**TARGETING, "age_min": 50, "age_max": 30}},
            ["targeting", "age_max"],
            "below age_min",
        ),
        ({"targeting": {**TARGETING, "genders": [3]}}, ["targeting", "genders"], "genders"),
        ({"status": "ARCHIVED"}, ["status"], "{ACTIVE, PAUSED}"),
    ],
)
async def test_each_bad_value_gets_a_code_100_naming_the_field(
    adv: Advertiser, change: dict[str, Any], blamed: list[str], text: str
) -> None:
    campaign_id = await adv.campaign()
    params: dict[str, Any] = {
        "name": "S",
        "campaign_id": campaign_id,
        "billing_event": "IMPRESSIONS",
        "optimization_goal": "REACH",
        "daily_budget": 1000,
        "targeting": TARGETING,
        "status": "ACTIVE",
    }
    params.update(change)
    response = await adv.post(f"{adv.act}/adsets", **params)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == 100
    assert text in error["message"]
    assert error["error_data"]["blame_field_specs"] == [blamed]


async def test_a_missing_location_reads_like_graphs(adv: Advertiser) -> None:
    response = await adv.post(
        f"{adv.act}/adsets",
        name="S",
        campaign_id=await adv.campaign(),
        billing_event="IMPRESSIONS",
        optimization_goal="REACH",
        daily_budget=1000,
        targeting={"age_min": 20},
        status="ACTIVE",
    )
    error = error_of(response)
    assert error["error_user_title"] == "Missing Location"
    assert error["error_user_msg"].startswith("Your audience is missing a location.")


async def test_a_campaign_budget_means_ad_sets_without_one(adv: Advertiser) -> None:
    cbo = await adv.campaign(daily_budget=5000)
    response = await adv.post(
        f"{adv.act}/adsets",
        name="S",
        campaign_id=cbo,
        billing_event="IMPRESSIONS",
        optimization_goal="REACH",
        daily_budget=1000,
        targeting=TARGETING,
        status="ACTIVE",
    )
    assert response.status_code == 400
    assert "campaign budget" in error_of(response)["message"]
    assert await adv.adset(cbo, daily_budget=None)


async def test_a_bid_capped_campaign_needs_a_bid_amount(adv: Advertiser) -> None:
    capped = await adv.campaign(bid_strategy="LOWEST_COST_WITH_BID_CAP")
    response = await adv.post(
        f"{adv.act}/adsets",
        name="S",
        campaign_id=capped,
        billing_event="IMPRESSIONS",
        optimization_goal="REACH",
        daily_budget=1000,
        targeting=TARGETING,
        status="ACTIVE",
    )
    assert error_of(response)["error_data"] == {"blame_field_specs": [["bid_amount"]]}
    assert await adv.adset(capped, bid_amount=300)


async def test_a_lifetime_budget_with_an_end_time_and_updates(adv: Advertiser) -> None:
    adset_id = await adv.adset(daily_budget=None, lifetime_budget=100000, end_time="2030-01-31T00:00:00-0800")
    assert await adv.field(adset_id, "end_time") == "2030-01-31T00:00:00-0800"
    assert (await adv.post(adset_id, lifetime_budget=120000, name="Longer")).json() == {"success": True}
    assert await adv.field(adset_id, "lifetime_budget") == "120000"
    switched = await adv.post(adset_id, daily_budget=1000)
    assert "budget type cannot be changed" in error_of(switched)["message"]
    moved = await adv.post(adset_id, campaign_id=await adv.campaign())
    assert "cannot move" in error_of(moved)["message"]


async def test_a_deleted_campaign_takes_no_new_ad_sets_and_deleting_one_pauses_nothing_else(
    adv: Advertiser,
) -> None:
    campaign_id = await adv.campaign()
    keep = await adv.adset(campaign_id)
    drop = await adv.adset(campaign_id)
    assert (await adv.delete(drop)).json() == {"success": True}
    assert await adv.field(keep, "status") == "ACTIVE"
    assert [a["id"] for a in (await adv.get(f"{adv.act}/adsets")).json()["data"]] == [keep]
    await adv.delete(campaign_id)
    response = await adv.post(
        f"{adv.act}/adsets",
        name="S",
        campaign_id=campaign_id,
        billing_event="IMPRESSIONS",
        optimization_goal="REACH",
        daily_budget=1000,
        targeting=TARGETING,
        status="ACTIVE",
    )
    assert "not deleted or archived" in error_of(response)["message"]


async def test_the_account_list_filters_by_effective_status(adv: Advertiser) -> None:
    paused_campaign = await adv.campaign(status="PAUSED")
    live_campaign = await adv.campaign(status="ACTIVE")
    under_pause = await adv.adset(paused_campaign)
    live = await adv.adset(live_campaign)
    own_pause = await adv.adset(live_campaign, status="PAUSED")

    async def ids(*statuses: str) -> set[str]:
        response = await adv.get(f"{adv.act}/adsets", effective_status=list(statuses))
        return {a["id"] for a in response.json()["data"]}

    assert await ids("CAMPAIGN_PAUSED") == {under_pause}
    assert await ids("ACTIVE") == {live}
    assert await ids("PAUSED") == {own_pause}
