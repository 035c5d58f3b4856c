"""Concurrent ``POST /{business_id}/system_users`` (seed, "Limits: System User"; docs/graph-facts.md §7).

Many requests at once, on SQLite and on PostgreSQL: exactly the access level's limit gets through,
every other one gets the catalog's ``system_user_limit`` (code 100).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from gate_world import running, settings_for
from helpers import error_of, graph, make_cast, user_token

from adgate.clock import SandboxClock
from adgate.services.registry import Services
from adgate.settings import normalize_database_url

pytestmark = pytest.mark.anyio

#: Requests sent at once: more than the Basic level's 3 system users, fewer than the pool's 10 connections.
REQUESTS = 10


@pytest.fixture
async def served(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[Services, httpx.AsyncClient]]:
    settings = settings_for(tmp_path, database_url=normalize_database_url(database_url))
    async with running(settings, SandboxClock(frozen_at=1_790_000_000.0)) as (services, client):
        try:
            yield services, client
        finally:
            await services.core.db.reset()  # the PostgreSQL database is shared by the session


async def test_concurrent_creations_stop_exactly_at_the_limit(
    served: tuple[Services, httpx.AsyncClient],
) -> None:
    services, client = served
    cast = await make_cast(services)
    business = await services.world.create_business("Shoes Inc", admin_id=cast.admin.id)
    await services.world.set_access_level(cast.app.id, "basic")
    token = await user_token(client, services, cast, cast.admin, ("ads_management", "business_management"))
    cap = services.core.policy.limits_for("basic").system_users

    async def create(n: int) -> httpx.Response:
        return await graph(
            client, "POST", f"{business.id}/system_users", token, name=f"Bot {n}", role="EMPLOYEE"
        )

    responses = await asyncio.gather(*(create(n) for n in range(REQUESTS)))
    created = [response for response in responses if response.status_code == 200]
    refused = [response for response in responses if response.status_code != 200]
    assert len(created) == cap
    assert {(response.status_code, error_of(response)["code"]) for response in refused} == {(400, 100)}
    listed = await graph(client, "GET", f"{business.id}/system_users", token)
    assert len(listed.json()["data"]) == cap
