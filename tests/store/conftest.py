"""A migrated, empty database per test, on each backend of the ``database_url`` fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adgate.settings import normalize_database_url
from adgate.store.migrate import upgrade
from adgate.store.sql.database import SqlDatabase
from adgate.testing.schema import migrated_sqlite


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[SqlDatabase]:
    async for database in _migrated(database_url):
        yield database


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[SqlDatabase]:
    """For what only SQLite has (its file lock): a SQLite file, never parametrized over backends."""
    async for database in _migrated(f"sqlite:///{migrated_sqlite(tmp_path / 'adgate.db')}"):
        yield database


async def _migrated(database_url: str) -> AsyncIterator[SqlDatabase]:
    database = SqlDatabase(normalize_database_url(database_url))
    await upgrade(database.engine)
    await database.reset()
    try:
        yield database
    finally:
        await database.reset()
        await database.close()
