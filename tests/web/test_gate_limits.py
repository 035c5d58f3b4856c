"""Rate limits through the gate (docs/graph-facts.md §5): the ad-account score, BUC windows, the app
window."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from gate_world import Shop, header_json, make_shop
from helpers import error_of

from adgate.clock import SandboxClock
from adgate.services.gate.call import Need
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers)


def code_of(response: httpx.Response) -> tuple[int, object, object, object]:
    error = error_of(response)
    return response.status_code, error["code"], error.get("error_subcode"), error["is_transient"]


async def test_development_lets_59_reads_through_and_refuses_the_60th_with_17(shop: Shop) -> None:
    token, node = await shop.token(), f"act_{shop.accounts[0]}"
    for n in range(1, 60):
        response = await shop.call("GET", node, token)
        assert response.status_code == 200, (n, response.text)
    usage = header_json(response, "X-Ad-Account-Usage")
    assert usage == {
        "acc_id_util_pct": 98.33,
        "reset_time_duration": 295,
        "ads_api_access_tier": "development_access",
    }
    refused = await shop.call("GET", node, token)
    assert code_of(refused) == (400, 17, 2446079, True)
    assert error_of(refused)["message"] == "(#17) User request limit reached"
    blocked = header_json(refused, "X-Ad-Account-Usage")
    assert blocked == {
        "acc_id_util_pct": 100,
        "reset_time_duration": 300,
        "ads_api_access_tier": "development_access",
    }


async def test_a_write_costs_three_points(shop: Shop) -> None:
    token, node = await shop.token(), f"act_{shop.accounts[0]}"
    for _ in range(19):  # 57 points
        assert (await shop.call("POST", node, token, name="x")).status_code == 200
    assert code_of(await shop.call("POST", node, token, name="x"))[1] == 17


async def test_the_block_ends_after_the_block_time_on_the_server_clock(
    shop: Shop, clock: SandboxClock
) -> None:
    token, node = await shop.token(), f"act_{shop.accounts[0]}"
    for _ in range(60):
        await shop.call("GET", node, token)
    clock.advance(299)
    assert code_of(await shop.call("GET", node, token))[1] == 17
    clock.advance(1)
    response = await shop.call("GET", node, token)
    assert response.status_code == 200
    assert header_json(response, "X-Ad-Account-Usage")["acc_id_util_pct"] == 1.67


async def test_the_score_is_per_app_and_ad_account(shop: Shop) -> None:
    token = await shop.token()
    (second,) = await shop.new_accounts(1)
    for _ in range(60):
        await shop.call("GET", f"act_{shop.accounts[0]}", token)
    assert (await shop.call("GET", f"act_{second}", token)).status_code == 200


@pytest.mark.parametrize(("level", "tier"), [("basic", "basic_access"), ("standard", "standard_access")])
async def test_higher_levels_are_limited_more_lightly(shop: Shop, level: str, tier: str) -> None:
    await shop.level(level)
    token, node = await shop.token(), f"act_{shop.accounts[0]}"
    for _ in range(100):
        response = await shop.call("GET", node, token)
        assert response.status_code == 200
    assert header_json(response, "X-Ad-Account-Usage")["ads_api_access_tier"] == tier


async def test_the_business_use_case_header_is_keyed_by_the_account(shop: Shop) -> None:
    account = shop.accounts[0]
    response = await shop.call("GET", f"act_{account}", await shop.token())
    assert header_json(response, "X-Business-Use-Case-Usage") == {
        account: [
            {
                "type": "ads_management",
                "call_count": 0,
                "total_cputime": 0,
                "total_time": 0,
                "estimated_time_to_regain_access": 0,
                "ads_api_access_tier": "development_access",
            }
        ]
    }


async def test_300_calls_an_hour_exhaust_the_development_ads_management_use_case_with_80004(
    shop: Shop, clock: SandboxClock
) -> None:
    token, account = await shop.token(), shop.accounts[0]
    for _ in range(6):  # 6 x 50 calls, the score drained after each batch: 30 minutes in all
        for _ in range(50):
            assert (await shop.call("GET", f"act_{account}", token)).status_code == 200
        clock.advance(300)
    refused = await shop.call("GET", f"act_{account}", token)
    assert code_of(refused) == (400, 80004, 2446079, True)
    (usage,) = header_json(refused, "X-Business-Use-Case-Usage")[account]
    assert usage["call_count"] == 100
    assert usage["estimated_time_to_regain_access"] == 30  # the first batch leaves the hour then
    assert header_json(refused, "X-Ad-Account-Usage")["acc_id_util_pct"] == 1.67


async def test_calls_naming_no_ad_account_count_in_the_app_window_with_code_4(shop: Shop) -> None:
    token = await shop.token()
    for _ in range(200):  # 200 x 1 user
        response = await shop.call("GET", "me", token)
        assert response.status_code == 200, response.text
    assert header_json(response, "X-App-Usage") == {
        "call_count": 100,
        "total_time": 100,
        "total_cputime": 100,
    }
    refused = await shop.call("GET", "me", token)
    assert code_of(refused) == (403, 4, None, True)
    assert header_json(refused, "X-App-Usage")["call_count"] == 100
    # Marketing calls with an account are not in that window.
    assert (await shop.call("GET", f"act_{shop.accounts[0]}", token)).status_code == 200


async def test_the_usage_headers_come_with_a_handler_error_too(shop: Shop) -> None:
    response = await shop.call("POST", f"act_{shop.accounts[0]}", await shop.token(), name="")
    assert error_of(response)["code"] == 100
    assert "X-Ad-Account-Usage" in response.headers


async def test_100_concurrent_reads_at_development_let_exactly_59_through(shop: Shop) -> None:
    token, node = await shop.token(), f"act_{shop.accounts[0]}"
    responses = await asyncio.gather(*(shop.call("GET", node, token) for _ in range(100)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 59
    assert all(error_of(r)["code"] == 17 for r in responses if r.status_code != 200)


async def test_resetting_the_counters_frees_a_blocked_pair(shop: Shop) -> None:
    token, node = await shop.token(), f"act_{shop.accounts[0]}"
    for _ in range(60):
        await shop.call("GET", node, token)
    assert (await shop.call("GET", node, token)).status_code == 400
    await shop.enforcer.reset()  # what a sandbox reset runs, after wiping the world
    assert (await shop.call("GET", node, token)).status_code == 200


async def test_an_insights_or_audience_endpoint_counts_in_its_own_use_case(shop: Shop) -> None:
    async def account(call: object) -> str:
        return shop.accounts[0]

    shop.endpoint("GET", "me", "insights_test", Need(product="ads_insights", account=account))
    shop.endpoint("GET", "me", "audience_test", Need(product="audiences", account=account))
    token = await shop.token()
    insights = await shop.call("GET", "me/insights_test", token)
    audiences = await shop.call("GET", "me/audience_test", token)
    assert header_json(insights, "X-Business-Use-Case-Usage")[shop.accounts[0]][0]["type"] == "ads_insights"
    assert (
        header_json(audiences, "X-Business-Use-Case-Usage")[shop.accounts[0]][0]["type"] == "custom_audience"
    )
