"""The SQL database: engine setup for SQLite (WAL) and PostgreSQL, and transactions.

SQLite: WAL journal, foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for every
transaction so that two writers queue on the lock instead of failing on upgrade (the pattern
SQLAlchemy's aiosqlite documentation recommends). PostgreSQL: asyncpg, READ COMMITTED, with
single-row atomic updates where a race matters (codes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adgate.store import tables
from adgate.store.interfaces import DuplicateError
from adgate.store.sql.auth import SqlCodes, SqlGrants, SqlSystemUsers, SqlTokens
from adgate.store.sql.gate import SqlAccountLists, SqlUsage
from adgate.store.sql.marketing import (
    SqlAdCreatives,
    SqlAds,
    SqlAdSets,
    SqlCampaigns,
    SqlCustomAudiences,
    SqlReportRuns,
)
from adgate.store.sql.world import (
    SqlAdAccounts,
    SqlApps,
    SqlBusinesses,
    SqlMeta,
    SqlNodes,
    SqlPages,
    SqlPeople,
    SqlRoles,
)


class SqlRepos:
    """Every repository bound to one connection in one transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.nodes = SqlNodes(conn)
        self.meta = SqlMeta(conn)
        self.people = SqlPeople(conn)
        self.businesses = SqlBusinesses(conn)
        self.business_people = SqlRoles(conn, tables.business_people)
        self.ad_accounts = SqlAdAccounts(conn)
        self.ad_account_roles = SqlRoles(conn, tables.ad_account_roles)
        self.pages = SqlPages(conn)
        self.page_roles = SqlRoles(conn, tables.page_roles)
        self.apps = SqlApps(conn)
        self.app_roles = SqlRoles(conn, tables.app_roles)
        self.system_users = SqlSystemUsers(conn)
        self.tokens = SqlTokens(conn)
        self.codes = SqlCodes(conn)
        self.grants = SqlGrants(conn)
        self.account_lists = SqlAccountLists(conn)
        self.usage = SqlUsage(conn)
        self.campaigns = SqlCampaigns(conn)
        self.ad_sets = SqlAdSets(conn)
        self.ads = SqlAds(conn)
        self.ad_creatives = SqlAdCreatives(conn)
        self.custom_audiences = SqlCustomAudiences(conn)
        self.report_runs = SqlReportRuns(conn)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        memory = ":memory:" in url or url.rstrip("/").endswith("sqlite+aiosqlite:")
        engine = create_async_engine(url, poolclass=NullPool) if memory else create_async_engine(url)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


class SqlDatabase:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlRepos]:
        try:
            async with self.engine.begin() as conn:
                yield SqlRepos(conn)
        except IntegrityError as exc:
            raise DuplicateError(str(exc.orig)) from exc

    async def reset(self) -> None:
        async with self.engine.begin() as conn:
            for table in reversed(tables.metadata.sorted_tables):
                await conn.execute(table.delete())

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
