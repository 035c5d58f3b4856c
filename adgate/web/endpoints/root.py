"""``GET /`` on the Graph host.

- ``GET /?ids=a,b&fields=…`` reads several nodes in one request (Graph's "multiple ID read
  requests", https://developers.facebook.com/docs/graph-api/advanced/#multiple-id-read-requests):
  ``{"a": {…}, "b": {…}}``, keyed by the ids as given. Each id is read as ``GET /{id}`` with the
  same parameters would be, through the same router and gate, with the caller's own rights; the
  first refusal refuses the request (an unknown id: 803, as Graph answers). At most 50 ids.
- ``GET /`` alone: a short description of the server, like a Graph explorer ping.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate import __version__
from adgate.protocol.errors import GraphError
from adgate.protocol.versions import LATEST, OLDEST, format_version
from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import FIXED_PATHS, GraphRouter, dispatch, resolve

if TYPE_CHECKING:
    from adgate.services.registry import Services

#: Graph's limit on ids in one request.
MAX_IDS = 50


async def read_many(call: GraphCall, ids: list[str]) -> dict[str, Any]:
    if not ids:
        raise GraphError.invalid("Param ids must name at least one object")
    if len(ids) > MAX_IDS:
        raise GraphError.invalid(f"Param ids names {len(ids)} objects; at most {MAX_IDS} per request")
    services = call.services
    params = call.params.without("ids")
    answer: dict[str, Any] = {}
    for node in dict.fromkeys(ids):
        if "/" in node or not node or node in FIXED_PATHS:  # nodes only, not fixed paths
            raise GraphError.of("not_found", node=node[:64])
        kind, node_id, _edge, _rest = await resolve(services, [node])
        one = GraphCall(
            method="GET",
            path="/" + node,
            version=call.version,
            node_kind=kind,
            node_id=node_id,
            edge=None,
            rest=(),
            params=params,
            headers=call.headers,
            fbtrace_id=call.fbtrace_id,
            services=services,
            raw_token=call.raw_token,
        )
        try:
            answer[node] = await dispatch(one, services.router, services.gate)
        finally:
            call.response_headers.update(one.response_headers)
    return answer


def register(router: GraphRouter, services: Services) -> None:
    @router.route("GET", "root", auth="none")
    async def root(call: GraphCall) -> Any:
        ids = call.params.get_list("ids")
        if ids is not None:
            return await read_many(call, ids)
        return {
            "name": "adgate",
            "version": __version__,
            "api_versions": {"oldest": format_version(OLDEST), "latest": format_version(LATEST)},
            "docs": "https://github.com/adgate/adgate#readme",
        }
