"""Campaigns (:mod:`adgate.services.marketing.campaigns`).

- ``GET /act_<n>/campaigns`` — list (``effective_status``, ``fields``, ``limit``, cursors, ``summary``)
- ``POST /act_<n>/campaigns`` — create → ``{"id"}``
- ``GET /{campaign_id}`` · ``POST /{campaign_id}`` (update → ``{"success": true}``) ·
  ``DELETE /{campaign_id}`` → ``{"success": true}``
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.marketing.campaigns import Campaigns
from adgate.web.endpoints.callers import caller_of
from adgate.web.endpoints.marketing import READ, WRITE, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    campaigns = Campaigns(services.core)

    @router.node_route("GET", "ad_account", "campaigns", need=READ)
    async def list_campaigns(call: GraphCall, node_id: str) -> Any:
        return render_list(call, await campaigns.list(node_id, call.params))

    @router.node_route("POST", "ad_account", "campaigns", need=WRITE)
    async def create(call: GraphCall, node_id: str) -> Any:
        return await campaigns.create(caller_of(call).app.id, node_id, call.params)

    @router.node_route("GET", "campaign", need=READ)
    async def read(call: GraphCall, node_id: str) -> Any:
        return await campaigns.read(node_id, call.params.fields())

    @router.node_route("POST", "campaign", need=WRITE)
    async def update(call: GraphCall, node_id: str) -> Any:
        return await campaigns.update(node_id, call.params)

    @router.node_route("DELETE", "campaign", need=WRITE)
    async def delete(call: GraphCall, node_id: str) -> Any:
        return await campaigns.delete(node_id)
