"""Which endpoint a Graph call asks for, and the one way a call reaches it: through the gate.

:func:`resolve` turns the path after the version into ``(node kind, node id, edge, rest)``;
:class:`GraphRouter` holds the declared endpoints; :func:`dispatch` runs one call through the gate
(:class:`Gate`, built by :func:`adgate.services.gate.pipeline.build_gate`), then its handler, then
the gate's settlers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from adgate import ids
from adgate.policy.access import unsupported
from adgate.protocol.errors import GraphError
from adgate.protocol.versions import refuse_retired_on_ads
from adgate.services.gate.call import Auth, Endpoint, GraphCall, Handler, Need

if TYPE_CHECKING:
    from adgate.services.registry import Services

#: Paths that are not nodes: (first segment, second segment or "").
FIXED_PATHS = {"debug_token": "debug_token", "oauth": "oauth", "search": "search"}

#: Products of the Marketing (Ads) API: a retired version on their paths gets 2635, not an upgrade.
ADS_PRODUCTS = frozenset({"ads_read", "ads_management", "ads_insights", "audiences", "business_management"})


class Gate(Protocol):
    """The one pipeline every Graph call passes (docs/architecture.md)."""

    async def admit(self, call: GraphCall, endpoint: Endpoint) -> None:
        """Raise a :class:`GraphError` to refuse; set ``call.caller`` to admit."""
        ...

    async def settle(self, call: GraphCall, endpoint: Endpoint | None, error: GraphError | None) -> None:
        """After the handler: usage accounting and usage headers."""
        ...


class GraphRouter:
    def __init__(self) -> None:
        self._endpoints: dict[tuple[str, str, str | None], Endpoint] = {}

    def add(self, endpoint: Endpoint) -> None:
        key = (endpoint.method, endpoint.node, endpoint.edge)
        if key in self._endpoints:
            raise ValueError(f"endpoint declared twice: {key}")
        self._endpoints[key] = endpoint

    def route(
        self,
        method: str,
        node: str,
        edge: str | None = None,
        *,
        auth: Auth = "token",
        need: Need | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add(Endpoint(method, node, edge, handler, auth, need or Need()))
            return handler

        return register

    def find(self, method: str, node: str, edge: str | None) -> Endpoint | None:
        return self._endpoints.get((method, node, edge))

    def knows(self, node: str, edge: str | None) -> bool:
        return any(k[1] == node and k[2] == edge for k in self._endpoints)

    def endpoints(self) -> list[Endpoint]:
        return list(self._endpoints.values())


async def resolve(
    services: Services, segments: list[str], method: str = "GET"
) -> tuple[str, str | None, str | None, tuple[str, ...]]:
    """``(node_kind, node_id, edge, rest)`` for the path segments after the version.

    An id that names nothing gets the answer, for ``method``, of an object the caller may not see.
    """
    head = segments[0] if segments else ""
    if head in FIXED_PATHS:
        second = segments[1] if len(segments) > 1 else ""
        return f"{head}/{second}" if second else head, None, None, tuple(segments[2:])
    edge = segments[1] if len(segments) > 1 else None
    rest = tuple(segments[2:])
    if head == "":
        return "root", None, None, ()
    if head == "me":
        return "me", None, edge, rest
    account = ids.parse_ad_account_node(head)
    if account is not None:
        return "ad_account", account, edge, rest
    if ids.parse_ad_image_node(head) is not None:
        return "adimage", head, edge, rest
    if ids.is_numeric_id(head):
        kind = await services.node_kind(head)
        if kind is None:
            raise GraphError.of(unsupported(method), node=head)
        return kind, head, edge, rest
    raise GraphError.of("not_found", node=head)


async def dispatch(call: GraphCall, router: GraphRouter, gate: Gate) -> Any:
    """Run one call through the gate and its handler; returns the handler's result."""
    endpoint = router.find(call.method, call.node_kind, call.edge)
    as_me = False
    if endpoint is None and call.node_kind == "person":
        # ``/{user-id}[/edge]`` is ``/me[/edge]`` for that person's own token (checked below).
        endpoint = router.find(call.method, "me", call.edge)
        as_me = endpoint is not None
    if endpoint is None:
        if call.node_kind == "ad_account" or call.node_id is not None:
            node = f"act_{call.node_id}" if call.node_kind == "ad_account" else call.node_id or call.node_kind
            raise GraphError.unsupported(call.method, node)
        raise GraphError.of("unknown_path", path=call.path)
    if endpoint.need.product in ADS_PRODUCTS:
        refuse_retired_on_ads(call.version)
    error: GraphError | None = None
    try:
        await gate.admit(call, endpoint)
        if as_me:
            _own_node(call)
        return await endpoint.handler(call)
    except GraphError as exc:
        error = exc
        raise
    finally:
        await gate.settle(call, endpoint, error)


def _own_node(call: GraphCall) -> None:
    """A person's node read through the ``/me`` endpoints: only with that person's own token."""
    caller = call.caller
    if caller is None or caller.kind != "user" or caller.person_id != call.node_id:
        raise GraphError.unsupported(call.method, call.node_id)
