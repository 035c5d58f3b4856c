"""Two nodes on one database for the attack tests (``nodes``): in-process servers, as two
``adgate serve`` processes behind a balancer, sharing nothing but the database and the keys.

Import the fixture into a test module with ``from two_nodes import nodes_fixture``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from adgate.app import create_app
from adgate.clock import SandboxClock
from adgate.services.registry import Services
from adgate.settings import Settings
from adgate.testing.schema import migrated_sqlite


def make_settings(tmp_path: Path, database_url: str | None = None, **overrides: Any) -> Settings:
    """Settings for a test server: the fast password profile, quiet logs, keys kept in ``tmp_path``
    (the suite's ``conftest.make_settings``; a ``conftest`` cannot be imported by name reliably)."""
    env = {"ADGATE_PASSWORD_HASHING": "fast", "ADGATE_LOG_LEVEL": "WARNING"}
    url = database_url or f"sqlite:///{migrated_sqlite(tmp_path / 'adgate.db')}"
    settings = Settings.from_env(env, data_dir=tmp_path / "data", database_url=url)
    return replace(settings, **overrides).with_persisted_secrets()


@dataclass
class Node:
    services: Services
    client: httpx.AsyncClient
    app: Starlette

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.services.settings.admin_key}"}

    def browser(self, cookies: httpx.Cookies | None = None) -> httpx.AsyncClient:
        """Another browser on this node (with a copy of ``cookies``)."""
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://adgate.test", cookies=cookies)


@pytest.fixture(name="nodes")
async def nodes_fixture(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[Node, Node]]:
    """Two servers (apps) on one database, with the same keys, each with its own flowing clock."""
    settings = make_settings(tmp_path, database_url)
    async with AsyncExitStack() as stack:
        made = []
        for _ in range(2):
            app = create_app(settings, clock=SandboxClock())
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://adgate.test")
            await stack.enter_async_context(client)
            made.append(Node(app.state.services, client, app))
        if database_url.startswith("postgres"):  # the session's PostgreSQL database is shared
            await made[0].client.post("/_sandbox/reset", headers=made[0].admin)
        yield made[0], made[1]
