"""Insights and async report runs (:mod:`adgate.services.marketing.insights`).

- ``GET /act_<n>/insights``, ``GET /{campaign|adset|ad}/insights`` — the report, cursor-paged
- ``POST`` on the same paths — an async report run → ``{"report_run_id"}``
- ``GET /{report_run_id}`` — its ``async_status`` · ``GET /{report_run_id}/insights`` — its rows
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.marketing.insights import Insights
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import INSIGHTS, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services

NODES = ("ad_account", "campaign", "adset", "ad")


def register(router: GraphRouter, services: Services) -> None:
    insights = Insights(services.core)

    async def report(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return render_list(call, await insights.report(call.node_kind, call.node_id, call.params))

    async def start_run(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await insights.start_run(caller_of(call).app.id, call.node_kind, call.node_id, call.params)

    for node in NODES:
        router.route("GET", node, "insights", need=INSIGHTS)(report)
        router.route("POST", node, "insights", need=INSIGHTS)(start_run)

    @router.route("GET", "report_run", need=INSIGHTS)
    async def run(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await insights.run(call.node_id, call.params.fields())

    @router.route("GET", "report_run", "insights", need=INSIGHTS)
    async def results(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return render_list(call, await insights.run_results(call.node_id, call.params))
