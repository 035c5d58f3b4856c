"""Worlds for the review's tests: an advertiser's app with recorded usage, ads and logins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from ads_world import Advertiser, make_advertiser
from helpers import record_login

from adgate.clock import SandboxClock
from adgate.policy.ad_review import REVIEW_SECONDS
from adgate.services.gate.usage import day_of
from adgate.services.registry import Services
from adgate.store.interfaces import UsageCount

BASIC = "ads_management_basic_access"
STANDARD = "ads_management_standard_access"


@dataclass
class Applicant:
    adv: Advertiser
    clock: SandboxClock
    admin_headers: dict[str, str]

    @property
    def services(self) -> Services:
        return self.adv.services

    @property
    def client(self) -> httpx.AsyncClient:
        return self.adv.client

    @property
    def app_id(self) -> str:
        return self.adv.cast.app.id

    async def status(self) -> dict[str, Any]:
        response = await self.client.get(f"/_apps/{self.app_id}/review", headers=self.admin_headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def submit(self, feature: str = BASIC, **headers: str) -> httpx.Response:
        return await self.client.post(
            f"/_apps/{self.app_id}/review/submissions",
            json={"feature": feature},
            headers=headers or self.admin_headers,
        )

    async def submitted(self, feature: str = BASIC) -> dict[str, Any]:
        response = await self.submit(feature)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def decide(self, submission_id: str, decision: str, *reasons: str) -> httpx.Response:
        body: dict[str, Any] = {"decision": decision}
        if reasons:
            body["reasons"] = list(reasons)
        return await self.client.post(
            f"/_review/submissions/{submission_id}/decision", json=body, headers=self.admin_headers
        )

    async def level(self) -> str:
        async with self.services.core.db.transaction() as tx:
            app = await tx.apps.get(self.app_id)
        assert app is not None
        return app.access_level

    async def add_calls(self, calls: int, errors: int = 0, *, days_ago: int = 0) -> None:
        """Usage counts written directly (cheaper than 1000 HTTP calls)."""
        day = day_of(self.services.core.now()) - days_ago
        counts = [UsageCount(self.app_id, day, "calls", calls)]
        if errors:
            counts.append(UsageCount(self.app_id, day, "errors", errors))
        async with self.services.core.db.transaction() as tx:
            await tx.usage.add_counts(counts)

    async def approved_ad(self, **creative: Any) -> str:
        """An ad made through Graph, its review decided (the clock moves past the review time)."""
        creative_id = await self.adv.creative(**creative) if creative else None
        ad_id = await self.adv.ad(creative_id=creative_id)
        self.clock.advance(REVIEW_SECONDS + 1)
        return ad_id

    async def clear_login(self) -> None:
        """A person without a role authorizes the app and declines nothing."""
        await record_login(self.services, self.adv.cast.app, self.adv.cast.other, ("ads_read",))

    async def qualify(self) -> None:
        await self.approved_ad()
        await self.clear_login()
        await self.add_calls(1000)


async def make_applicant(
    services: Services,
    client: httpx.AsyncClient,
    clock: SandboxClock,
    admin_headers: dict[str, str],
    *,
    level: str = "development",
) -> Applicant:
    adv = await make_advertiser(services, client, level=level)
    adv.cast.app = await services.world.update_app(adv.cast.app.id, mode="live")
    return Applicant(adv, clock, admin_headers)
