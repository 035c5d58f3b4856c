"""Webhooks subscriptions of an app
(https://developers.facebook.com/docs/graph-api/reference/app/subscriptions):

- ``GET /{app-id}/subscriptions`` → ``{"data": [{"object", "callback_url", "active", "fields"}]}``,
  each field ``{"name", "version"}``
- ``POST /{app-id}/subscriptions`` with ``object``, ``callback_url``, ``fields``, ``verify_token``:
  the callback URL is verified first (it must echo ``hub.challenge``), then ``{"success": true}``
- ``DELETE /{app-id}/subscriptions`` (``object`` to remove one) → ``{"success": true}``

All three need the app's own app token (code 15 otherwise), as Graph does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.protocol.errors import GraphError
from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.tokens.callers import Caller
from adgate.web.endpoints.callers import caller_of, no_rest

if TYPE_CHECKING:
    from adgate.services.registry import Services


def _app_caller(call: GraphCall) -> Caller:
    no_rest(call)
    caller = caller_of(call)
    if caller.kind != "app":
        raise GraphError.of("app_token_required")
    if caller.app.id != call.node_id:
        raise GraphError.unsupported(call.method, call.node_id)
    return caller


def register(router: GraphRouter, services: Services) -> None:
    callbacks = services.callbacks

    @router.route("GET", "app", "subscriptions")
    async def list_subscriptions(call: GraphCall) -> Any:
        caller = _app_caller(call)
        version = call.version or "v26.0"
        return {
            "data": [
                {
                    "object": s.object,
                    "callback_url": s.callback_url,
                    "active": True,
                    "fields": [{"name": f, "version": version} for f in s.fields],
                }
                for s in await callbacks.subscriptions(caller.app.id)
            ]
        }

    @router.route("POST", "app", "subscriptions")
    async def subscribe(call: GraphCall) -> Any:
        caller = _app_caller(call)
        params = call.params
        obj = params.require("object")
        fields = params.get_list("fields") or []
        await callbacks.subscribe(
            caller.app.id, obj, params.require("callback_url"), fields, params.get_str("verify_token") or ""
        )
        return {"success": True}

    @router.route("DELETE", "app", "subscriptions")
    async def unsubscribe(call: GraphCall) -> Any:
        caller = _app_caller(call)
        await callbacks.unsubscribe(caller.app.id, call.params.get_str("object"))
        return {"success": True}
