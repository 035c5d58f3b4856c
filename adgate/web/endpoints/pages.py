"""Pages and page tokens (docs/graph-facts.md §6): ``GET /me/accounts`` and ``GET /{page-id}``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.protocol.cursors import single_page
from adgate.services.gate.call import GraphCall, Need
from adgate.services.gate.router import GraphRouter
from adgate.services.world.pages import PAGE_PERMISSIONS, Pages
from adgate.services.world.permissions import me_person_id
from adgate.web.endpoints.callers import caller_of, no_rest

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    pages = Pages(services.core)

    @router.route("GET", "me", "accounts", need=Need(product="pages", permissions=PAGE_PERMISSIONS))
    async def accounts(call: GraphCall) -> Any:
        no_rest(call)
        caller = caller_of(call)
        me_person_id(caller, "accounts")
        return single_page(await pages.accounts(caller, call.params.fields()))

    @router.route("GET", "page")
    async def page(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await pages.page(caller_of(call), call.node_id, call.params.fields())
