"""Targeting search (:mod:`adgate.services.marketing.targeting`).

- ``GET /search?type=adinterest|adgeolocation|adcountry|adlocale&q=…`` — a Marketing read with no
  ad account (``ads_read`` or ``ads_management``)
- ``GET /act_<n>/targetingsearch?q=…`` — the same interests, through the account's rules and limits
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.services.gate.call import GraphCall, Need
from adgate.services.gate.router import GraphRouter
from adgate.services.marketing import targeting
from adgate.web.endpoints.callers import no_rest
from adgate.web.endpoints.marketing import READ

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    @router.route("GET", "search", need=Need(product="ads_read"))
    async def search(call: GraphCall) -> Any:
        no_rest(call)
        return targeting.search(call.params)

    @router.route("GET", "ad_account", "targetingsearch", need=READ)
    async def account_search(call: GraphCall) -> Any:
        no_rest(call)
        return targeting.account_search(call.params)
