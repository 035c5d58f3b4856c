"""The gate's read cache never outlives a revocation (docs/caching.md).

Each test makes a call twice (the second one answered from the cache: no database read), changes
something through the sandbox API or Graph, and expects the very next call to see the change.
"""

from __future__ import annotations

import httpx
import pytest
from gate_world import Shop, header_json, make_shop
from helpers import error_of

from adgate.policy.appsecret_proof import make_proof
from adgate.services.registry import Services
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers, accounts=1)


def database(shop: Shop) -> SqlDatabase:
    db = shop.services.core.db
    assert isinstance(db, SqlDatabase)
    return db


async def cached_call(shop: Shop, token: str, path: str | None = None, **params: str) -> httpx.Response:
    """The same call until it is answered from the read cache alone (the first call against an
    account writes it into the app's account list at Development, which voids the cache)."""
    path = path or f"act_{shop.accounts[0]}"
    db = database(shop)
    for _ in range(3):
        misses = db.cache.misses
        response = await shop.call("GET", path, token, **params)
        assert response.status_code == 200, response.text
        if db.cache.misses == misses:
            return response
    raise AssertionError("the call still reads the database")


def code_of(response: httpx.Response) -> tuple[int, object, object]:
    error = error_of(response)
    return response.status_code, error["code"], error.get("error_subcode")


async def sandbox(shop: Shop, method: str, path: str, **body: str) -> None:
    response = await shop.client.request(method, f"/_sandbox/{path}", json=body, headers=shop.admin_headers)
    assert response.status_code == 200, response.text


async def test_a_password_change_kills_a_cached_token_on_the_next_call(shop: Shop) -> None:
    token = await shop.token()
    await cached_call(shop, token)
    await sandbox(shop, "POST", f"people/{shop.cast.admin.id}/password", password="a new password")
    assert code_of(await shop.call("GET", f"act_{shop.accounts[0]}", token)) == (400, 190, 460)


async def test_a_log_out_kills_a_cached_token_on_the_next_call(shop: Shop) -> None:
    token = await shop.token()
    await cached_call(shop, token)
    await sandbox(shop, "POST", f"people/{shop.cast.admin.id}/logout")
    assert code_of(await shop.call("GET", f"act_{shop.accounts[0]}", token)) == (400, 190, 467)


async def test_de_authorizing_the_app_kills_a_cached_token_on_the_next_call(shop: Shop) -> None:
    token = await shop.token()
    await cached_call(shop, token)
    assert (await shop.call("DELETE", "me/permissions", token)).status_code == 200
    assert code_of(await shop.call("GET", f"act_{shop.accounts[0]}", token)) == (400, 190, 458)


async def test_a_revoked_permission_is_gone_from_a_cached_token_on_the_next_call(shop: Shop) -> None:
    token = await shop.token(scopes=("ads_read",))
    await cached_call(shop, token)
    assert (await shop.call("DELETE", "me/permissions/ads_read", token)).status_code == 200
    status, code, _subcode = code_of(await shop.call("GET", f"act_{shop.accounts[0]}", token))
    assert (status, code) == (403, 200)


async def test_a_removed_ad_account_role_is_seen_on_the_next_call(shop: Shop) -> None:
    token = await shop.token()
    await cached_call(shop, token)
    account = shop.accounts[0]
    await sandbox(shop, "DELETE", "roles", kind="ad_account", object_id=account, person_id=shop.cast.admin.id)
    assert code_of(await shop.call("GET", f"act_{account}", token))[1] == 273


async def test_a_removed_app_role_is_seen_on_the_next_call(shop: Shop) -> None:
    token = await shop.token()
    await cached_call(shop, token)
    await sandbox(shop, "DELETE", "roles", kind="app", object_id=shop.app_id, person_id=shop.cast.admin.id)
    assert code_of(await shop.call("GET", f"act_{shop.accounts[0]}", token))[1] == 270


async def test_a_level_change_applies_from_the_next_call(shop: Shop) -> None:
    token = await shop.token()
    before = await cached_call(shop, token)
    assert header_json(before, "X-Ad-Account-Usage")["ads_api_access_tier"] == "development_access"
    await sandbox(shop, "POST", f"apps/{shop.app_id}/access_level", level="basic")
    after = await shop.call("GET", f"act_{shop.accounts[0]}", token)
    assert header_json(after, "X-Ad-Account-Usage")["ads_api_access_tier"] == "basic_access"


async def test_an_app_secret_reset_voids_cached_proofs_and_app_tokens(shop: Shop) -> None:
    token = await shop.token()
    old_secret = shop.cast.secret
    await cached_call(shop, token, appsecret_proof=make_proof(old_secret, token))
    app_token = shop.cast.app_token  # the literal app_id|app_secret
    assert (await shop.call("GET", "debug_token", app_token, input_token=token)).status_code == 200
    response = await shop.client.post(f"/_sandbox/apps/{shop.app_id}/secret", headers=shop.admin_headers)
    new_secret = response.json()["secret"]
    account = f"act_{shop.accounts[0]}"
    stale = await shop.call("GET", account, token, appsecret_proof=make_proof(old_secret, token))
    assert stale.status_code == 400
    assert "appsecret_proof" in str(error_of(stale)["message"])
    fresh = await shop.call("GET", account, token, appsecret_proof=make_proof(new_secret, token))
    assert fresh.status_code == 200, fresh.text
    assert code_of(await shop.call("GET", "debug_token", app_token, input_token=token))[1] == 190


async def test_a_renamed_ad_account_reads_back_its_new_name(shop: Shop) -> None:
    token = await shop.token()
    account = f"act_{shop.accounts[0]}"
    await cached_call(shop, token, fields="name")
    assert (await shop.call("POST", account, token, name="Renamed")).status_code == 200
    assert (await shop.call("GET", account, token, fields="name")).json()["name"] == "Renamed"


async def test_a_sandbox_reset_forgets_every_cached_token(shop: Shop) -> None:
    token = await shop.token()
    await cached_call(shop, token)
    await sandbox(shop, "POST", "reset")
    assert code_of(await shop.call("GET", "me", token))[1] == 190
