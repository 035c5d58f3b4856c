"""Targeting search (``GET /search``, ``GET /act_<n>/targetingsearch``): shapes, limits, bad input."""

from __future__ import annotations

import httpx
import pytest
from gate_world import Shop, make_shop
from helpers import error_of

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers)


async def test_interests_match_by_name_and_respect_the_limit(shop: Shop) -> None:
    token = await shop.token()
    found = (await shop.call("GET", "search", token, type="adinterest", q="MUSIC")).json()["data"]
    assert [i["name"] for i in found] == ["Music", "Jazz music"]
    assert found[0]["audience_size_lower_bound"] < found[0]["audience_size_upper_bound"]
    one = (await shop.call("GET", "search", token, type="adinterest", q="music", limit="1")).json()["data"]
    assert len(one) == 1


async def test_countries_and_locales(shop: Shop) -> None:
    token = await shop.token()
    countries = (await shop.call("GET", "search", token, type="adcountry", q="united")).json()["data"]
    assert [c["key"] for c in countries] == ["US", "GB"]
    geo = (
        await shop.call("GET", "search", token, type="adgeolocation", q="us", location_types='["country"]')
    ).json()
    assert [g["key"] for g in geo["data"]] == ["US", "AU"]  # by code, and "Australia" contains "us"
    locales = (await shop.call("GET", "search", token, type="adlocale", q="english")).json()["data"]
    assert {loc["key"] for loc in locales} == {6, 24}


@pytest.mark.parametrize(
    "params",
    [
        {"type": "adinterest"},
        {"type": "adsomething", "q": "x"},
        {"q": "x"},
        {"type": "adgeolocation", "q": "x", "location_types": '["planet"]'},
        {"type": "adinterest", "q": "x", "limit": "0"},
    ],
)
async def test_bad_searches_are_code_100(shop: Shop, params: dict[str, str]) -> None:
    response = await shop.call("GET", "search", await shop.token(), **params)
    assert (response.status_code, error_of(response)["code"]) == (400, 100)


async def test_search_needs_a_user_token_with_an_ads_permission(shop: Shop) -> None:
    refused = await shop.call("GET", "search", await shop.token(scopes=()), type="adinterest", q="x")
    assert error_of(refused)["code"] == 200
    account = await shop.call(
        "GET", f"act_{shop.accounts[0]}/targetingsearch", await shop.token(), q="coffee"
    )
    assert [i["id"] for i in account.json()["data"]] == ["6003100000010"]
