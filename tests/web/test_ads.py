"""Ads and ad review on the server clock: pending, then approved or disapproved with feedback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from ads_world import GOOD_LINK, Advertiser, error_of, make_advertiser

from adgate.clock import SandboxClock
from adgate.policy.ad_review import REVIEW_SECONDS
from adgate.services.marketing.counts import active_counts, ad_review_counts
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


async def bad_creative(adv: Advertiser, message: str = "Guaranteed results or your money back") -> str:
    spec = {"page_id": adv.page_id, "link_data": {"link": GOOD_LINK, "message": message}}
    return await adv.creative(object_story_spec=spec)


async def test_a_new_ad_is_pending_review_then_active(adv: Advertiser, clock: SandboxClock) -> None:
    ad_id = await adv.ad()
    assert await adv.field(ad_id, "effective_status") == "PENDING_REVIEW"
    clock.advance(REVIEW_SECONDS - 1)
    assert await adv.field(ad_id, "effective_status") == "PENDING_REVIEW"
    clock.advance(1)
    body = (await adv.get(f"{ad_id}/", fields="status,effective_status,ad_review_feedback")).json()
    assert body == {"id": ad_id, "status": "ACTIVE", "effective_status": "ACTIVE"}


async def test_an_approved_paused_ad_shows_paused(adv: Advertiser, clock: SandboxClock) -> None:
    ad_id = await adv.ad(status="PAUSED")
    assert await adv.field(ad_id, "effective_status") == "PENDING_REVIEW"
    clock.advance(REVIEW_SECONDS)
    assert await adv.field(ad_id, "effective_status") == "PAUSED"


async def test_a_forbidden_claim_is_disapproved_with_feedback_after_review(
    adv: Advertiser, clock: SandboxClock
) -> None:
    ad_id = await adv.ad(creative_id=await bad_creative(adv))
    pending = (await adv.get(ad_id, fields="effective_status,ad_review_feedback")).json()
    assert pending == {"id": ad_id, "effective_status": "PENDING_REVIEW"}  # no verdict shown early
    clock.advance(REVIEW_SECONDS)
    body = (await adv.get(ad_id, fields="effective_status,ad_review_feedback")).json()
    assert body["effective_status"] == "DISAPPROVED"
    assert list(body["ad_review_feedback"]["global"]) == ["Unrealistic outcomes"]


@pytest.mark.parametrize(
    ("spec_change", "policy"),
    [
        ({"link": "http://shop.example/"}, "Landing page security"),
        ({"name": "SHOP NOW"}, "Grammar and profanity"),
        ({"message": "Lose weight fast with this tea"}, "Personal health"),
    ],
)
async def test_other_rules_disapprove_too(
    adv: Advertiser, clock: SandboxClock, spec_change: dict[str, str], policy: str
) -> None:
    link_data = {"link": GOOD_LINK, "message": "Hello", **spec_change}
    creative_id = await adv.creative(object_story_spec={"page_id": adv.page_id, "link_data": link_data})
    ad_id = await adv.ad(creative_id=creative_id)
    clock.advance(REVIEW_SECONDS)
    assert policy in (await adv.field(ad_id, "ad_review_feedback"))["global"]


async def test_a_new_creative_sends_the_ad_back_to_review_but_a_rename_does_not(
    adv: Advertiser, clock: SandboxClock
) -> None:
    ad_id = await adv.ad(creative_id=await bad_creative(adv))
    clock.advance(REVIEW_SECONDS)
    assert await adv.field(ad_id, "effective_status") == "DISAPPROVED"
    fixed = await adv.creative()
    assert (await adv.post(ad_id, creative={"creative_id": fixed})).json() == {"success": True}
    assert await adv.field(ad_id, "effective_status") == "PENDING_REVIEW"
    clock.advance(REVIEW_SECONDS)
    assert await adv.field(ad_id, "effective_status") == "ACTIVE"
    assert await adv.field(ad_id, "creative") == {"id": fixed}
    await adv.post(ad_id, name="Renamed", status="PAUSED")
    assert await adv.field(ad_id, "effective_status") == "PAUSED"


async def test_parents_pauses_show_after_review(adv: Advertiser, clock: SandboxClock) -> None:
    campaign_id = await adv.campaign(status="ACTIVE")
    adset_id = await adv.adset(campaign_id)
    ad_id = await adv.ad(adset_id)
    clock.advance(REVIEW_SECONDS)
    await adv.post(adset_id, status="PAUSED")
    assert await adv.field(ad_id, "effective_status") == "ADSET_PAUSED"
    await adv.post(campaign_id, status="PAUSED")
    assert await adv.field(ad_id, "effective_status") == "CAMPAIGN_PAUSED"
    await adv.delete(adset_id)
    assert await adv.field(ad_id, "effective_status") == "DELETED"


@pytest.mark.parametrize(
    ("change", "blamed", "text"),
    [
        ({"name": None}, ["name"], "is required"),
        ({"adset_id": None}, ["adset_id"], "is required"),
        ({"adset_id": "999"}, ["adset_id"], "must be an ad set of ad account"),
        ({"creative": None}, ["creative"], "is required"),
        ({"creative": {"id": "1"}}, ["creative", "creative_id"], "creative_id"),
        ({"creative": {"creative_id": "999"}}, ["creative", "creative_id"], "not an active creative"),
        ({"status": "DISAPPROVED"}, ["status"], "{ACTIVE, PAUSED}"),
    ],
)
async def test_each_bad_value_gets_a_code_100_naming_the_field(
    adv: Advertiser, change: dict[str, Any], blamed: list[str], text: str
) -> None:
    params: dict[str, Any] = {
        "name": "A",
        "adset_id": await adv.adset(),
        "creative": {"creative_id": await adv.creative()},
        "status": "ACTIVE",
    }
    params.update(change)
    response = await adv.post(f"{adv.act}/ads", **params)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert text in error["message"]
    assert error["error_data"]["blame_field_specs"] == [blamed]


async def test_a_deleted_creative_cannot_be_used(adv: Advertiser) -> None:
    creative_id = await adv.creative()
    await adv.delete(creative_id)
    response = await adv.post(
        f"{adv.act}/ads",
        name="A",
        adset_id=await adv.adset(),
        creative={"creative_id": creative_id},
        status="ACTIVE",
    )
    assert "not an active creative" in error_of(response)["message"]


async def test_ads_are_listed_per_account_campaign_and_ad_set_with_review_filters(
    adv: Advertiser, clock: SandboxClock
) -> None:
    campaign_id = await adv.campaign(status="ACTIVE")
    adset_a, adset_b = await adv.adset(campaign_id), await adv.adset(campaign_id)
    good = await adv.ad(adset_a)
    bad = await adv.ad(adset_b, creative_id=await bad_creative(adv))
    clock.advance(REVIEW_SECONDS)
    late = await adv.ad(adset_b)

    async def ids(path: str, **params: Any) -> set[str]:
        response = await adv.get(path, **params)
        assert response.status_code == 200, response.text
        return {a["id"] for a in response.json()["data"]}

    assert await ids(f"{adv.act}/ads") == {good, bad, late}
    assert await ids(f"{campaign_id}/ads") == {good, bad, late}
    assert await ids(f"{adset_b}/ads") == {bad, late}
    assert await ids(f"{adv.act}/ads", effective_status=["DISAPPROVED"]) == {bad}
    assert await ids(f"{adv.act}/ads", effective_status=["PENDING_REVIEW"]) == {late}
    assert await ids(f"{adv.act}/ads", effective_status=["ACTIVE"]) == {good}


async def test_review_counts_per_app_and_active_counts_per_account(
    adv: Advertiser, services: Services, clock: SandboxClock
) -> None:
    core = services.core
    campaign_id = await adv.campaign(status="ACTIVE")
    adset_id = await adv.adset(campaign_id)
    await adv.ad(adset_id)
    await adv.ad(adset_id, creative_id=await bad_creative(adv))
    assert await ad_review_counts(core, adv.cast.app.id) == (0, 0, 2)
    assert await active_counts(core, adv.cast.app.id, adv.account_id) == (0, 0)
    clock.advance(REVIEW_SECONDS)
    await adv.ad(adset_id, status="PAUSED")
    assert await ad_review_counts(core, adv.cast.app.id) == (1, 1, 1)
    await adv.created(
        f"{adv.act}/customaudiences",
        name="Buyers",
        subtype="CUSTOM",
        customer_file_source="USER_PROVIDED_ONLY",
    )
    assert await active_counts(core, adv.cast.app.id, adv.account_id) == (1, 1)
    async with core.db.transaction() as tx:
        assert await ad_review_counts(tx, adv.cast.app.id, now=core.now()) == (1, 1, 1)
    assert await active_counts(core.db, "any app", adv.account_id, now=core.now()) == (1, 1)
    with pytest.raises(TypeError):
        await active_counts(core.db, adv.cast.app.id, adv.account_id)
    assert await ad_review_counts(core, "1") == (0, 0, 0)
