"""System-user tokens with ``asset`` and ``fetch_only``, and ``scope`` as the SDKs send it
(docs/graph-facts.md §7): ``POST /{business}/system_user_access_tokens`` and
``POST /{system-user}/access_tokens``."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest
from gate_world import Shop, make_shop
from helpers import error_of, proof

from adgate import records as r
from adgate.clock import SandboxClock
from adgate.policy.tokens import SYSTEM_USER_60_DAYS_SECONDS
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@dataclass
class Biz:
    """Ada administers the app (Standard) and Shoes Inc, which owns two ad accounts and a Page and
    has an admin system user with the app installed."""

    shop: Shop
    business: r.Business
    accounts: list[str]
    page: r.Page
    system_user: str
    token: str  # Ada's

    async def post(self, path: str, body: list[tuple[str, str]] | dict[str, str]) -> httpx.Response:
        """A form POST as the SDK sends it; ``body`` as pairs may repeat a name (``asset[]``)."""
        return await self.shop.client.post(
            f"/v26.0/{path}",
            params={"access_token": self.token, "appsecret_proof": proof(self.shop.cast.secret, self.token)},
            content=urlencode(list(body.items()) if isinstance(body, dict) else body),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )

    async def business_token(self, **params: str) -> httpx.Response:
        return await self.post(
            f"{self.business.id}/system_user_access_tokens", {"system_user_id": self.system_user, **params}
        )

    async def get(self, path: str, token: str, **params: str) -> httpx.Response:
        return await self.shop.client.get(f"/v26.0/{path}", params={"access_token": token, **params})

    async def scopes_of(self, token: str) -> list[str]:
        debug = await self.get("debug_token", self.shop.cast.app_token, input_token=token)
        scopes: list[str] = debug.json()["data"]["scopes"]
        return scopes


@pytest.fixture
async def biz(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Biz:
    shop = await make_shop(services, client, admin_headers, accounts=0)
    business = await services.world.create_business("Shoes Inc", admin_id=shop.cast.admin.id)
    accounts = await shop.new_accounts(2, role="", business_id=business.id)
    page = await services.world.create_page("Shoes", business_id=business.id)
    await shop.level("basic")
    await shop.level("standard")
    token = await shop.token(scopes=("ads_read", "ads_management", "business_management"))
    url = f"/v26.0/{business.id}/system_users"
    made = await client.post(url, params={"access_token": token}, data={"name": "Bot", "role": "ADMIN"})
    assert made.status_code == 200, made.text
    user_id = made.json()["id"]
    installed = await client.post(
        f"/v26.0/{user_id}/applications",
        params={"access_token": token},
        data={"business_app": shop.cast.app.id},
    )
    assert installed.status_code == 200, installed.text
    return Biz(shop, business, accounts, page, user_id, token)


@pytest.mark.parametrize(
    "scope",
    [
        [("scope", '["ads_read","ads_management"]')],  # the Business SDKs' list<Permission>
        [("scope[]", "ads_read"), ("scope[]", "ads_management")],
        [("scope[0]", "ads_read"), ("scope[1]", "ads_management")],
        [("scope", "ads_read,ads_management")],
    ],
)
async def test_scope_in_every_spelling_clients_send(biz: Biz, scope: list[tuple[str, str]]) -> None:
    made = await biz.post(
        f"{biz.business.id}/system_user_access_tokens", [("system_user_id", biz.system_user), *scope]
    )
    assert made.status_code == 200, made.text
    assert await biz.scopes_of(made.json()["access_token"]) == ["ads_read", "ads_management"]


async def test_an_unknown_permission_is_3962(biz: Biz) -> None:
    refused = await biz.business_token(scope='["ads_read","ads_reed"]')
    error = error_of(refused)
    assert (refused.status_code, error["code"]) == (400, 3962)
    assert "ads_reed" in str(error["message"])
    on_user = await biz.post(
        f"{biz.system_user}/access_tokens", {"business_app": biz.shop.cast.app.id, "scope": "nope"}
    )
    assert error_of(on_user)["code"] == 3962


@pytest.mark.parametrize(
    "asset",
    [
        [("asset", "[{first}]")],  # the Python SDK: list<unsigned int> as JSON
        [("asset[]", "{first}")],
        [("asset[0]", "act_{first}")],
    ],
)
async def test_a_token_made_with_assets_touches_only_those_ad_accounts(
    biz: Biz, asset: list[tuple[str, str]]
) -> None:
    first, second = biz.accounts
    pairs = [(k, v.format(first=first)) for k, v in asset]
    made = await biz.post(
        f"{biz.business.id}/system_user_access_tokens",
        [("system_user_id", biz.system_user), ("scope", "ads_read,ads_management"), *pairs],
    )
    assert made.status_code == 200, made.text
    token = made.json()["access_token"]
    assert (await biz.get(f"act_{first}/campaigns", token)).status_code == 200
    outside = await biz.get(f"act_{second}/campaigns", token)
    assert (outside.status_code, error_of(outside)["code"]) == (403, 200)
    assert f"ad account {second}" in str(error_of(outside)["message"])
    write = await biz.shop.client.post(
        f"/v26.0/act_{second}/campaigns",
        params={"access_token": token},
        data={"name": "x", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"},
    )
    assert error_of(write)["code"] == 200
    listed = await biz.get("me/adaccounts", token, fields="account_id")
    assert [a["account_id"] for a in listed.json()["data"]] == [first]
    debug = (await biz.get("debug_token", biz.shop.cast.app_token, input_token=token)).json()["data"]
    assert debug["granular_scopes"] == [
        {"scope": "ads_read", "target_ids": [first]},
        {"scope": "ads_management", "target_ids": [first]},
    ]
    # Without asset, the same system user reaches both.
    every = (await biz.business_token(scope="ads_read")).json()["access_token"]
    assert (await biz.get(f"act_{second}/campaigns", every)).status_code == 200


async def test_assets_must_be_ad_accounts_or_pages_of_the_business(biz: Biz, services: Services) -> None:
    with_page = await biz.business_token(scope="ads_read", asset=f"[{biz.accounts[0]},{biz.page.id}]")
    assert with_page.status_code == 200, with_page.text
    stranger = await services.world.create_ad_account("Elsewhere")
    foreign = await biz.business_token(scope="ads_read", asset=f"[{stranger.id}]")
    assert (foreign.status_code, error_of(foreign)["code"]) == (403, 200)
    unknown = await biz.business_token(scope="ads_read", asset="[123456789012345]")
    assert error_of(unknown)["code"] == 200
    malformed = await biz.business_token(scope="ads_read", asset='["shoes"]')
    assert error_of(malformed)["code"] == 100


async def test_fetch_only_hands_back_the_token_already_made(biz: Biz) -> None:
    first = (await biz.business_token(scope="ads_read,ads_management")).json()["access_token"]
    fetched = await biz.business_token(scope='["ads_management","ads_read"]', fetch_only="true")
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == {"access_token": first}  # the same scopes in another order
    again = await biz.post(
        f"{biz.system_user}/access_tokens",
        {"business_app": biz.shop.cast.app.id, "scope": "ads_read,ads_management", "fetch_only": "true"},
    )
    assert again.json() == {"access_token": first}
    # Another scope set or other assets: nothing to fetch (our choice: code 100, nothing minted).
    for params in ({"scope": "ads_read"}, {"scope": "ads_read,ads_management", "asset": biz.accounts[0]}):
        missing = await biz.business_token(fetch_only="true", **params)
        assert (missing.status_code, error_of(missing)["code"]) == (400, 100), missing.text
        assert "fetch_only" in str(error_of(missing)["message"])
    scoped = (await biz.business_token(scope="ads_read", asset=biz.accounts[0])).json()["access_token"]
    assert (
        await biz.business_token(scope="ads_read", asset=f"act_{biz.accounts[0]}", fetch_only="1")
    ).json() == {"access_token": scoped}
    # Without fetch_only a new token is made every time.
    assert (await biz.business_token(scope="ads_read,ads_management")).json()["access_token"] != first


async def test_fetch_only_skips_tokens_that_are_no_longer_valid(biz: Biz, clock: SandboxClock) -> None:
    sixty = await biz.business_token(scope="ads_read", set_token_expires_in_60_days="true")
    assert (await biz.business_token(scope="ads_read", fetch_only="true")).json() == sixty.json()
    clock.advance(SYSTEM_USER_60_DAYS_SECONDS)
    biz.token = await biz.shop.token(scopes=("ads_read", "ads_management", "business_management"))
    expired = await biz.business_token(scope="ads_read", fetch_only="true")
    assert error_of(expired)["code"] == 100
    lasting = (await biz.business_token(scope="ads_read")).json()
    assert (await biz.business_token(scope="ads_read", fetch_only="true")).json() == lasting


async def test_a_sealed_token_is_stored_encrypted_never_in_clear(biz: Biz, services: Services) -> None:
    token = (await biz.business_token(scope="ads_read")).json()["access_token"]
    async with services.core.db.transaction() as tx:
        (kept,) = await tx.sealed_tokens.matching(biz.system_user, biz.shop.cast.app.id, ("ads_read",), None)
    assert token not in kept.sealed
    assert services.core.keyring.unseal_token(kept.sealed) == token
    assert kept.digest == services.core.keyring.digest(token)
