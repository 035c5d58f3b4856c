"""Several server nodes: a write on one voids the read cache of the others (adgate.store.bus).

Two app instances share one database, as two nodes do: with Redis (``ADGATE_TEST_REDIS_URL``),
and with PostgreSQL alone (``LISTEN``/``NOTIFY``). Skipped when the server is unreachable, except
on CI (``CI=true``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from gate_world import running, settings_for
from helpers import error_of, make_cast, short_lived_token
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from adgate.clock import SandboxClock
from adgate.services.registry import Services
from adgate.settings import Settings, normalize_database_url
from adgate.store.bus import _PUBLISH_NUMBERED as PUBLISH_NUMBERED
from adgate.store.bus import CHECK_SECONDS, RedisBus
from adgate.store.bus_messages import LAG_SECONDS
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio

REDIS_URL = os.environ.get("ADGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
#: How long the other node may take to hear of a write (pub/sub delivery is sub-millisecond).
PROPAGATION_SECONDS = 2.0


@pytest.fixture
async def redis_url() -> str:
    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    try:
        await client.ping()
    except (aioredis.RedisError, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required on CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} unreachable: {exc}")
    finally:
        await client.aclose()
    return REDIS_URL


def database(services: Services) -> SqlDatabase:
    db = services.core.db
    assert isinstance(db, SqlDatabase)
    return db


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = PROPAGATION_SECONDS) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"not seen within {seconds} s"
        await asyncio.sleep(0.01)


async def a_password_change_on_one_node_kills_the_token_on_the_other(settings: Settings) -> None:
    clock = SandboxClock()
    async with running(settings, clock) as (one, _client), running(settings, clock) as (two, client_two):
        # Every committed write is counted (Redis) or notified with its commit (PostgreSQL): a
        # lost message is detected, so entries need no age.
        assert database(two).generation.max_age is None
        cast = await make_cast(one)
        token = await short_lived_token(one, cast, cast.admin, ("ads_read",))
        params = {"access_token": token}
        for _ in range(2):  # the second call is answered from node two's cache
            assert (await client_two.get("/v26.0/me", params=params)).status_code == 200
        misses = database(two).cache.misses
        assert (await client_two.get("/v26.0/me", params=params)).status_code == 200
        assert database(two).cache.misses == misses

        await one.world.change_password(cast.admin.id, "another password")

        async def refused_on_two() -> bool:
            response = await client_two.get("/v26.0/me", params=params)
            return response.status_code == 400 and bool(error_of(response)["error_subcode"] == 460)

        await eventually(refused_on_two)


@pytest.mark.redis
async def test_with_redis_a_password_change_on_one_node_is_seen_by_the_other(
    tmp_path: Path, redis_url: str
) -> None:
    await a_password_change_on_one_node_kills_the_token_on_the_other(
        settings_for(tmp_path, redis_url=redis_url)
    )


@pytest.mark.postgres
async def test_with_postgresql_alone_a_password_change_on_one_node_is_seen_by_the_other(
    tmp_path: Path, postgres_database: str
) -> None:
    await a_password_change_on_one_node_kills_the_token_on_the_other(
        settings_for(tmp_path, database_url=normalize_database_url(postgres_database))
    )


def redis_bus(services: Services) -> RedisBus:
    buses = [getattr(hook, "__self__", None) for hook in services.start_hooks]
    (bus,) = [bus for bus in buses if isinstance(bus, RedisBus)]
    return bus


async def a_lost_write_is_made_good(settings: Settings, how: str) -> None:
    """Node one's message about a password change never reaches node two; node two must still
    drop the token. Entries do not age, so only the detection of the loss can void it.

    - ``lost``: counted and published where nobody listens; the counter, which numbered the write
      before it committed, stays ahead of what node two heard;
    - ``lost, then a later message``: the same, and a later write heard does not fill the gap;
    - ``no redis``: node one cannot reach Redis at all (node two can): the write commits counted in
      the database instead, where node two's check finds it.
    """
    clock = SandboxClock()
    async with running(settings, clock) as (one, _client), running(settings, clock) as (two, client_two):
        bus_one, bus_two = redis_bus(one), redis_bus(two)
        cast = await make_cast(one)
        token = await short_lived_token(one, cast, cast.admin, ("ads_read",))
        params = {"access_token": token}
        for _ in range(2):
            assert (await client_two.get("/v26.0/me", params=params)).status_code == 200
        lost = bus_two.lost

        if how == "no redis":
            reachable, publish = bus_one._redis, bus_one._publish_numbered
            down = aioredis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
            bus_one._redis, bus_one._publish_numbered = down, down.register_script(PUBLISH_NUMBERED)
            try:
                await one.world.change_password(cast.admin.id, "another password")
            finally:
                await down.aclose()
                bus_one._redis, bus_one._publish_numbered = reachable, publish
        else:
            bus_one.channel = "adgate:invalidate:nobody-listens"  # counted, published, never heard
            await one.world.change_password(cast.admin.id, "another password")
            bus_one.channel = bus_two.channel
            if how == "lost, then a later message":
                # A later write, heard, of nothing the token's validity read: only its number tells.
                await one.world.change_password(cast.other.id, "a third password")

        async def refused_on_two() -> bool:
            response = await client_two.get("/v26.0/me", params=params)
            return response.status_code == 400 and bool(error_of(response)["error_subcode"] == 460)

        await eventually(refused_on_two, PROPAGATION_SECONDS + LAG_SECONDS + CHECK_SECONDS)
        assert bus_two.lost > lost


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.parametrize("how", ["lost", "lost, then a later message", "no redis"])
async def test_a_write_the_other_node_never_hears_of_is_made_good_within_the_bound(
    tmp_path: Path, redis_url: str, postgres_database: str, how: str
) -> None:
    database_url = normalize_database_url(postgres_database)
    settings = settings_for(tmp_path, redis_url=redis_url, database_url=database_url)
    await a_lost_write_is_made_good(settings, how)


@pytest.mark.redis
async def test_a_node_whose_bus_is_down_caches_nothing(tmp_path: Path, redis_url: str) -> None:
    async with running(settings_for(tmp_path, redis_url=redis_url), SandboxClock()) as (node, client):
        db = database(node)
        assert db.generation.live
        cast = await make_cast(node)
        token = await short_lived_token(node, cast, cast.admin, ())
        db.generation.suspend()  # what the bus does when its subscription drops
        misses = db.cache.misses
        for _ in range(2):
            assert (await client.get("/v26.0/me", params={"access_token": token})).status_code == 200
        assert db.cache.misses == misses + 2  # every call went to the database


def test_the_bus_is_chosen_by_the_deployment(tmp_path: Path) -> None:
    from adgate.store.bus import PostgresBus, RedisBus, bus_for

    sqlite = SqlDatabase(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    postgres = SqlDatabase("postgresql+asyncpg://u:p@127.0.0.1:1/x")
    assert bus_for(sqlite, None) is None  # SQLite: one process
    assert isinstance(bus_for(sqlite, REDIS_URL), RedisBus)
    assert isinstance(bus_for(postgres, REDIS_URL), RedisBus)
    bus = bus_for(postgres, None)
    assert isinstance(bus, PostgresBus)
    assert bus.dsn == "postgresql://u:p@127.0.0.1:1/x"
    asyncio.run(sqlite.close())
    asyncio.run(postgres.close())
