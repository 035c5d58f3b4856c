"""Schema migrations (Alembic), run in code so no ``alembic.ini`` is needed."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str | None:
    """The newest revision, read from the scripts once a process (Alembic executes every script
    file each time it loads them: most of an upgrade that has nothing to do)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_sync(sync_conn: Any, revision: str = "head") -> None:
    """:func:`upgrade` on a plain connection."""
    if revision == "head" and MigrationContext.configure(sync_conn).get_current_revision() == head():
        return  # at head already: every start but the first
    command.upgrade(alembic_config(sync_conn), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to ``revision``; safe to run on every start."""
    async with engine.begin() as conn:
        await conn.run_sync(upgrade_sync, revision)


async def current(engine: AsyncEngine) -> str | None:
    def _read(sync_conn: Any) -> str | None:
        return MigrationContext.configure(sync_conn).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(_read)
