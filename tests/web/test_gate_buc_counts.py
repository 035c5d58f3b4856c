"""The hourly business-use-case limits grow with the account's active ads (docs/graph-facts.md §5.3), through
the gate."""

from __future__ import annotations

import httpx
import pytest
from ads_world import Advertiser, error_of, make_advertiser

from adgate.clock import SandboxClock
from adgate.policy.ad_review import REVIEW_SECONDS
from adgate.policy.ratelimit import buc_key
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client, level="development")


async def calls_counted(adv: Advertiser, limit: int) -> int:
    enforcer = adv.services.enforcer
    assert enforcer is not None
    key = buc_key(adv.cast.app.id, adv.account_id, "ads_management")
    window = await enforcer.limits.store.peek_window(key, limit, adv.services.core.now())
    return window.count


async def test_one_active_ad_raises_the_development_ads_management_limit_by_40(
    adv: Advertiser, clock: SandboxClock
) -> None:
    await adv.ad()
    clock.advance(REVIEW_SECONDS)  # the ad's review passes: it is active from now on
    assert await adv.field(adv.act, "name") == "Shoes"
    limit = 300 + 40 * 1
    left = limit - await calls_counted(adv, limit)
    assert left > 300 - await calls_counted(adv, 300)  # more than the base alone would allow
    while left:
        for _ in range(min(left, 50)):  # 50 reads, then the score drains: under 60 points
            response = await adv.get(adv.act)
            assert response.status_code == 200, response.text
            left -= 1
        clock.advance(300)
    refused = await adv.get(adv.act)
    assert refused.status_code == 400
    error = error_of(refused)
    assert (error["code"], error["error_subcode"]) == (80004, 2446079)
    assert await calls_counted(adv, limit) == limit
