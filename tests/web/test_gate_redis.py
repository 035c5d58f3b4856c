"""Rate limits with Redis through the gate: two servers share one limit; an outage follows the setting.

Uses ``ADGATE_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``) under a random key prefix,
deleted afterwards; skipped without a reachable Redis, except on CI (``CI=true``) where it fails.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from gate_world import Shop, header_json, running, settings_for
from helpers import error_of, make_cast, short_lived_token
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from adgate.app import limiter_store_from_url
from adgate.clock import SandboxClock
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio

REDIS_URL = os.environ.get("ADGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
UNREACHABLE_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
async def redis_prefix() -> str:
    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    try:
        await client.ping()
    except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required on CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} unreachable: {exc}")
    finally:
        await client.aclose()
    return f"adgate-test:{uuid.uuid4().hex}:"


async def share_redis(services: Services, prefix: str) -> None:
    """Point a server's counters at the test Redis under ``prefix`` (as one deployment's nodes do)."""
    assert services.enforcer is not None
    await services.enforcer.limits.store.aclose()
    services.enforcer.limits.store = limiter_store_from_url(REDIS_URL, prefix=prefix)


@pytest.mark.redis
async def test_two_servers_sharing_redis_enforce_one_limit(
    tmp_path: Path, clock: SandboxClock, redis_prefix: str
) -> None:
    settings = settings_for(tmp_path, redis_url=REDIS_URL)
    async with running(settings, clock) as (one, client_one), running(settings, clock) as (two, client_two):
        await share_redis(one, redis_prefix)
        await share_redis(two, redis_prefix)
        cast = await make_cast(one)
        account = await one.world.create_ad_account("Shared")
        await one.world.assign_role("ad_account", account.id, cast.admin.id, "admin")
        token = await short_lived_token(one, cast, cast.admin, ("ads_read",))
        params = {"access_token": token}
        calls = [
            (client_one if n % 2 else client_two).get(f"/v26.0/act_{account.id}", params=params)
            for n in range(100)
        ]
        responses = await asyncio.gather(*calls)
        assert [r.status_code for r in responses].count(200) == 59
        assert {error_of(r)["code"] for r in responses if r.status_code != 200} == {17}
        assert one.enforcer is not None
        await one.enforcer.limits.reset()  # deletes this test's keys, and only them


@pytest.mark.parametrize(("mode", "allowed"), [("closed", False), ("open", True)])
async def test_unreachable_redis_follows_the_failure_setting(
    tmp_path: Path, clock: SandboxClock, mode: str, allowed: bool
) -> None:
    settings = settings_for(tmp_path, redis_url=UNREACHABLE_URL, limiter_failure=mode)
    async with running(settings, clock) as (services, client):
        shop = Shop(services, client, {}, await make_cast(services))
        (account,) = await shop.new_accounts(1)
        response = await shop.call("GET", f"act_{account}", await shop.token())
        if allowed:
            assert response.status_code == 200
            assert header_json(response, "X-Ad-Account-Usage")["acc_id_util_pct"] == 0
        else:
            error = error_of(response)
            assert (response.status_code, error["code"], error["is_transient"]) == (503, 2, True)


async def test_redis_failure_closed_refuses_app_window_calls_too(tmp_path: Path, clock: SandboxClock) -> None:
    settings = settings_for(tmp_path, redis_url=UNREACHABLE_URL, limiter_failure="closed")
    async with running(settings, clock) as (services, client):
        cast = await make_cast(services)
        token = await short_lived_token(services, cast, cast.admin, ())
        response = await client.get("/v26.0/me", params={"access_token": token})
        assert (response.status_code, error_of(response)["code"]) == (503, 2)


async def test_the_default_counters_are_in_process(services: Services, client: httpx.AsyncClient) -> None:
    from adgate.store.limiter.memory import MemoryLimiterStore

    assert services.enforcer is not None
    assert isinstance(services.enforcer.limits.store, MemoryLimiterStore)
