"""Batch requests: every item through the router and the gate on its own."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from ads_world import Advertiser, error_of, make_advertiser
from helpers import user_token

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


async def run(adv: Advertiser, items: list[dict[str, Any]], **params: Any) -> list[dict[str, Any]]:
    response = await adv.post("", batch=items, **params)
    assert response.status_code == 200, response.text
    answers: list[dict[str, Any]] = response.json()
    return answers


def body(answer: dict[str, Any]) -> Any:
    return json.loads(answer["body"])


async def test_items_are_answered_in_order_as_the_sdk_expects(adv: Advertiser) -> None:
    campaign_id = await adv.campaign(name="First")
    answers = await run(
        adv,
        [
            {"method": "GET", "relative_url": f"{campaign_id}/?fields=name"},
            {"method": "GET", "relative_url": f"v26.0/{adv.act}/campaigns?fields=name&limit=1"},
            {
                "method": "POST",
                "relative_url": f"{adv.act}/campaigns",
                "body": "name=Second&objective=OUTCOME_SALES&status=PAUSED&special_ad_categories=%5B%5D",
            },
            {"method": "DELETE", "relative_url": campaign_id},
        ],
    )
    assert [a["code"] for a in answers] == [200, 200, 200, 200]
    assert body(answers[0]) == {"id": campaign_id, "name": "First"}
    assert body(answers[1])["data"] == [{"id": campaign_id, "name": "First"}]
    assert set(body(answers[2])) == {"id"}
    assert body(answers[3]) == {"success": True}
    names = {h["name"] for h in answers[0]["headers"]}
    assert "Content-Type" in names
    assert "X-Ad-Account-Usage" in names  # each item counted against the account


async def test_a_failing_item_carries_its_own_envelope_and_status(adv: Advertiser) -> None:
    answers = await run(
        adv,
        [
            {"method": "POST", "relative_url": f"{adv.act}/campaigns", "body": "name=x"},
            {"method": "GET", "relative_url": "123456789/"},
            {"method": "GET", "relative_url": "me"},
        ],
    )
    assert answers[0]["code"] == 400
    assert body(answers[0])["error"]["code"] == 100
    assert body(answers[0])["error"]["error_data"] == {"blame_field_specs": [["objective"]]}
    assert answers[1]["code"] == 400
    assert (body(answers[1])["error"]["code"], body(answers[1])["error"]["error_subcode"]) == (100, 33)
    assert answers[2]["code"] == 200


async def test_each_item_is_gated_with_its_own_token(
    adv: Advertiser, services: Services, client: httpx.AsyncClient
) -> None:
    reader = await user_token(client, services, adv.cast, adv.cast.admin, ("ads_read",))
    answers = await run(
        adv,
        [
            {
                "method": "POST",
                "relative_url": f"{adv.act}/campaigns?access_token={reader}",
                "body": "name=x",
            },
            {"method": "GET", "relative_url": f"{adv.act}/campaigns?access_token={reader}"},
            {"method": "GET", "relative_url": f"{adv.act}/campaigns?access_token=EAAnotatoken"},
            {
                "method": "POST",
                "relative_url": f"{adv.act}/campaigns",
                "body": "name=y&objective=OUTCOME_SALES&status=PAUSED&special_ad_categories=%5B%5D",
            },
        ],
    )
    assert [a["code"] for a in answers] == [403, 200, 400, 200]
    assert body(answers[0])["error"]["code"] == 294
    assert body(answers[2])["error"]["code"] == 190


async def test_each_item_costs_its_own_rate_limit_points(
    services: Services, client: httpx.AsyncClient
) -> None:
    adv = await make_advertiser(services, client, level="development")
    create = {
        "method": "POST",
        "relative_url": f"{adv.act}/campaigns",
        "body": "name=x&objective=OUTCOME_SALES&status=PAUSED&special_ad_categories=%5B%5D",
    }
    answers = await run(adv, [create] * 30)
    codes = [a["code"] for a in answers]
    assert codes[0] == 200
    refused = [body(a)["error"] for a in answers if a["code"] != 200]
    assert refused, "30 writes (90 points) exceed Development's 60-point score"
    assert {(e["code"], e["error_subcode"]) for e in refused} == {(17, 2446079)}
    assert codes == sorted(codes)  # successes first, then every later write refused


async def test_a_later_item_uses_an_earlier_result(adv: Advertiser) -> None:
    answers = await run(
        adv,
        [
            {
                "method": "POST",
                "relative_url": f"{adv.act}/campaigns",
                "name": "campaign",
                "body": "name=C&objective=OUTCOME_SALES&status=PAUSED&special_ad_categories=%5B%5D",
            },
            {"method": "GET", "relative_url": "{result=campaign:$.id}?fields=name"},
            {"method": "GET", "relative_url": "{result=nothing:$.id}"},
        ],
    )
    assert answers[1]["code"] == 200
    assert body(answers[1]) == {"id": body(answers[0])["id"], "name": "C"}
    assert answers[2]["code"] == 400


async def test_headers_can_be_left_out_and_a_response_omitted(adv: Advertiser) -> None:
    answers = await run(
        adv,
        [{"method": "GET", "relative_url": "me", "omit_response_on_success": True}],
        include_headers=False,
    )
    assert answers == [{"code": 200, "headers": []}]


@pytest.mark.parametrize(
    ("batch", "text"),
    [
        ([{"method": "GET", "relative_url": "me"}] * 51, "Maximum batch size is 50"),
        ("nope", "JSON array"),
        ([], "non-empty"),
        ([{"method": "PATCH", "relative_url": "me"}], "method"),
    ],
)
async def test_a_bad_batch_is_refused_whole(adv: Advertiser, batch: Any, text: str) -> None:
    response = await adv.post("", batch=batch)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == 100
    assert text in error["message"]


async def test_fifty_items_are_fine(adv: Advertiser) -> None:
    answers = await run(adv, [{"method": "GET", "relative_url": "me"}] * 50)
    assert [a["code"] for a in answers] == [200] * 50


async def test_a_batch_inside_a_batch_and_a_dead_batch_token_are_refused(adv: Advertiser) -> None:
    nested = await run(adv, [{"method": "POST", "relative_url": "v26.0/", "body": "batch=%5B%5D"}])
    assert nested[0]["code"] == 400
    dead = await adv.post("", token="EAAdeadtoken", batch=[{"method": "GET", "relative_url": "me"}])
    assert dead.status_code == 400
    assert error_of(dead)["code"] == 190
