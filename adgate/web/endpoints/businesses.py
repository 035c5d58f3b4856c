"""``GET /{business_id}/owned_ad_accounts`` (:func:`adgate.services.marketing.accounts.owned_ad_accounts`).

Declared as Business Manager's own edge and a call spanning several ad accounts
(``business_manager`` and ``multi_account``): the gate refuses it below the level that allows
both (seed, "Limits": limited Business Manager access at Development and Basic).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.protocol.cursors import page_request
from adgate.services.marketing.accounts import owned_ad_accounts
from adgate.services.marketing.listing import Listing
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import render_list
from adgate.web.graph import GraphCall, GraphRouter, Need

if TYPE_CHECKING:
    from adgate.services.registry import Services

OWNED_AD_ACCOUNTS = Need(product="business_management", multi_account=True, business_manager=True)


def register(router: GraphRouter, services: Services) -> None:
    @router.route("GET", "business", "owned_ad_accounts", need=OWNED_AD_ACCOUNTS)
    async def owned(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        request = page_request(call.params)
        page, data = await owned_ad_accounts(
            services.core, caller_of(call), call.node_id, call.params.fields(), request
        )
        return render_list(call, Listing(page, data, request.summary))
