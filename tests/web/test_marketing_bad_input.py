"""Bad input of any kind on the Marketing endpoints: a 4xx Graph envelope, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from ads_world import TARGETING, Advertiser, error_of, make_advertiser

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio
HUGE = "9" * 5000


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


async def test_extreme_values_are_refused_cleanly(adv: Advertiser) -> None:
    campaign: dict[str, Any] = {
        "name": "C",
        "objective": "OUTCOME_SALES",
        "status": "ACTIVE",
        "special_ad_categories": [],
    }
    adset: dict[str, Any] = {
        "name": "S",
        "campaign_id": await adv.campaign(),
        "billing_event": "IMPRESSIONS",
        "optimization_goal": "REACH",
        "daily_budget": 1000,
        "targeting": TARGETING,
        "status": "ACTIVE",
    }
    attempts = [  # coroutines, awaited one by one below
        adv.post(f"{adv.act}/campaigns", **{**campaign, "daily_budget": HUGE}),
        adv.post(f"{adv.act}/campaigns", **{**campaign, "spend_cap": "99999999999999"}),
        adv.post(f"{adv.act}/campaigns", **{**campaign, "name": "bad\x00name"}),
        adv.post(f"{adv.act}/campaigns", **{**campaign, "special_ad_categories": "[1, null]"}),
        adv.post(f"{adv.act}/adsets", **{**adset, "end_time": HUGE}),
        adv.post(f"{adv.act}/adsets", **{**adset, "end_time": "99999999999999"}),
        adv.post(f"{adv.act}/adsets", **{**adset, "targeting": {"geo_locations": "US"}}),
        adv.post(f"{adv.act}/adsets", **{**adset, "targeting": {**TARGETING, "age_min": "20"}}),
        adv.post(f"{adv.act}/adsets", **{**adset, "targeting": {**TARGETING, "genders": "1"}}),
        adv.post(f"{adv.act}/adsets", **{**adset, "campaign_id": HUGE}),
        adv.post(f"{adv.act}/ads", name="A", adset_id="1", creative={"creative_id": None}, status="ACTIVE"),
        adv.post(f"{adv.act}/ads", name="A", adset_id="1", creative="[]", status="ACTIVE"),
        adv.post(f"{adv.act}/adcreatives", object_story_spec={"page_id": {"x": 1}, "link_data": {}}),
        adv.post(f"{adv.act}/customaudiences", name="x", subtype="WEBSITE", rule={}, retention_days=HUGE),
        adv.post(
            f"{adv.act}/customaudiences",
            name="x",
            subtype="LOOKALIKE",
            origin_audience_id="1",
            lookalike_spec='{"country":"US","ratio":NaN}',
        ),
        adv.get(f"{adv.act}/campaigns", limit=HUGE),
        adv.get(f"{adv.act}/campaigns", after="OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk6eA"),
        adv.get(f"{adv.act}/insights", time_increment=HUGE),
        adv.get(f"{adv.act}/insights", time_range='{"since":"0001-01-01","until":"9999-12-31"}'),
        adv.get(f"{adv.act}/insights", time_range="[1]"),
        adv.get(f"{adv.act}/insights", breakdowns='{"age":1}'),
    ]
    for attempt in attempts:
        response = await attempt
        assert 400 <= response.status_code < 500, response.text
        assert error_of(response)["code"] in (100, 3018)


async def test_a_batch_reference_past_the_end_is_an_item_error(adv: Advertiser) -> None:
    response = await adv.post("", batch=[{"method": "GET", "relative_url": "{result=x:$.data.99999999999}"}])
    assert response.status_code == 200
    assert response.json()[0]["code"] == 400
