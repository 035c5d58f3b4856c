"""Ad creatives (:mod:`adgate.services.marketing.creatives`).

- ``GET /act_<n>/adcreatives`` — list · ``POST /act_<n>/adcreatives`` — create → ``{"id"}``
- ``GET /{ad_id}/adcreatives`` — the ad's creative, a list of one
- ``GET|POST|DELETE /{creative_id}`` — read, update (name and status only), delete
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.marketing.creatives import Creatives
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import READ, WRITE, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    creatives = Creatives(services.core)

    @router.route("GET", "ad_account", "adcreatives", need=READ)
    async def list_creatives(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return render_list(call, await creatives.list(call.node_id, call.params))

    @router.route("GET", "ad", "adcreatives", need=READ)
    async def list_for_ad(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return render_list(call, await creatives.for_ad(call.node_id, call.params))

    @router.route("POST", "ad_account", "adcreatives", need=WRITE)
    async def create(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await creatives.create(caller_of(call).app.id, call.node_id, call.params)

    @router.route("GET", "adcreative", need=READ)
    async def read(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await creatives.read(call.node_id, call.params.fields())

    @router.route("POST", "adcreative", need=WRITE)
    async def update(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await creatives.update(call.node_id, call.params)

    @router.route("DELETE", "adcreative", need=WRITE)
    async def delete(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await creatives.delete(call.node_id)
