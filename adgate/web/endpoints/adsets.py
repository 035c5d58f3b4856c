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
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import READ, WRITE, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    adsets = AdSets(services.core)

    @router.route("GET", "ad_account", "adsets", need=READ)
    async def list_for_account(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return render_list(call, await adsets.list(call.params, account_id=call.node_id))

    @router.route("GET", "campaign", "adsets", need=READ)
    async def list_for_campaign(call: GraphCall) -> Any:
        no_rest(call)
        return render_list(call, await adsets.list(call.params, campaign_id=call.node_id))

    @router.route("POST", "ad_account", "adsets", need=WRITE)
    async def create(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await adsets.create(caller_of(call).app.id, call.node_id, call.params)

    @router.route("GET", "adset", need=READ)
    async def read(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await adsets.read(call.node_id, call.params.fields())

    @router.route("POST", "adset", need=WRITE)
    async def update(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await adsets.update(call.node_id, call.params)

    @router.route("DELETE", "adset", need=WRITE)
    async def delete(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await adsets.delete(call.node_id)
