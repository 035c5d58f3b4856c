"""Throttling errors through the gate (docs/graph-facts.md §5.2 to §5.4).

The business-use-case errors 80000 (``ads_insights``) and 80003 (``custom_audience``) and the score
error 17 at Basic and Standard, each with the usage header of the refused call. Where HTTP calls
alone cannot reach a limit inside the hour (the Development score lets 59 reads through per five
minutes, so 5,000 audience calls would take seven hours) the counters are pre-loaded through the
limiter store under the keys the gate uses, and the last calls go through HTTP.
"""

from __future__ import annotations

import httpx
import pytest
from gate_world import Shop, header_json, make_shop
from helpers import error_of

from adgate.clock import SandboxClock
from adgate.policy.ratelimit import BUC_FORMULAS, SCORE_TIERS, ScoreTier, buc_key, score_key
from adgate.services.registry import Services
from adgate.store.limiter import LimiterStore

pytestmark = pytest.mark.anyio


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers)


def code_of(response: httpx.Response) -> tuple[int, object, object, object]:
    error = error_of(response)
    return response.status_code, error["code"], error.get("error_subcode"), error["is_transient"]


def store_of(shop: Shop) -> LimiterStore:
    return shop.enforcer.limits.store


def buc_usage(buc_type: str, call_count: int, minutes: int, tier: str) -> dict[str, object]:
    """One entry of ``X-Business-Use-Case-Usage`` (§5.4; the times track the call count)."""
    return {
        "type": buc_type,
        "call_count": call_count,
        "total_cputime": call_count,
        "total_time": call_count,
        "estimated_time_to_regain_access": minutes,
        "ads_api_access_tier": tier,
    }


# --- business use cases: 80000 and 80003 --------------------------------------------------------


async def test_600_insights_calls_an_hour_exhaust_the_development_ads_insights_use_case_with_80000(
    shop: Shop, clock: SandboxClock
) -> None:
    assert BUC_FORMULAS["development"]["ads_insights"].base == 600  # no ads: the base is the limit
    token, account = await shop.token(), shop.accounts[0]
    path = f"act_{account}/insights"
    # All 600 through HTTP: 10 batches of 59 (the most the score lets through from zero), the score
    # drained after each, then 10 more calls, at minute 50 of the hour.
    for batch in (59,) * 10 + (10,):
        for _ in range(batch):
            response = await shop.call("GET", path, token)
            assert response.status_code == 200, response.text
        if batch == 59:
            clock.advance(300)
    assert header_json(response, "X-Business-Use-Case-Usage") == {
        account: [buc_usage("ads_insights", 100, 0, "development_access")]
    }
    refused = await shop.call("GET", path, token)
    assert code_of(refused) == (400, 80000, 2446079, True)
    assert "too many calls to this ad-account" in str(error_of(refused)["message"])
    # The first batch (minute 0) leaves the hour when minute 60 starts: 10 minutes from now.
    assert header_json(refused, "X-Business-Use-Case-Usage") == {
        account: [buc_usage("ads_insights", 100, 10, "development_access")]
    }
    assert header_json(refused, "X-Ad-Account-Usage")["ads_api_access_tier"] == "development_access"
    clock.advance(9 * 60)
    still = await shop.call("GET", path, token)
    assert code_of(still)[1] == 80000
    assert header_json(still, "X-Business-Use-Case-Usage")[account][0]["estimated_time_to_regain_access"] == 1
    clock.advance(60)
    assert (await shop.call("GET", path, token)).status_code == 200


async def test_5000_audience_calls_an_hour_exhaust_the_development_custom_audience_use_case_with_80003(
    shop: Shop, clock: SandboxClock
) -> None:
    limit = BUC_FORMULAS["development"]["custom_audience"].base
    assert limit == 5000  # no audiences: the base is the limit
    token, account = await shop.token(), shop.accounts[0]
    path = f"act_{account}/customaudiences"
    # 4,990 calls pre-loaded in the gate's own counter at minute 0 (the score would need seven
    # hours to let them through HTTP); the last 10 through HTTP at minute 20.
    key = buc_key(shop.app_id, account, "custom_audience")
    loaded = await store_of(shop).hit_window(key, limit, limit - 10, clock.now())
    assert loaded.allowed and loaded.count == limit - 10
    clock.advance(20 * 60)
    for _ in range(10):
        response = await shop.call("GET", path, token)
        assert response.status_code == 200, response.text
    assert header_json(response, "X-Business-Use-Case-Usage")[account][0]["call_count"] == 100
    refused = await shop.call("GET", path, token)
    assert code_of(refused) == (400, 80003, 2446079, True)
    # The pre-loaded minute leaves the hour when minute 60 starts: 40 minutes from now.
    assert header_json(refused, "X-Business-Use-Case-Usage") == {
        account: [buc_usage("custom_audience", 100, 40, "development_access")]
    }
    # A refused call counts no call in the window.
    assert (await store_of(shop).peek_window(key, limit, clock.now())).count == limit


