"""Lists as clients other than the Python SDK send them: ``name[]=a&name[]=b`` and
``name[0]=a&name[1]=b`` (PHP's ``http_build_query``, ``qs``/axios, curl), in the query string, a
form body, a multipart body and a batch item, read as the SDK's JSON array."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from ads_world import Advertiser, make_advertiser

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


def listing(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["data"]}


async def test_a_bracketed_list_in_the_query_string_filters_as_a_json_list(adv: Advertiser) -> None:
    active = await adv.campaign(status="ACTIVE")
    paused = await adv.campaign(status="PAUSED")
    archived = await adv.campaign(status="PAUSED")
    assert (await adv.post(archived, status="ARCHIVED")).status_code == 200
    url = f"/v26.0/{adv.act}/campaigns?access_token={adv.token}"
    both = {active, paused}
    assert listing(await adv.client.get(url + "&effective_status[]=ACTIVE&effective_status[]=PAUSED")) == both
    indexed = "&effective_status%5B1%5D=PAUSED&effective_status%5B0%5D=ACTIVE"  # encoded, out of order
    assert listing(await adv.client.get(url + indexed)) == both
    fields = await adv.client.get(f"{url}&fields[0]=name&fields[1]=status&limit=1")
    assert set(fields.json()["data"][0]) == {"id", "name", "status"}


@pytest.mark.parametrize("encoding", ["form", "multipart"])
async def test_a_bracketed_list_in_a_body_is_one_json_list(adv: Advertiser, encoding: str) -> None:
    fields: list[tuple[str, str]] = [
        ("access_token", adv.token),
        ("name", "Housing"),
        ("objective", "OUTCOME_TRAFFIC"),
        ("status", "PAUSED"),
        ("special_ad_categories[0]", "HOUSING"),
        ("special_ad_categories[1]", "EMPLOYMENT"),
    ]
    url = f"/v26.0/{adv.act}/campaigns"
    if encoding == "form":
        made = await adv.client.post(url, data=dict(fields))
    else:
        parts: list[tuple[str, tuple[None, str]]] = [(k, (None, v)) for k, v in fields]
        made = await adv.client.post(url, files=parts)
    assert made.status_code == 200, made.text
    read = await adv.get(made.json()["id"], fields="special_ad_categories")
    assert read.json()["special_ad_categories"] == ["HOUSING", "EMPLOYMENT"]


async def test_a_batch_item_reads_bracketed_lists_in_its_url_and_body(adv: Advertiser) -> None:
    active = await adv.campaign(status="ACTIVE")
    items: list[dict[str, Any]] = [
        {"method": "GET", "relative_url": f"{adv.act}/campaigns?effective_status[]=ACTIVE"},
        {
            "method": "POST",
            "relative_url": f"{adv.act}/campaigns",
            "body": "name=B&objective=OUTCOME_TRAFFIC&status=PAUSED&special_ad_categories[]=HOUSING",
        },
    ]
    response = await adv.post("", batch=items)
    assert response.status_code == 200, response.text
    answers = response.json()
    assert [a["code"] for a in answers] == [200, 200], answers
    assert {c["id"] for c in json.loads(answers[0]["body"])["data"]} == {active}
    made = json.loads(answers[1]["body"])["id"]
    read = await adv.get(made, fields="special_ad_categories")
    assert read.json()["special_ad_categories"] == ["HOUSING"]
