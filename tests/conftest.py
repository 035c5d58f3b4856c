"""Fixtures that build worlds, not mocks: a real database, a real app, a real server."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings as hypothesis_settings
from starlette.applications import Starlette

from adgate.app import create_app
from adgate.clock import SandboxClock
from adgate.services.registry import Services
from adgate.settings import Settings
from adgate.testing.schema import migrated_sqlite
from adgate.testing.server import LiveServer, live_server

IN_CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get("ADGATE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("ADGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# A test must not time the machine: no per-example deadline (Hypothesis's default is 200 ms, which a
# loaded machine or the coverage tracer of scripts/test can pass on a correct example).
hypothesis_settings.register_profile("adgate", deadline=None)
hypothesis_settings.load_profile("adgate")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _postgres_available() -> str | None:
    """The reason PostgreSQL can't be used, or None."""
    import asyncpg  # type: ignore[import-untyped]

    async def probe() -> None:
        conn = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"), timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        return f"PostgreSQL at {POSTGRES_URL} unreachable: {exc}"
    return None


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    reason = _postgres_available()
    if reason:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    import asyncpg

    name = f"adgate_test_{secrets.token_hex(4)}"
    admin_url = POSTGRES_URL

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def make_settings(tmp_path: Path, database_url: str | None = None, **overrides: Any) -> Settings:
    env = {"ADGATE_PASSWORD_HASHING": "fast", "ADGATE_LOG_LEVEL": "WARNING"}
    # A copy of a database migrated once a session: the migrations were most of a test's setup.
    settings = Settings.from_env(
        env,
        data_dir=tmp_path / "data",
        database_url=database_url or f"sqlite:///{migrated_sqlite(tmp_path / 'adgate.db')}",
    )
    from dataclasses import replace

    return replace(settings, **overrides).with_persisted_secrets()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{migrated_sqlite(tmp_path / 'adgate.db')}"
    url: str = request.getfixturevalue("postgres_database")
    return url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def clock() -> SandboxClock:
    """A clock frozen at a fixed instant, so expiries can be compared exactly."""
    return SandboxClock(frozen_at=1_790_000_000.0)


@pytest.fixture
async def app(settings: Settings, clock: SandboxClock) -> AsyncIterator[Starlette]:
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def services(app: Starlette) -> Services:
    return app.state.services  # type: ignore[no-any-return]


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://adgate.test") as c:
        yield c


@pytest.fixture
def admin_headers(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.admin_key}"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server on a loopback port (for the SDK, requests-oauthlib and browsers)."""
    clock = SandboxClock()
    with live_server(make_settings(tmp_path), clock=clock) as live:
        yield live
