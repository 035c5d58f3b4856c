"""System users (docs/graph-facts.md §7): create and list them, install apps, make their tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.protocol.cursors import single_page
from adgate.protocol.params import select_fields
from adgate.services.gate.call import GraphCall, Need
from adgate.services.gate.router import GraphRouter
from adgate.services.world.system_users import SystemUsers, system_user_json
from adgate.web.endpoints.callers import caller_of

if TYPE_CHECKING:
    from adgate.services.registry import Services

BUSINESS = Need(product="business_management")
LIST_FIELDS = ("id", "name", "role")


def register(router: GraphRouter, services: Services) -> None:
    system_users = SystemUsers(services.core)

    @router.node_route("POST", "business", "system_users", need=BUSINESS)
    async def create(call: GraphCall, node_id: str) -> Any:
        params = call.params
        renamed = params.get_str("system_user_id")
        if renamed:  # the documented way to rename one (docs/graph-facts.md §7)
            await system_users.rename(caller_of(call), renamed, params.get_str("name"), business_id=node_id)
            return {"id": renamed}
        user_id = await system_users.create(
            caller_of(call), node_id, params.get_str("name"), params.get_str("role")
        )
        return {"id": user_id}

    @router.node_route("GET", "system_user", need=BUSINESS)
    async def read(call: GraphCall, node_id: str) -> Any:
        user = await system_users.get(caller_of(call), node_id)
        return select_fields(system_user_json(user), call.params.fields(), LIST_FIELDS)

    @router.node_route("POST", "system_user", need=BUSINESS)
    async def rename(call: GraphCall, node_id: str) -> Any:
        await system_users.rename(caller_of(call), node_id, call.params.get_str("name"))
        return {"success": True}

    @router.node_route("GET", "business", "system_users", need=BUSINESS)
    async def list_users(call: GraphCall, node_id: str) -> Any:
        users = await system_users.list(caller_of(call), node_id)
        fields = call.params.fields()
        return single_page([select_fields(system_user_json(u), fields, LIST_FIELDS) for u in users])

    @router.node_route("POST", "system_user", "applications", need=BUSINESS)
    async def install(call: GraphCall, node_id: str) -> Any:
        await system_users.install(caller_of(call), node_id, call.params.get_str("business_app"))
        return {"success": True}

    @router.node_route("POST", "system_user", "access_tokens", need=BUSINESS)
    async def access_tokens(call: GraphCall, node_id: str) -> Any:
        params = call.params
        token = await system_users.issue_token(
            caller_of(call),
            node_id,
            params.get_str("business_app"),
            params.get_str("scope"),
            params.get_bool("set_token_expires_in_60_days"),
            assets=params.get_list("asset"),
            fetch_only=params.get_bool("fetch_only"),
        )
        return {"access_token": token}

    @router.node_route("POST", "business", "system_user_access_tokens", need=BUSINESS)
    async def business_tokens(call: GraphCall, node_id: str) -> Any:
        caller = caller_of(call)
        params = call.params
        user_id = params.require("system_user_id")
        await system_users.in_business(user_id, node_id)
        token = await system_users.issue_token(
            caller,
            user_id,
            caller.app.id,
            params.get_str("scope"),
            params.get_bool("set_token_expires_in_60_days"),
            assets=params.get_list("asset"),
            fetch_only=params.get_bool("fetch_only"),
        )
        return {"access_token": token}
