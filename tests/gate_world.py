"""Worlds for the gate's tests: an app, people with roles, ad accounts, tokens, an access level."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
from helpers import Cast, make_cast, short_lived_token

from adgate import records as r
from adgate.app import create_app
from adgate.clock import SandboxClock
from adgate.services.gate.access import Enforcer
from adgate.services.gate.call import Endpoint, GraphCall, Need
from adgate.services.registry import Services
from adgate.settings import Settings
from adgate.testing.schema import migrated_sqlite

READ_WRITE = ("ads_read", "ads_management")


@dataclass
class Shop:
    """One app (admin Ada, no role for Olly) and ad accounts Ada administers."""

    services: Services
    client: httpx.AsyncClient
    admin_headers: dict[str, str]
    cast: Cast
    accounts: list[str] = field(default_factory=list)

    @property
    def app_id(self) -> str:
        return self.cast.app.id

    @property
    def enforcer(self) -> Enforcer:
        enforcer = self.services.enforcer
        assert enforcer is not None
        return enforcer

    async def level(self, level: str) -> None:
        response = await self.client.post(
            f"/_sandbox/apps/{self.app_id}/access_level", json={"level": level}, headers=self.admin_headers
        )
        assert response.status_code == 200, response.text

    async def new_accounts(
        self, n: int, *, person: r.Person | None = None, role: str = "admin", business_id: str | None = None
    ) -> list[str]:
        made = []
        for i in range(n):
            account = await self.services.world.create_ad_account(
                f"Account {len(self.accounts) + i}", business_id=business_id
            )
            if role:
                await self.services.world.assign_role(
                    "ad_account", account.id, (person or self.cast.admin).id, role
                )
            made.append(account.id)
        self.accounts.extend(made)
        return made

    async def token(self, person: r.Person | None = None, scopes: tuple[str, ...] = READ_WRITE) -> str:
        return await short_lived_token(self.services, self.cast, person or self.cast.admin, scopes)

    async def app_role(self, person: r.Person, role: str) -> None:
        await self.services.world.assign_role("app", self.app_id, person.id, role)

    async def call(self, method: str, path: str, token: str | None, **params: str) -> httpx.Response:
        if token is not None:
            params = {"access_token": token, **params}
        return await self.client.request(method, f"/v26.0/{path.lstrip('/')}", params=params)

    def endpoint(self, method: str, node: str, edge: str | None, need: Need, result: Any = None) -> None:
        """Declare a test endpoint, for rules no real endpoint declares yet."""

        async def handler(call: GraphCall) -> Any:
            return {"success": True} if result is None else result

        self.services.router.add(Endpoint(method, node, edge, handler, "token", need))

    def failing_endpoint(self, node: str, edge: str, fail: Callable[[], Awaitable[Any]]) -> None:
        async def handler(call: GraphCall) -> Any:
            return await fail()

        self.services.router.add(Endpoint("GET", node, edge, handler, "token", Need()))


async def make_shop(
    services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str], accounts: int = 1
) -> Shop:
    shop = Shop(services, client, admin_headers, await make_cast(services))
    if accounts:
        await shop.new_accounts(accounts)
    return shop


def header_json(response: httpx.Response, name: str) -> Any:
    value = response.headers.get(name)
    assert value is not None, f"no {name} header in {dict(response.headers)}"
    return json.loads(value)


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    """The test suite's settings (fast hashing, SQLite in ``tmp_path``) with ``overrides``."""
    env = {"ADGATE_PASSWORD_HASHING": "fast", "ADGATE_LOG_LEVEL": "WARNING"}
    settings = Settings.from_env(
        env, data_dir=tmp_path / "data", database_url=f"sqlite:///{migrated_sqlite(tmp_path / 'adgate.db')}"
    )
    return replace(settings, **overrides).with_persisted_secrets()


@asynccontextmanager
async def running(
    settings: Settings, clock: SandboxClock
) -> AsyncIterator[tuple[Services, httpx.AsyncClient]]:
    """A server app through its whole life (start hooks, then shutdown hooks), with a client."""
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://adgate.test") as client:
            yield application.state.services, client
