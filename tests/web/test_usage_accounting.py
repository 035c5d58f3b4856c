"""Usage accounting through the gate: per app and day, by class, flushed, surviving a restart."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from gate_world import Shop, make_shop, running, settings_for
from helpers import error_of, make_cast, short_lived_token

from adgate.clock import SandboxClock
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers)


async def usage(shop: Shop, **params: str) -> httpx.Response:
    return await shop.client.get(f"/_apps/{shop.app_id}/usage", params=params, headers=shop.admin_headers)


async def test_calls_and_errors_are_counted_by_class_without_a_database_write(shop: Shop) -> None:
    token, node = await shop.token(), f"act_{shop.accounts[0]}"
    await shop.call("GET", node, token)
    await shop.call("GET", node, token, fields="nope")  # 100
    await shop.call("POST", node, await shop.token(scopes=("ads_read",)), name="x")  # 294
    async with shop.services.core.db.transaction() as tx:
        assert await tx.usage.for_app(shop.app_id, 0, 10**6) == []
    body = (await usage(shop, days="1")).json()
    (today,) = body["data"]
    assert {k: today[k] for k in ("calls", "errors", "client_errors", "permission_errors", "throttled")} == {
        "calls": 3,
        "errors": 2,
        "client_errors": 1,
        "permission_errors": 1,
        "throttled": 0,
    }
    assert today["error_rate"] == round(2 / 3, 4)
    await shop.enforcer.usage.flush()
    async with shop.services.core.db.transaction() as tx:
        stored = {c.klass: c.count for c in await tx.usage.for_app(shop.app_id, 0, 10**6)}
    assert stored == {"calls": 3, "errors": 2, "client_errors": 1, "permission_errors": 1}
    assert (await usage(shop, days="1")).json()["data"] == body["data"]


async def test_throttled_calls_count_as_throttled(shop: Shop) -> None:
    token, node = await shop.token(), f"act_{shop.accounts[0]}"
    for _ in range(61):
        await shop.call("GET", node, token)
    (today,) = (await usage(shop, days="1")).json()["data"]
    assert (today["calls"], today["throttled"]) == (61, 2)


async def test_calls_with_a_forged_token_are_charged_to_no_app(shop: Shop) -> None:
    await shop.call("GET", f"act_{shop.accounts[0]}", "EAAnot-a-token")
    assert (await usage(shop, days="1")).json()["totals"]["calls"] == 0


async def test_calls_with_the_apps_own_dead_token_are_its_auth_errors(
    shop: Shop, clock: SandboxClock
) -> None:
    token, node = await shop.token(), f"act_{shop.accounts[0]}"
    assert (await shop.call("GET", node, token)).status_code == 200
    clock.advance(3 * 3600)  # a short-lived token is dead after 2 hours
    assert error_of(await shop.call("GET", node, token))["code"] == 190
    bad_proof = await shop.call("GET", node, await shop.token(), appsecret_proof="0" * 64)
    assert error_of(bad_proof)["code"] == 100
    (today,) = (await usage(shop, days="1")).json()["data"]
    assert (today["calls"], today["errors"], today["auth_errors"]) == (3, 2, 2)


async def test_a_handler_crash_counts_as_a_server_error(shop: Shop) -> None:
    async def crash() -> None:
        raise RuntimeError("boom")

    shop.failing_endpoint("me", "crash_test", crash)
    response = await shop.call("GET", "me/crash_test", await shop.token())
    assert response.status_code == 500
    totals = (await usage(shop, days="1")).json()["totals"]
    assert (totals["calls"], totals["server_errors"]) == (1, 1)


async def test_the_report_covers_the_asked_days(shop: Shop, clock: SandboxClock) -> None:
    await shop.call("GET", f"act_{shop.accounts[0]}", await shop.token())
    clock.advance(2 * 86_400)
    body = (await usage(shop)).json()
    assert body["days"] == 30 and len(body["data"]) == 30
    assert [row["calls"] for row in body["data"][-3:]] == [1, 0, 0]
    assert error_of(await usage(shop, days="0"))["code"] == 100
    assert error_of(await usage(shop, days="x"))["code"] == 100


async def test_the_usage_report_needs_the_admin_key_or_an_app_developer(shop: Shop) -> None:
    response = await shop.client.get(f"/_apps/{shop.app_id}/usage")
    assert response.status_code == 401
    token = await shop.token(scopes=())
    ok = await shop.client.get(f"/_apps/{shop.app_id}/usage", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200


async def test_usage_counts_survive_a_restart(tmp_path: Path, clock: SandboxClock) -> None:
    settings = settings_for(tmp_path)
    async with running(settings, clock) as (services, client):
        cast = await make_cast(services)
        token = await short_lived_token(services, cast, cast.admin, ())
        for _ in range(7):
            assert (await client.get("/v26.0/me", params={"access_token": token})).status_code == 200
    # Shut down gracefully: the counts were flushed. A new server on the same database sees them.
    async with running(settings, clock) as (_services, client):
        headers = {"Authorization": f"Bearer {settings.admin_key}"}
        body = (await client.get(f"/_apps/{cast.app.id}/usage", params={"days": "1"}, headers=headers)).json()
        assert body["totals"]["calls"] == 7


async def test_a_sandbox_reset_clears_unflushed_counts(shop: Shop) -> None:
    await shop.call("GET", f"act_{shop.accounts[0]}", await shop.token())
    assert shop.enforcer.usage.pending() == 1
    response = await shop.client.post("/_sandbox/reset", headers=shop.admin_headers)
    assert response.status_code == 200
    assert shop.enforcer.usage.pending() == 0
