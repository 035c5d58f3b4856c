"""``GET /{ver}/debug_token?input_token=…&access_token=…`` (docs/graph-facts.md §3).

The viewing token (``access_token``) passes the gate like any other; the debugger decides whether
it may look at ``input_token`` (:mod:`adgate.services.tokens.debug`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.tokens.debug import Debugger
from adgate.web.endpoints.callers import caller_of, no_rest

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    debugger = Debugger(services.core, services.tokens)

    @router.route("GET", "debug_token")
    async def debug_token(call: GraphCall) -> Any:
        no_rest(call)
        return await debugger.debug(caller_of(call), call.params.require("input_token"))
