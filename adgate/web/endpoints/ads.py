"""Ads (:mod:`adgate.services.marketing.ads`), each going through ad review on the server clock.

- ``GET /act_<n>/ads``, ``GET /{campaign_id}/ads``, ``GET /{adset_id}/ads`` — list
- ``POST /act_<n>/ads`` — create → ``{"id"}``
- ``GET|POST|DELETE /{ad_id}`` — read (``effective_status``, ``ad_review_feedback``), update, delete
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.marketing.ads import Ads
from adgate.web.endpoints.callers import caller_of
from adgate.web.endpoints.marketing import READ, WRITE, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    ads = Ads(services.core)

    @router.node_route("GET", "ad_account", "ads", need=READ)
    async def list_for_account(call: GraphCall, node_id: str) -> Any:
        return render_list(call, await ads.list(call.params, account_id=node_id))

    @router.node_route("GET", "campaign", "ads", need=READ)
    async def list_for_campaign(call: GraphCall, node_id: str) -> Any:
        return render_list(call, await ads.list(call.params, campaign_id=node_id))

    @router.node_route("GET", "adset", "ads", need=READ)
    async def list_for_adset(call: GraphCall, node_id: str) -> Any:
        return render_list(call, await ads.list(call.params, adset_id=node_id))

    @router.node_route("POST", "ad_account", "ads", need=WRITE)
    async def create(call: GraphCall, node_id: str) -> Any:
        return await ads.create(caller_of(call).app.id, node_id, call.params)

    @router.node_route("GET", "ad", need=READ)
    async def read(call: GraphCall, node_id: str) -> Any:
        return await ads.read(node_id, call.params.fields())

    @router.node_route("POST", "ad", need=WRITE)
    async def update(call: GraphCall, node_id: str) -> Any:
        return await ads.update(node_id, call.params)

    @router.node_route("DELETE", "ad", need=WRITE)
    async def delete(call: GraphCall, node_id: str) -> Any:
        return await ads.delete(node_id)