# --- the score at Basic and Standard: 17 ---------------------------------------------------------

LEVELS = pytest.mark.parametrize(
    ("level", "header_tier", "block"), [("basic", "basic_access", 134), ("standard", "standard_access", 60)]
)


def tier_of(shop: Shop, level: str) -> ScoreTier:
    return SCORE_TIERS[shop.services.core.policy.limits_for(level).rate_limit_tier]


async def preload_score(shop: Shop, tier: ScoreTier, account: str, points: int, now: float) -> None:
    """``points`` already on the (app, account) score, in the gate's own counter."""
    decision = await store_of(shop).hit_score(score_key(shop.app_id, account), tier, points, now)
    assert decision.allowed


@LEVELS
async def test_a_write_costs_three_points_and_reaching_the_maximum_refuses_with_17(
    shop: Shop, clock: SandboxClock, level: str, header_tier: str, block: int
) -> None:
    await shop.level(level)
    tier = tier_of(shop, level)
    assert (tier.max_score, tier.block_seconds) == {"basic": (735, 134), "standard": (9000, 60)}[level]
    token, account = await shop.token(), shop.accounts[0]
    await preload_score(shop, tier, account, tier.max_score - 4, clock.now())
    written = await shop.call("POST", f"act_{account}", token, name="Renamed")
    assert written.status_code == 200, written.text
    # max - 4 + 3: one point below the maximum.
    assert header_json(written, "X-Ad-Account-Usage") == {
        "acc_id_util_pct": round((tier.max_score - 1) * 100 / tier.max_score, 2),
        "reset_time_duration": 300,
        "ads_api_access_tier": header_tier,
    }
    refused = await shop.call("GET", f"act_{account}", token)
    assert code_of(refused) == (400, 17, 2446079, True)
    assert error_of(refused)["message"] == "(#17) User request limit reached"
    assert header_json(refused, "X-Ad-Account-Usage") == {
        "acc_id_util_pct": 100,
        "reset_time_duration": block,
        "ads_api_access_tier": header_tier,
    }
    clock.advance(block - 1)
    assert code_of(await shop.call("GET", f"act_{account}", token))[1] == 17
    clock.advance(1)
    assert (await shop.call("GET", f"act_{account}", token)).status_code == 200


@LEVELS
async def test_three_points_below_the_maximum_a_read_passes_and_a_write_is_refused_with_17(
    shop: Shop, clock: SandboxClock, level: str, header_tier: str, block: int
) -> None:
    await shop.level(level)
    tier = tier_of(shop, level)
    token = await shop.token()
    read_on, write_on = shop.accounts[0], (await shop.new_accounts(1))[0]
    for account in (read_on, write_on):
        await preload_score(shop, tier, account, tier.max_score - 3, clock.now())
    read = await shop.call("GET", f"act_{read_on}", token)
    assert read.status_code == 200, read.text
    pct = header_json(read, "X-Ad-Account-Usage")["acc_id_util_pct"]
    assert pct == round((tier.max_score - 2) * 100 / tier.max_score, 2)
    refused = await shop.call("POST", f"act_{write_on}", token, name="Renamed")
    assert code_of(refused) == (400, 17, 2446079, True)
    assert header_json(refused, "X-Ad-Account-Usage") == {
        "acc_id_util_pct": 100,
        "reset_time_duration": block,
        "ads_api_access_tier": header_tier,
    }
    # The refused write added nothing: the score is where it was loaded, and the pair is blocked.
    peek = await store_of(shop).peek_score(score_key(shop.app_id, write_on), tier, clock.now())
    assert peek.new_state.score == tier.max_score - 3
    assert peek.new_state.blocked_until == clock.now() + block
