"""JSON API for the consoles: an app's ad-account list and its daily usage.

Seed, "Managing Account Lists" (the Ads API account configuration tool) and the usage the
'Status and Review' panel charts. Paths, under ``/_apps/{app_id}/`` (never Graph nodes):

| method | path | does |
|---|---|---|
| GET | ``account_list`` | the list, the level's maximum, ``can_add`` (Add disabled at the maximum) |
| POST | ``account_list`` with ``account_id`` | add an account by its numeric id (``act_123`` refused) |
| DELETE | ``account_list`` with ``account_id`` (or ``account_list/{account_id}``) | remove one |
| GET | ``usage?days=30`` | calls, errors by class and error rate per day, and totals |

Authorized by the sandbox admin key as a Bearer token, or by a user access token of the app whose
person is one of its administrators or developers (Bearer or ``access_token``). ``account_id``
comes from the query string, a form body or a JSON body. Every error is a Graph envelope.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params
from adgate.services.account_list import authorize_manager
from adgate.services.gate.access import Enforcer
from adgate.services.registry import Services
from adgate.web.requests import bearer_token, read_params
from adgate.web.responses import GraphJSON, error_response

Handler = Callable[[Enforcer, str, Params], Awaitable[Any]]
MAX_USAGE_DAYS = 400


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        services: Services = request.app.state.services
        fbtrace_id: str = request.state.fbtrace_id
        try:
            enforcer = services.enforcer
            params = await read_params(request)
            app_id = request.path_params["app_id"]
            raw = bearer_token(request) or params.get_str("access_token")
            await authorize_manager(services.core, services.tokens, app_id, raw, services.settings.admin_key)
            path_account = request.path_params.get("account_id")
            if path_account is not None:
                params = Params.merge(params, {"account_id": path_account})
            result = await handler(enforcer, app_id, params.without("access_token"))
        except GraphError as exc:
            request.state.graph_error = exc
            return error_response(exc, fbtrace_id)
        return GraphJSON(result)

    return run


async def show_list(enforcer: Enforcer, app_id: str, _params: Params) -> Any:
    return (await enforcer.account_lists.view(app_id)).to_json()


async def add_account(enforcer: Enforcer, app_id: str, params: Params) -> Any:
    return (await enforcer.account_lists.add(app_id, params.get_str("account_id"))).to_json()


async def remove_account(enforcer: Enforcer, app_id: str, params: Params) -> Any:
    return (await enforcer.account_lists.remove(app_id, params.get_str("account_id"))).to_json()


async def usage(enforcer: Enforcer, app_id: str, params: Params) -> Any:
    days = params.get_int("days", 30, minimum=1, maximum=MAX_USAGE_DAYS)
    assert days is not None
    return await enforcer.usage.daily(app_id, days)


routes = [
    Route("/_apps/{app_id}/account_list", endpoint(show_list), methods=["GET"]),
    Route("/_apps/{app_id}/account_list", endpoint(add_account), methods=["POST"]),
    Route("/_apps/{app_id}/account_list", endpoint(remove_account), methods=["DELETE"]),
    Route("/_apps/{app_id}/account_list/{account_id}", endpoint(remove_account), methods=["DELETE"]),
    Route("/_apps/{app_id}/usage", endpoint(usage), methods=["GET"]),
]
