"""The ``ads_insights`` formula's user-error term, through the gate (docs/graph-facts.md §5.3):
``600 + 400 * active ads - 0.001 * user errors`` at Development, user errors counted per (app, ad
account) and hour. A user error is an Insights call the limits let through that is answered with
a caller's error (HTTP 4xx, not transient: code 100 for a bad parameter)."""

from __future__ import annotations

import httpx
import pytest
from ads_world import Advertiser, error_of, make_advertiser

from adgate.clock import SandboxClock
from adgate.policy.ratelimit import buc_key, user_error_key
from adgate.services.registry import Services
from adgate.store.limiter import UNLIMITED

pytestmark = pytest.mark.anyio


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client, level="development")


async def user_errors(adv: Advertiser, account_id: str | None = None) -> int:
    enforcer = adv.services.enforcer
    assert enforcer is not None
    key = user_error_key(adv.cast.app.id, account_id or adv.account_id)
    return (await enforcer.limits.store.peek_window(key, UNLIMITED, adv.services.core.now())).count


async def bad_insights(adv: Advertiser) -> httpx.Response:
    response = await adv.get(f"{adv.act}/insights", date_preset="the_day_after_tomorrow")
    assert (response.status_code, error_of(response)["code"]) == (400, 100), response.text
    return response


async def test_a_bad_insights_call_is_a_user_error_of_the_app_and_account(adv: Advertiser) -> None:
    await bad_insights(adv)
    await bad_insights(adv)
    assert await user_errors(adv) == 2
    # Good Insights calls, and bad calls on other products, are no user errors.
    assert (await adv.get(f"{adv.act}/insights", date_preset="last_7d")).status_code == 200
    bad_campaigns = await adv.get(f"{adv.act}/campaigns", effective_status=["SLEEPING"])
    assert bad_campaigns.status_code == 400
    assert await user_errors(adv) == 2


async def test_refusals_before_the_limits_are_no_user_errors(adv: Advertiser, services: Services) -> None:
    other = await services.world.create_ad_account("Not Ada's")  # the caller has no role on it
    refused = await adv.get(f"act_{other.id}/insights", date_preset="the_day_after_tomorrow")
    error = error_of(refused)
    assert (refused.status_code, error["code"]) == (400, 273)  # a caller's error, but the gate's: not counted
    assert await user_errors(adv, other.id) == 0
    dead = await adv.get(f"{adv.act}/insights", token="EAAnot-a-token", date_preset="bogus")
    assert error_of(dead)["code"] == 190
    assert await user_errors(adv) == 0


async def test_each_user_error_takes_its_share_off_the_insights_hour(
    adv: Advertiser, clock: SandboxClock
) -> None:
    """600 calls at Development with no active ad; one user error (and a thousand) takes one off:
    the 600th call of the hour is refused with 80000."""
    await bad_insights(adv)  # a user error, and one call of the hour
    enforcer = adv.services.enforcer
    assert enforcer is not None
    # 597 more calls of the hour, put straight into the real store (598 made through the gate
    # would take minutes of score decay): 598 counted in all.
    key = buc_key(adv.cast.app.id, adv.account_id, "ads_insights")
    filled = await enforcer.limits.store.hit_window(key, 600, 597, clock.now())
    assert (filled.allowed, filled.count) == (True, 598)
    last = await adv.get(f"{adv.act}/insights", date_preset="last_7d")
    assert last.status_code == 200, last.text  # the 599th: 600 - ceil(1 / 1000) = 599
    refused = await adv.get(f"{adv.act}/insights", date_preset="last_7d")
    error = error_of(refused)
    assert (refused.status_code, error["code"], error["error_subcode"]) == (400, 80000, 2446079)
    clock.advance(3600)  # the hour passes: the calls and the user error leave it together
    assert (await adv.get(f"{adv.act}/insights", date_preset="last_7d")).status_code == 200
    assert await user_errors(adv) == 0
