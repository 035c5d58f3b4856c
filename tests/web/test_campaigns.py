"""Campaigns over the wire: create, read, list, update, delete, and the errors a real user meets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from ads_world import Advertiser, error_of, make_advertiser

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


async def test_a_campaign_is_created_and_read_back_with_its_fields(adv: Advertiser) -> None:
    campaign_id = await adv.campaign(
        name="New", status="PAUSED", daily_budget=1000, is_adset_budget_sharing_enabled=False
    )
    response = await adv.get(
        f"{campaign_id}/",
        fields="name,objective,status,effective_status,special_ad_categories,daily_budget,account_id,created_time",
    )
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": campaign_id,
        "name": "New",
        "objective": "OUTCOME_TRAFFIC",
        "status": "PAUSED",
        "effective_status": "PAUSED",
        "special_ad_categories": [],
        "daily_budget": "1000",
        "account_id": adv.account_id,
        "created_time": body["created_time"],
    }
    assert body["created_time"].endswith(("-0700", "-0800"))  # the account's time zone
    assert (await adv.get(f"{campaign_id}/")).json() == {"id": campaign_id}  # only the id by default


@pytest.mark.parametrize(
    ("change", "blamed", "text"),
    [
        ({"name": None}, "name", "The parameter name is required"),
        ({"objective": None}, "objective", "The parameter objective is required"),
        ({"objective": "LINK_CLICKS"}, "objective", "OUTCOME_TRAFFIC"),
        ({"objective": "outcome_moon"}, "objective", "must be one of"),
        ({"special_ad_categories": None}, "special_ad_categories", "is required"),
        ({"special_ad_categories": ["CASINOS"]}, "special_ad_categories", "special_ad_categories[0]"),
        ({"status": None}, "status", "The parameter status is required"),
        ({"status": "RUNNING"}, "status", "{ACTIVE, PAUSED}"),
        ({"status": "DELETED"}, "status", "{ACTIVE, PAUSED}"),
        ({"daily_budget": "10.50"}, "daily_budget", "integer"),
        ({"daily_budget": 0}, "daily_budget", "at least 100"),
        ({"daily_budget": -5}, "daily_budget", "integer"),
        ({"daily_budget": 1000, "lifetime_budget": 5000}, "lifetime_budget", "Only one"),
        ({"bid_strategy": "CHEAPEST"}, "bid_strategy", "must be one of"),
        ({"is_adset_budget_sharing_enabled": "maybe"}, "is_adset_budget_sharing_enabled", "boolean"),
    ],
)
async def test_each_bad_value_gets_a_code_100_naming_the_field(
    adv: Advertiser, change: dict[str, Any], blamed: str, text: str
) -> None:
    params: dict[str, Any] = {
        "name": "X",
        "objective": "OUTCOME_SALES",
        "status": "ACTIVE",
        "special_ad_categories": [],
    }
    params.update(change)
    response = await adv.post(f"{adv.act}/campaigns", **params)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == 100
    assert text in error["message"]
    assert error["error_user_title"]
    assert error["error_user_msg"]
    assert error["error_data"] == {"blame_field_specs": [[blamed]]}


async def test_special_ad_categories_may_be_empty_or_listed(adv: Advertiser) -> None:
    for categories in ([], ["NONE"], ["HOUSING", "EMPLOYMENT"]):
        campaign_id = await adv.campaign(special_ad_categories=categories)
        assert await adv.field(campaign_id, "special_ad_categories") == categories


async def test_an_update_changes_the_fields_given_and_answers_success(adv: Advertiser) -> None:
    campaign_id = await adv.campaign(status="PAUSED")
    response = await adv.post(campaign_id, name="Renamed", status="ACTIVE", daily_budget=2500)
    assert response.json() == {"success": True}
    body = (await adv.get(campaign_id, fields="name,status,daily_budget")).json()
    assert body == {"id": campaign_id, "name": "Renamed", "status": "ACTIVE", "daily_budget": "2500"}


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"objective": "OUTCOME_SALES"}, "cannot be changed"),
        ({"status": "STOPPED"}, "must be one of"),
        ({"lifetime_budget": 9000}, "budget type cannot be changed"),
    ],
)
async def test_bad_updates_are_refused(adv: Advertiser, params: dict[str, Any], text: str) -> None:
    campaign_id = await adv.campaign(daily_budget=1000)
    response = await adv.post(campaign_id, **params)
    assert response.status_code == 400
    assert text in error_of(response)["message"]


async def test_delete_answers_success_and_the_campaign_stays_readable_as_deleted(adv: Advertiser) -> None:
    campaign_id = await adv.campaign()
    adset_id = await adv.adset(campaign_id)
    response = await adv.delete(campaign_id)
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert await adv.field(campaign_id, "status") == "DELETED"
    assert await adv.field(adset_id, "status") == "DELETED"  # the delete cascades
    assert (await adv.delete(campaign_id)).json() == {"success": True}
    refused = await adv.post(campaign_id, name="Back")
    assert refused.status_code == 400
    assert "deleted" in error_of(refused)["message"]


async def test_an_archived_campaign_can_only_be_deleted(adv: Advertiser) -> None:
    campaign_id = await adv.campaign()
    assert (await adv.post(campaign_id, status="ARCHIVED")).status_code == 200
    assert (await adv.post(campaign_id, status="ACTIVE")).status_code == 400
    assert (await adv.post(campaign_id, status="DELETED")).status_code == 200


async def test_the_effective_status_filter_and_the_default_list(adv: Advertiser) -> None:
    active = await adv.campaign(status="ACTIVE")
    paused = await adv.campaign(status="PAUSED")
    deleted = await adv.campaign(status="ACTIVE")
    await adv.delete(deleted)

    async def ids(**params: Any) -> set[str]:
        response = await adv.get(f"{adv.act}/campaigns", **params)
        assert response.status_code == 200, response.text
        return {c["id"] for c in response.json()["data"]}

    assert await ids() == {active, paused}
    assert await ids(effective_status=["ACTIVE"]) == {active}
    assert await ids(effective_status=["PAUSED", "DELETED"]) == {paused, deleted}
    bad = await adv.get(f"{adv.act}/campaigns", effective_status=["ACTIVE", "SLEEPING"])
    assert bad.status_code == 400
    assert "effective_status[1] must be one of" in error_of(bad)["message"]


async def test_the_list_pages_with_cursors_next_previous_and_total_count(adv: Advertiser) -> None:
    made = [await adv.campaign(name=f"C{n}") for n in range(7)]
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 3, "summary": "true", "fields": "name"}
    pages = []
    while True:
        response = await adv.get(f"{adv.act}/campaigns", **params)
        body = response.json()
        pages.append(body)
        seen.extend(c["id"] for c in body["data"])
        assert body["summary"] == {"total_count": 7}
        if "next" not in body["paging"]:
            break
        assert "after=" in body["paging"]["next"]
        assert body["paging"]["next"].startswith("http://adgate.test/v26.0/")
        params["after"] = body["paging"]["cursors"]["after"]
    assert [len(p["data"]) for p in pages] == [3, 3, 1]
    assert sorted(seen) == sorted(made)
    assert "previous" not in pages[0]["paging"]
    assert "previous" in pages[1]["paging"]
    back = await adv.get(
        f"{adv.act}/campaigns", limit=3, fields="name", before=pages[2]["paging"]["cursors"]["before"]
    )
    assert back.json()["data"] == pages[1]["data"]


async def test_the_next_link_works_as_it_is(adv: Advertiser) -> None:
    for n in range(3):
        await adv.campaign(name=f"C{n}")
    first = (await adv.get(f"{adv.act}/campaigns", limit=2)).json()
    follow = await adv.client.get(first["paging"]["next"])
    assert follow.status_code == 200
    assert len(follow.json()["data"]) == 1


async def test_an_unknown_ad_account_or_campaign_is_100_33(adv: Advertiser) -> None:
    for response in (
        await adv.get("act_123456789/campaigns"),
        await adv.post("act_123456789/campaigns", name="x"),
    ):
        assert response.status_code == 400
        error = error_of(response)
        assert (error["code"], error.get("error_subcode")) in ((100, 33), (273, None))


async def test_reading_needs_ads_read_or_ads_management_and_writing_ads_management(
    services: Services, client: httpx.AsyncClient
) -> None:
    reader = await make_advertiser(services, client, scopes=("ads_read",))
    listed = await reader.get(f"{reader.act}/campaigns")
    assert listed.status_code == 200
    refused = await reader.post(f"{reader.act}/campaigns", name="x")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == 294


async def test_garbage_never_gets_a_500(adv: Advertiser) -> None:
    campaign_id = await adv.campaign()
    for response in (
        await adv.post(
            f"{adv.act}/campaigns",
            name="x" * 5000,
            objective="OUTCOME_SALES",
            status="ACTIVE",
            special_ad_categories="[}",
        ),
        await adv.post(f"{adv.act}/campaigns", special_ad_categories='{"a":1}', name="x"),
        await adv.get(f"{adv.act}/campaigns", limit="many"),
        await adv.get(f"{adv.act}/campaigns", after="%%%"),
        await adv.get(f"{adv.act}/campaigns", effective_status="[1,2"),
        await adv.post(campaign_id, daily_budget="1e9"),
        await adv.get(f"{campaign_id}/nothing_here"),
    ):
        assert 400 <= response.status_code < 500, response.text
        assert error_of(response)["code"] in (100, 2500)
