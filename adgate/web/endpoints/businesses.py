"""Business Manager endpoints (:mod:`adgate.services.world.businesses`; the listing in
:func:`adgate.services.marketing.accounts.owned_ad_accounts`).

Every one is declared ``business_manager``: the seed's "Limits" table gives Development and Basic
"no Business Manager access to manage ad accounts, user permissions and Pages", so the gate
refuses them below Standard (code 10, naming the level). Their product is
``business_management``, which ``ads_management`` opens (seed, "Permissions"). The ad account a
call names is declared too, from the path (``act_<n>/assigned_users``) or from ``adaccount_id``,
so the gate checks the caller can see it and counts the call against it.

- ``GET /{business_id}/owned_ad_accounts`` — the business's ad accounts; also ``multi_account``.
- ``POST /{business_id}/owned_ad_accounts`` (``adaccount_id``) → ``{"access_status"}``.
- ``DELETE /{business_id}/ad_accounts`` (``adaccount_id``) → ``{"success": true}``.
- ``GET /act_<n>/assigned_users`` (``business``) → a list of assigned users.
- ``POST /act_<n>/assigned_users`` (``user``, ``tasks``, ``business``) → ``{"success": true}``.
- ``DELETE /act_<n>/assigned_users`` (``user``) → ``{"success": true}``.
- ``POST /{business_id}/owned_pages`` (``page_id``) → ``{"access_status"}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.protocol.cursors import page_request
from adgate.services.gate.call import GraphCall, Need
from adgate.services.gate.router import GraphRouter
from adgate.services.marketing.accounts import owned_ad_accounts
from adgate.services.marketing.listing import Listing
from adgate.services.world.businesses import BusinessAssets, parse_ad_account_id
from adgate.web.endpoints.ad_accounts import account_in_path
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


async def account_in_params(call: GraphCall) -> str | None:
    """The ad account of ``adaccount_id`` (None when it is missing or malformed: the handler says
    what is wrong with it)."""
    return parse_ad_account_id(call.params.get_str("adaccount_id"))


PRODUCT = "business_management"
OWNED_AD_ACCOUNTS = Need(product=PRODUCT, multi_account=True, business_manager=True)
CLAIM_AD_ACCOUNT = Need(product=PRODUCT, write=True, business_manager=True, account=account_in_params)
READ_ASSIGNED = Need(product=PRODUCT, business_manager=True, account=account_in_path)
WRITE_ASSIGNED = Need(product=PRODUCT, write=True, business_manager=True, account=account_in_path)
CLAIM_PAGE = Need(product=PRODUCT, write=True, business_manager=True)


def register(router: GraphRouter, services: Services) -> None:
    assets = BusinessAssets(services.core)

    @router.route("GET", "business", "owned_ad_accounts", need=OWNED_AD_ACCOUNTS)
    async def owned(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        request = page_request(call.params)
        page, data = await owned_ad_accounts(
            services.core, caller_of(call), call.node_id, call.params.fields(), request
        )
        return render_list(call, Listing(page, data, request.summary))

    @router.route("POST", "business", "owned_ad_accounts", need=CLAIM_AD_ACCOUNT)
    async def claim_ad_account(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        status = await assets.claim_ad_account(
            caller_of(call), call.node_id, call.params.get_str("adaccount_id")
        )
        return {"access_status": status}

    @router.route("DELETE", "business", "ad_accounts", need=CLAIM_AD_ACCOUNT)
    async def remove_ad_account(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        await assets.remove_ad_account(caller_of(call), call.node_id, call.params.get_str("adaccount_id"))
        return {"success": True}

    @router.route("GET", "ad_account", "assigned_users", need=READ_ASSIGNED)
    async def assigned(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        params = call.params
        request = page_request(params)
        page, data = await assets.assigned_users(
            caller_of(call), call.node_id, params.get_str("business"), params.fields(), request
        )
        return render_list(call, Listing(page, data, request.summary))

    @router.route("POST", "ad_account", "assigned_users", need=WRITE_ASSIGNED)
    async def assign(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        params = call.params
        await assets.assign_user(
            caller_of(call),
            call.node_id,
            params.get_str("user"),
            params.get_str("tasks"),
            params.get_str("business"),
        )
        return {"success": True}

    @router.route("DELETE", "ad_account", "assigned_users", need=WRITE_ASSIGNED)
    async def unassign(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        await assets.unassign_user(caller_of(call), call.node_id, call.params.get_str("user"))
        return {"success": True}

    @router.route("POST", "business", "owned_pages", need=CLAIM_PAGE)
    async def claim_page(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        status = await assets.claim_page(caller_of(call), call.node_id, call.params.get_str("page_id"))
        return {"access_status": status}
