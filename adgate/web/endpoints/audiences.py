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
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import AUDIENCES_READ, AUDIENCES_WRITE, render_list

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    audiences = Audiences(services.core)
    members = AudienceUsers(services.core)

    @router.route("GET", "ad_account", "customaudiences", need=AUDIENCES_READ)
    async def list_audiences(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return render_list(call, await audiences.list(call.node_id, call.params))

    @router.route("POST", "ad_account", "customaudiences", need=AUDIENCES_WRITE)
    async def create(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await audiences.create(caller_of(call).app.id, call.node_id, call.params)

    @router.route("GET", "custom_audience", need=AUDIENCES_READ)
    async def read(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await audiences.read(call.node_id, call.params.fields())

    @router.route("POST", "custom_audience", need=AUDIENCES_WRITE)
    async def update(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await audiences.update(call.node_id, call.params)

    @router.route("DELETE", "custom_audience", need=AUDIENCES_WRITE)
    async def delete(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await audiences.delete(call.node_id)

    async def change_users(call: GraphCall) -> Any:
        no_rest(call)
        assert call.node_id is not None
        return await members.change(call.node_id, call.params, call.method)

    router.route("POST", "custom_audience", "users", need=AUDIENCES_WRITE)(change_users)
    router.route("DELETE", "custom_audience", "users", need=AUDIENCES_WRITE)(change_users)
