"""Ad creatives: a story spec or flat text and link, frozen after creation except name and status."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from ads_world import GOOD_LINK, Advertiser, error_of, make_advertiser

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


async def test_a_story_spec_creative_is_kept_as_given(adv: Advertiser) -> None:
    spec = {
        "page_id": adv.page_id,
        "link_data": {"link": GOOD_LINK, "message": "Hi", "call_to_action": {"type": "SHOP_NOW"}},
    }
    creative_id = await adv.creative(object_story_spec=spec)
    body = (await adv.get(creative_id, fields="name,object_story_spec,status,account_id")).json()
    assert body == {
        "id": creative_id,
        "name": "Spring creative",
        "object_story_spec": spec,
        "status": "ACTIVE",
        "account_id": adv.account_id,
    }


async def test_a_flat_creative_and_its_default_name(adv: Advertiser) -> None:
    creative_id = await adv.created(
        f"{adv.act}/adcreatives",
        body="Hello",
        link_url=GOOD_LINK,
        title="Hi",
        call_to_action_type="learn_more",
    )
    body = (await adv.get(creative_id, fields="name,body,link_url,title,call_to_action_type")).json()
    assert body["name"].startswith("Creative ")
    assert (body["body"], body["link_url"], body["call_to_action_type"]) == ("Hello", GOOD_LINK, "LEARN_MORE")


@pytest.mark.parametrize(
    ("params", "blamed"),
    [
        ({"name": "only a name"}, ["object_story_spec"]),
        ({"body": "no link"}, ["object_story_spec"]),
        ({"object_story_spec": {"link_data": {"link": GOOD_LINK}}}, ["object_story_spec", "page_id"]),
        ({"object_story_spec": {"page_id": "1"}}, ["object_story_spec"]),
        ({"object_story_spec": {"page_id": "PAGE", "link_data": {}}}, ["object_story_spec", "page_id"]),
        (
            {"object_story_spec": {"page_id": "123", "link_data": {"link": GOOD_LINK}}},
            ["object_story_spec", "page_id"],
        ),
        ({"object_story_spec": "[]"}, ["object_story_spec"]),
        ({"body": "b", "link_url": GOOD_LINK, "call_to_action_type": "CLICK_HERE"}, ["call_to_action_type"]),
    ],
)
async def test_a_creative_without_content_or_a_real_page_is_refused(
    adv: Advertiser, params: dict[str, Any], blamed: list[str]
) -> None:
    response = await adv.post(f"{adv.act}/adcreatives", **params)
    assert response.status_code == 400, response.text
    assert error_of(response)["error_data"]["blame_field_specs"] == [blamed]


async def test_only_name_and_status_change_after_creation(adv: Advertiser) -> None:
    creative_id = await adv.creative()
    assert (await adv.post(creative_id, name="Renamed")).json() == {"success": True}
    assert await adv.field(creative_id, "name") == "Renamed"
    frozen = await adv.post(creative_id, body="New text")
    assert frozen.status_code == 400
    assert error_of(frozen)["error_user_title"] == "Creative Cannot Be Edited"


async def test_deleted_creatives_leave_the_default_list(adv: Advertiser) -> None:
    keep, drop = await adv.creative(), await adv.creative()
    assert (await adv.delete(drop)).json() == {"success": True}
    listed = (await adv.get(f"{adv.act}/adcreatives", summary="true")).json()
    assert [c["id"] for c in listed["data"]] == [keep]
    assert listed["summary"] == {"total_count": 1}
    deleted = (await adv.get(f"{adv.act}/adcreatives", effective_status=["DELETED"])).json()
    assert [c["id"] for c in deleted["data"]] == [drop]
