"""Migrations create exactly the schema the code describes, on every backend; the suite's copies of
a migrated SQLite file (:mod:`adgate.testing.schema`) are that schema too."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from adgate.settings import normalize_database_url
from adgate.store.migrate import current, head, upgrade
from adgate.store.sql.database import SqlDatabase
from adgate.store.tables import metadata
from adgate.testing.schema import migrated_sqlite

pytestmark = pytest.mark.anyio


def _diff(sync_conn: Any) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(sync_conn), metadata))


async def test_migrations_reach_head_and_match_the_tables(database_url: str, tmp_path: Path) -> None:
    # The suite's SQLite databases are copies of a migrated one: here the migrations start from no file.
    url = f"sqlite:///{tmp_path / 'fresh.db'}" if database_url.startswith("sqlite") else database_url
    db = SqlDatabase(normalize_database_url(url))
    try:
        await upgrade(db.engine)
        await upgrade(db.engine)  # running again on every start is harmless
        assert await current(db.engine) == head()
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await db.close()


async def test_a_copy_of_the_migrated_template_is_the_schema_and_keeps_a_database_already_there(
    tmp_path: Path,
) -> None:
    path = migrated_sqlite(tmp_path / "copy" / "adgate.db")
    db = SqlDatabase(normalize_database_url(f"sqlite:///{path}"))
    try:
        assert await current(db.engine) == head()
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await db.close()
    with sqlite3.connect(path) as file:
        file.execute("INSERT INTO meta (key, value) VALUES ('kept', 'yes')")
    file.close()
    assert migrated_sqlite(path) == path  # a server started again on its file keeps its data
    with sqlite3.connect(path) as file:
        assert file.execute("SELECT value FROM meta WHERE key = 'kept'").fetchall() == [("yes",)]
    file.close()
    other = migrated_sqlite(tmp_path / "other.db")  # and each copy is its own
    with sqlite3.connect(other) as file:
        assert file.execute("SELECT value FROM meta WHERE key = 'kept'").fetchall() == []
    file.close()
