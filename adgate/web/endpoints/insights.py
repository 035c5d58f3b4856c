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
from adgate.web.endpoints.callers import caller_of
from adgate.web.endpoints.marketing import INSIGHTS, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services

NODES = ("ad_account", "campaign", "adset", "ad")


def register(router: GraphRouter, services: Services) -> None:
    insights = Insights(services.core)

    async def report(call: GraphCall, node_id: str) -> Any:
        return render_list(call, await insights.report(call.node_kind, node_id, call.params))

    async def start_run(call: GraphCall, node_id: str) -> Any:
        return await insights.start_run(caller_of(call).app.id, call.node_kind, node_id, call.params)

    for node in NODES:
        router.node_route("GET", node, "insights", need=INSIGHTS)(report)
        router.node_route("POST", node, "insights", need=INSIGHTS)(start_run)

    @router.node_route("GET", "report_run", need=INSIGHTS)
    async def run(call: GraphCall, node_id: str) -> Any:
        return await insights.run(node_id, call.params.fields())

    @router.node_route("GET", "report_run", "insights", need=INSIGHTS)
    async def results(call: GraphCall, node_id: str) -> Any:
        return render_list(call, await insights.run_results(node_id, call.params))
