"""What kind of node an id names, as the router asks before each call on ``/{id}``."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from adgate.services.registry import Services
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio


async def test_an_id_unknown_until_a_node_is_added_is_found_right_after(app: Starlette) -> None:
    services: Services = app.state.services
    assert await services.node_kind("123456789012345") is None
    assert await services.node_kind("123456789012345") is None  # held, and still right
    async with services.core.db.transaction() as tx:
        await tx.nodes.add("123456789012345", "page")
    assert await services.node_kind("123456789012345") == "page"


async def test_a_kind_found_is_not_read_again(app: Starlette) -> None:
    services: Services = app.state.services
    async with services.core.db.transaction() as tx:
        await tx.nodes.add("223456789012345", "custom_audience")
    assert await services.node_kind("223456789012345") == "custom_audience"
    db = services.core.db
    assert isinstance(db, SqlDatabase)
    hits = db.cache.hits
    assert await services.node_kind("223456789012345") == "custom_audience"
    assert db.cache.hits == hits  # answered by the kinds found, not even the cache
