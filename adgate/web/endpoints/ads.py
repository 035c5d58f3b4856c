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
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import READ, WRITE, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    ads = Ads(services.core)

    @router.route("GET", "ad_account", "ads", need=READ)
    async def list_for_account(call: GraphCall) -> Any:
        no_rest(call)
        return render_list(call, await ads.list(call.params, account_id=call.node_id))

    @router.route("GET", "campaign", "ads", need=READ)
    async def list_for_campaign(call: GraphCall) -> Any:
        no_rest(call)
        return render_list(call, await ads.list(call.params, campaign_id=call.node_id))

    @router.route("GET", "adset", "ads", need=READ)
    async def list_for_adset(call: GraphCall) -> Any:
        no_rest(call)
        return render_list(call, await ads.list(call.params, adset_id=call.node_id))

    @router.route("POST", "ad_account", "ads", need=WRITE)
    async def create(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await ads.create(caller_of(call).app.id, call.node_id, call.params)

    @router.route("GET", "ad", need=READ)
    async def read(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await ads.read(call.node_id, call.params.fields())

    @router.route("POST", "ad", need=WRITE)
    async def update(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await ads.update(call.node_id, call.params)

    @router.route("DELETE", "ad", need=WRITE)
    async def delete(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await ads.delete(call.node_id)
