"""Custom audiences (:mod:`adgate.services.marketing.audiences`); product ``audiences``.

- ``GET /act_<n>/customaudiences`` — list · ``POST /act_<n>/customaudiences`` — create → ``{"id"}``
- ``GET|POST|DELETE /{custom_audience_id}`` — read, update, delete
- ``POST|DELETE /{custom_audience_id}/users`` — add or remove members
  (:mod:`adgate.services.marketing.audience_users`)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.marketing.audience_users import AudienceUsers
from adgate.services.marketing.audiences import Audiences
from adgate.web.endpoints.callers import caller_of
from adgate.web.endpoints.marketing import AUDIENCES_READ, AUDIENCES_WRITE, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    audiences = Audiences(services.core)
    members = AudienceUsers(services.core)

    @router.node_route("GET", "ad_account", "customaudiences", need=AUDIENCES_READ)
    async def list_audiences(call: GraphCall, node_id: str) -> Any:
        return render_list(call, await audiences.list(node_id, call.params))

    @router.node_route("POST", "ad_account", "customaudiences", need=AUDIENCES_WRITE)
    async def create(call: GraphCall, node_id: str) -> Any:
        return await audiences.create(caller_of(call).app.id, node_id, call.params)

    @router.node_route("GET", "custom_audience", need=AUDIENCES_READ)
    async def read(call: GraphCall, node_id: str) -> Any:
        return await audiences.read(node_id, call.params.fields())

    @router.node_route("POST", "custom_audience", need=AUDIENCES_WRITE)
    async def update(call: GraphCall, node_id: str) -> Any:
        return await audiences.update(node_id, call.params)

    @router.node_route("DELETE", "custom_audience", need=AUDIENCES_WRITE)
    async def delete(call: GraphCall, node_id: str) -> Any:
        return await audiences.delete(node_id)

    async def change_users(call: GraphCall, node_id: str) -> Any:
        return await members.change(node_id, call.params, call.method)

    router.node_route("POST", "custom_audience", "users", need=AUDIENCES_WRITE)(change_users)
    router.node_route("DELETE", "custom_audience", "users", need=AUDIENCES_WRITE)(change_users)
