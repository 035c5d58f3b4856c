"""Custom audiences: per-subtype rules, list and read; they need ads_management."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from ads_world import Advertiser, error_of, make_advertiser

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


async def test_audiences_of_each_subtype_are_created_and_listed(adv: Advertiser) -> None:
    custom = await adv.created(
        f"{adv.act}/customaudiences",
        name="Buyers",
        subtype="CUSTOM",
        customer_file_source="USER_PROVIDED_ONLY",
        description="People who bought",
    )
    rule = {"inclusions": {"operator": "or", "rules": [{"event_sources": [{"id": "1", "type": "pixel"}]}]}}
    website = await adv.created(
        f"{adv.act}/customaudiences", name="Visitors", subtype="WEBSITE", rule=rule, retention_days=30
    )
    lookalike = await adv.created(
        f"{adv.act}/customaudiences",
        name="Like buyers",
        subtype="LOOKALIKE",
        origin_audience_id=custom,
        lookalike_spec={"country": "US", "ratio": 0.01},
    )
    listed = (await adv.get(f"{adv.act}/customaudiences", fields="name,subtype", summary="true")).json()
    assert {a["id"] for a in listed["data"]} == {lookalike, website, custom}  # same second: any order
    assert listed["summary"] == {"total_count": 3}
    body = (await adv.get(website, fields="rule,retention_days,approximate_count_lower_bound")).json()
    assert json.loads(body["rule"]) == rule  # Graph returns the rule as a JSON string
    assert body["retention_days"] == 30
    assert body["approximate_count_lower_bound"] >= 1000


@pytest.mark.parametrize(
    ("params", "blamed"),
    [
        ({"subtype": "CUSTOM", "customer_file_source": "USER_PROVIDED_ONLY"}, ["name"]),
        ({"name": "x"}, ["subtype"]),
        ({"name": "x", "subtype": "TELEPATHIC"}, ["subtype"]),
        ({"name": "x", "subtype": "CUSTOM"}, ["customer_file_source"]),
        ({"name": "x", "subtype": "WEBSITE"}, ["rule"]),
        ({"name": "x", "subtype": "WEBSITE", "rule": {}, "retention_days": 400}, ["retention_days"]),
        (
            {"name": "x", "subtype": "LOOKALIKE", "lookalike_spec": {"country": "US", "ratio": 0.01}},
            ["origin_audience_id"],
        ),
        (
            {
                "name": "x",
                "subtype": "LOOKALIKE",
                "origin_audience_id": "999",
                "lookalike_spec": {"country": "US", "ratio": 0.01},
            },
            ["origin_audience_id"],
        ),
    ],
)
async def test_each_missing_or_bad_value_is_named(
    adv: Advertiser, params: dict[str, Any], blamed: list[str]
) -> None:
    response = await adv.post(f"{adv.act}/customaudiences", **params)
    assert response.status_code == 400, response.text
    assert error_of(response)["error_data"]["blame_field_specs"] == [blamed]


async def test_a_lookalike_ratio_out_of_range_is_refused(adv: Advertiser) -> None:
    seed = await adv.created(
        f"{adv.act}/customaudiences", name="Seed", subtype="CUSTOM", customer_file_source="USER_PROVIDED_ONLY"
    )
    response = await adv.post(
        f"{adv.act}/customaudiences",
        name="L",
        subtype="LOOKALIKE",
        origin_audience_id=seed,
        lookalike_spec={"country": "US", "ratio": 0.5},
    )
    assert error_of(response)["error_data"] == {"blame_field_specs": [["lookalike_spec", "ratio"]]}


async def test_update_and_delete(adv: Advertiser) -> None:
    audience = await adv.created(
        f"{adv.act}/customaudiences", name="Seed", subtype="CUSTOM", customer_file_source="USER_PROVIDED_ONLY"
    )
    assert (await adv.post(audience, name="Renamed", description="d")).json() == {"success": True}
    assert await adv.field(audience, "name") == "Renamed"
    assert (await adv.delete(audience)).json() == {"success": True}
    assert (await adv.get(f"{adv.act}/customaudiences")).json() == {"data": []}


async def test_audiences_need_ads_management_even_to_read(
    services: Services, client: httpx.AsyncClient
) -> None:
    reader = await make_advertiser(services, client, scopes=("ads_read",))
    for response in (
        await reader.get(f"{reader.act}/customaudiences"),
        await reader.post(f"{reader.act}/customaudiences", name="x", subtype="CUSTOM"),
    ):
        assert response.status_code == 403
        assert error_of(response)["code"] == 294
