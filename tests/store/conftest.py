"""A migrated, empty database per test, on each backend of the ``database_url`` fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adgate.settings import normalize_database_url
from adgate.store.migrate import upgrade
from adgate.store.sql.database import SqlDatabase


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[SqlDatabase]:
    database = SqlDatabase(normalize_database_url(database_url))
    await upgrade(database.engine)
    await database.reset()
    try:
        yield database
    finally:
        await database.reset()
        await database.close()
