"""Migrations create exactly the schema the code describes, on every backend."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from adgate.settings import normalize_database_url
from adgate.store.migrate import current, upgrade
from adgate.store.sql.database import SqlDatabase
from adgate.store.tables import metadata

pytestmark = pytest.mark.anyio


async def test_migrations_reach_head_and_match_the_tables(database_url: str) -> None:
    db = SqlDatabase(normalize_database_url(database_url))
    try:
        await upgrade(db.engine)
        await upgrade(db.engine)  # running again on every start is harmless
        assert await current(db.engine) is not None

        def diff(sync_conn: Any) -> list[Any]:
            return list(compare_metadata(MigrationContext.configure(sync_conn), metadata))

        async with db.engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await db.close()
