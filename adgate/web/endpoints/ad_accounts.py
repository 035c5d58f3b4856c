"""Ad-account endpoints (a minimal Marketing surface) and Page creation, declared for the gate.

- ``GET /act_<n>`` — read the node (``fields``); ``Need``: product ``ads_read`` (``ads_read`` or
  ``ads_management``), the account from the path.
- ``POST /act_<n>`` — update its ``name``, a real Graph write costing 3 points; ``Need``: product
  ``ads_management`` (a write: 294 without it), the account from the path.
- ``GET /me/adaccounts`` — the person's own ad accounts (:mod:`adgate.services.world.ad_accounts` says
  why it is not a multi-account call).
- ``POST /me/accounts`` (or ``/{user-id}/accounts`` for oneself) — create a Page: Standard only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.protocol.cursors import page_request
from adgate.protocol.errors import GraphError
from adgate.services.gate.call import GraphCall, Need
from adgate.services.gate.router import GraphRouter
from adgate.services.marketing.listing import Listing
from adgate.services.world.ad_accounts import AdAccounts
from adgate.services.world.page_creation import create_page
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


async def account_in_path(call: GraphCall) -> str | None:
    """The ad account of an ``act_<n>`` path (the router parsed it already)."""
    return call.node_id if call.node_kind == "ad_account" else None


READ = Need(product="ads_read", account=account_in_path)
WRITE = Need(product="ads_management", write=True, account=account_in_path)
CREATE_PAGE = Need(product="pages", write=True, permissions=("manage_pages",), page_creation=True)


def register(router: GraphRouter, services: Services) -> None:
    accounts = AdAccounts(services.core)

    @router.route("GET", "ad_account", need=READ)
    async def read(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await accounts.read(call.node_id, call.params.fields())

    @router.route("POST", "ad_account", need=WRITE)
    async def update(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await accounts.rename(call.node_id, call.params.get_str("name"))

    @router.route("GET", "me", "adaccounts", need=Need(product="ads_read"))
    async def mine(call: GraphCall) -> Any:
        no_rest(call)
        request = page_request(call.params)
        page, data = await accounts.of_caller(caller_of(call), call.params.fields(), request)
        return render_list(call, Listing(page, data, request.summary))

    async def new_page(call: GraphCall) -> Any:
        no_rest(call)
        caller = caller_of(call)
        if call.node_kind == "person" and call.node_id != caller.person_id:
            raise GraphError.of("unsupported_post", node=call.node_id)
        params = call.params
        return await create_page(
            services.core,
            caller,
            params.get_str("name"),
            params.get_str("category"),
            params.get_str("category_enum"),
            params.get_list("category_list"),
        )

    router.route("POST", "me", "accounts", need=CREATE_PAGE)(new_page)
    router.route("POST", "person", "accounts", need=CREATE_PAGE)(new_page)
