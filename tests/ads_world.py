"""Worlds for the Marketing object tests: an advertiser with an app, an ad account, a Page, a token.

The app is at Standard access unless asked otherwise, so that the per-account rate limits of the
lower levels do not interfere with tests of the objects themselves; the gate's own tests cover them.
Calls go as the SDK sends them: the token in the query string, POST parameters form-encoded,
lists and objects JSON-encoded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from helpers import Cast, make_cast, user_token

from adgate.services.registry import Services

READ_WRITE = ("ads_read", "ads_management")
TARGETING = {"geo_locations": {"countries": ["US", "CA"]}, "age_min": 25, "age_max": 44}
GOOD_LINK = "https://shop.example/spring"


def encode(params: dict[str, Any]) -> dict[str, str]:
    """The SDK's encoding: lists, dicts and bools as compact JSON, the rest as strings; None left out."""
    out = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, list | dict | bool):
            out[key] = json.dumps(value, separators=(",", ":"), sort_keys=True)
        else:
            out[key] = str(value)
    return out


@dataclass
class Advertiser:
    services: Services
    client: httpx.AsyncClient
    cast: Cast
    account_id: str
    page_id: str
    token: str

    @property
    def act(self) -> str:
        return f"act_{self.account_id}"

    async def get(self, path: str, *, token: str | None = None, **params: Any) -> httpx.Response:
        query = {"access_token": token or self.token, **encode(params)}
        return await self.client.get(f"/v26.0/{path.lstrip('/')}", params=query)

    async def post(self, path: str, *, token: str | None = None, **params: Any) -> httpx.Response:
        return await self.client.post(
            f"/v26.0/{path.lstrip('/')}",
            params={"access_token": token or self.token},
            data=encode(params),
        )

    async def delete(self, path: str, *, token: str | None = None) -> httpx.Response:
        return await self.client.delete(
            f"/v26.0/{path.lstrip('/')}", params={"access_token": token or self.token}
        )

    async def created(self, path: str, **params: Any) -> str:
        response = await self.post(path, **params)
        assert response.status_code == 200, response.text
        new_id: str = response.json()["id"]
        return new_id

    async def campaign(self, **overrides: Any) -> str:
        params = {
            "name": "Spring sale",
            "objective": "OUTCOME_TRAFFIC",
            "status": "ACTIVE",
            "special_ad_categories": [],
            **overrides,
        }
        return await self.created(f"{self.act}/campaigns", **params)

    async def adset(self, campaign_id: str | None = None, **overrides: Any) -> str:
        params = {
            "name": "US 25-44",
            "campaign_id": campaign_id or await self.campaign(),
            "billing_event": "IMPRESSIONS",
            "optimization_goal": "LINK_CLICKS",
            "daily_budget": 1000,
            "targeting": TARGETING,
            "status": "ACTIVE",
            **overrides,
        }
        return await self.created(f"{self.act}/adsets", **params)

    async def creative(self, **overrides: Any) -> str:
        params = {
            "name": "Spring creative",
            "object_story_spec": {
                "page_id": self.page_id,
                "link_data": {
                    "link": GOOD_LINK,
                    "message": "Fresh styles for spring",
                    "name": "Spring is here",
                },
            },
            **overrides,
        }
        return await self.created(f"{self.act}/adcreatives", **params)

    async def ad(self, adset_id: str | None = None, creative_id: str | None = None, **overrides: Any) -> str:
        params = {
            "name": "Spring ad",
            "adset_id": adset_id or await self.adset(),
            "creative": {"creative_id": creative_id or await self.creative()},
            "status": "ACTIVE",
            **overrides,
        }
        return await self.created(f"{self.act}/ads", **params)

    async def field(self, object_id: str, name: str) -> Any:
        response = await self.get(f"{object_id}/", fields=name)
        assert response.status_code == 200, response.text
        return response.json().get(name)


async def make_advertiser(
    services: Services,
    client: httpx.AsyncClient,
    *,
    level: str = "standard",
    scopes: tuple[str, ...] = READ_WRITE,
    timezone_name: str = "America/Los_Angeles",
) -> Advertiser:
    cast = await make_cast(services)
    world = services.world
    if level != services.core.policy.default_level:
        await world.set_access_level(cast.app.id, level)
        cast.app = await _app(services, cast.app.id)
    account = await world.create_ad_account("Shoes", timezone_name=timezone_name)
    await world.assign_role("ad_account", account.id, cast.admin.id, "admin")
    page = await world.create_page("Shoes Page")
    token = await user_token(client, services, cast, cast.admin, scopes)  # long-lived: 60 days
    return Advertiser(services, client, cast, account.id, page.id, token)


async def _app(services: Services, app_id: str) -> Any:
    async with services.core.db.transaction() as tx:
        return await tx.apps.get(app_id)


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert "error" in body, body
    error: dict[str, Any] = body["error"]
    return error
