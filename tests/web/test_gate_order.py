"""The order of the gate's pipeline, through real Graph calls.

token → appsecret_proof → validity → app and access level → caller rules → permission → account
list → rate limits → handler; the first failure is the answer, and a refused call goes no further:

- a call refused by the full account list is refused before the rate limits, so it costs no score
  points and counts no call in any hour window;
- at Development, the level rule (Business Manager, calls spanning several accounts) comes before
  the caller rule (270) and before the permission rule.
"""

from __future__ import annotations

import httpx
import pytest
from gate_world import Shop, make_shop
from helpers import error_of

from adgate.policy.ratelimit import (
    BUC_TYPES,
    SCORE_TIERS,
    app_call_limit,
    app_key,
    buc_key,
    buc_limit,
    score_key,
)
from adgate.services.gate.call import Need
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers)


def code_of(response: httpx.Response) -> tuple[int, object, object]:
    error = error_of(response)
    return response.status_code, error["code"], error.get("error_subcode")


# --- the account list comes before the rate limits ----------------------------------------------


@pytest.mark.parametrize(
    ("level", "title", "maximum"), [("development", "Development", 5), ("basic", "Basic", 25)]
)
async def test_a_call_refused_by_the_full_account_list_costs_no_score_and_counts_no_call(
    shop: Shop, level: str, title: str, maximum: int
) -> None:
    await shop.level(level)
    limits = shop.services.core.policy.limits_for(level)
    assert limits.account_list_max == maximum
    (*listed, extra) = await shop.new_accounts(maximum)  # maximum + 1 accounts in all
    token = await shop.token()
    for account in [shop.accounts[0], *listed]:
        assert (await shop.call("GET", f"act_{account}", token)).status_code == 200
    for method, path in (("GET", f"act_{extra}"), ("POST", f"act_{extra}"), ("GET", f"act_{extra}/insights")):
        refused = await shop.call(method, path, token, **({"name": "x"} if method == "POST" else {}))
        assert code_of(refused) == (400, 10, None), (method, path)
        message = str(error_of(refused)["message"])
        assert f"Ad account {extra} is not in the account list" in message
        assert f"{title} access allows {maximum} ad accounts" in message

    store, now, app = shop.enforcer.limits.store, shop.services.core.now(), shop.app_id
    tier = SCORE_TIERS[limits.rate_limit_tier]
    untouched = await store.peek_score(score_key(app, extra), tier, now)
    assert (untouched.new_state.score, untouched.new_state.blocked_until, untouched.util_pct) == (0, 0, 0)
    for buc_type in BUC_TYPES:
        window = await store.peek_window(
            buc_key(app, extra, buc_type), buc_limit(limits.rate_limit_tier, buc_type), now
        )
        assert window.count == 0, buc_type
    assert (await store.peek_window(app_key(app), app_call_limit(1), now)).count == 0
    # The same peeks see counted calls: a listed account's one read is there.
    counted = await store.peek_score(score_key(app, shop.accounts[0]), tier, now)
    assert counted.new_state.score == 1
    key = buc_key(app, shop.accounts[0], "ads_management")
    assert (await store.peek_window(key, buc_limit(limits.rate_limit_tier, "ads_management"), now)).count == 1


# --- at Development, the level rule comes before the caller rule (270) -----------------------


@pytest.mark.parametrize("scopes", [("ads_read", "ads_management"), ()])
async def test_at_development_business_manager_is_refused_by_the_level_before_the_270_caller_rule(
    shop: Shop, scopes: tuple[str, ...]
) -> None:
    olly = shop.cast.other  # no role on the app: the caller rule refuses him with 270
    business = await shop.services.world.create_business("Olly's business", admin_id=olly.id)
    (account,) = await shop.new_accounts(1, person=olly, business_id=business.id)
    token = await shop.token(olly, scopes)
    marketing = await shop.call("GET", f"act_{account}", token)
    assert code_of(marketing) == (400, 270, None)

    response = await shop.call("GET", f"{business.id}/owned_ad_accounts", token)
    assert code_of(response) == (400, 10, None)
    message = str(error_of(response)["message"])
    assert f"App {shop.app_id} has Development access, with limited Business Manager access" in message
    assert "needs Standard access" in message


async def test_at_development_a_call_spanning_several_accounts_is_refused_by_the_level_before_270(
    shop: Shop,
) -> None:
    shop.endpoint("GET", "me", "multi_test", Need(product="ads_read", multi_account=True))
    olly = shop.cast.other
    await shop.new_accounts(1, person=olly)
    response = await shop.call("GET", "me/multi_test", await shop.token(olly))
    assert code_of(response) == (400, 10, None)
    message = str(error_of(response)["message"])
    assert f"it needs Standard access, and app {shop.app_id} has Development access" in message
