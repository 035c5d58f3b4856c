"""Ad sets (:mod:`adgate.services.marketing.adsets`).

- ``GET /act_<n>/adsets`` and ``GET /{campaign_id}/adsets`` — list
- ``POST /act_<n>/adsets`` — create → ``{"id"}``
- ``GET|POST|DELETE /{adset_id}`` — read, update, delete
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.marketing.adsets import AdSets
from adgate.web.endpoints.callers import caller_of
from adgate.web.endpoints.marketing import READ, WRITE, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    adsets = AdSets(services.core)

    @router.node_route("GET", "ad_account", "adsets", need=READ)
    async def list_for_account(call: GraphCall, node_id: str) -> Any:
        return render_list(call, await adsets.list(call.params, account_id=node_id))

    @router.node_route("GET", "campaign", "adsets", need=READ)
    async def list_for_campaign(call: GraphCall, node_id: str) -> Any:
        return render_list(call, await adsets.list(call.params, campaign_id=node_id))

    @router.node_route("POST", "ad_account", "adsets", need=WRITE)
    async def create(call: GraphCall, node_id: str) -> Any:
        return await adsets.create(caller_of(call).app.id, node_id, call.params)

    @router.node_route("GET", "adset", need=READ)
    async def read(call: GraphCall, node_id: str) -> Any:
        return await adsets.read(node_id, call.params.fields())

    @router.node_route("POST", "adset", need=WRITE)
    async def update(call: GraphCall, node_id: str) -> Any:
        return await adsets.update(node_id, call.params)

    @router.node_route("DELETE", "adset", need=WRITE)
    async def delete(call: GraphCall, node_id: str) -> Any:
        return await adsets.delete(node_id)
