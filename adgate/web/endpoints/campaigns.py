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
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import READ, WRITE, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    campaigns = Campaigns(services.core)

    @router.route("GET", "ad_account", "campaigns", need=READ)
    async def list_campaigns(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return render_list(call, await campaigns.list(call.node_id, call.params))

    @router.route("POST", "ad_account", "campaigns", need=WRITE)
    async def create(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await campaigns.create(caller_of(call).app.id, call.node_id, call.params)

    @router.route("GET", "campaign", need=READ)
    async def read(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await campaigns.read(call.node_id, call.params.fields())

    @router.route("POST", "campaign", need=WRITE)
    async def update(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await campaigns.update(call.node_id, call.params)

    @router.route("DELETE", "campaign", need=WRITE)
    async def delete(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await campaigns.delete(call.node_id)
