"""The Graph router: one entry point for every Graph path, dispatching to declared endpoints.

A Graph path is ``/{version}/{node}/{edge}/{rest…}``. The node is ``me``, ``act_<n>``, a numeric
id (whose kind the node table knows) or a fixed name (``debug_token``, ``oauth/access_token``).
Endpoints are declared with the node kind, the edge and what they need (:class:`Need`); the gate
reads the declaration and no handler repeats its checks.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from adgate import ids
from adgate.policy.access import unsupported
from adgate.protocol import envelope
from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params
from adgate.protocol.versions import OLDEST_SERVED, refuse_retired_on_ads, served_version, split_version
from adgate.web.requests import bearer_in, parse_query, read_params
from adgate.web.responses import SECURITY_HEADERS

if TYPE_CHECKING:
    from adgate.services.registry import Services

Handler = Callable[["GraphCall"], Awaitable[Any]]
Auth = Literal["none", "token", "optional"]

#: Paths that are not nodes: (first segment, second segment or "").
FIXED_PATHS = {"debug_token": "debug_token", "oauth": "oauth", "search": "search"}

#: Products of the Marketing (Ads) API: a retired version on their paths gets 2635, not an upgrade.
ADS_PRODUCTS = frozenset({"ads_read", "ads_management", "ads_insights", "audiences", "business_management"})

#: The key, in an ASGI scope's ``state``, that marks a Graph call the consoles make on their own
#: (the explorer's Page list and page token): decided like any call, but not the app's traffic
#: (:attr:`GraphCall.tooling`). Only code in this process can set it: a client sends headers and
#: a body, never the scope.
CONSOLE_TOOLING = "adgate.console_tooling"


@dataclass(frozen=True, slots=True)
class Need:
    """What an endpoint needs from the caller; the gate decides from this alone."""

    #: Marketing product: "ads_management", "ads_insights", "business_management", "audiences", "pages".
    product: str | None = None
    #: The token must carry at least one of these scopes.
    permissions: tuple[str, ...] = ()
    write: bool = False
    #: The ad account the call touches (numeric id), from the call's node (its kind and id, nothing
    #: else: the gate's memo of an admission is keyed by the node); None if it can't be identified.
    account: Callable[[GraphCall], Awaitable[str | None]] | None = None
    #: The call spans several ad accounts (or none can be identified): refused below that level.
    multi_account: bool = False
    #: The call manages ad accounts, people or Pages through Business Manager.
    business_manager: bool = False
    #: The call creates a Page (``POST /{user-id}/accounts``): allowed only where the level says so.
    page_creation: bool = False


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    node: str
    edge: str | None
    handler: Handler
    auth: Auth = "token"
    need: Need = field(default_factory=Need)


@dataclass(slots=True)
class GraphCall:
    """One Graph call, from HTTP or from a batch item."""

    method: str
    path: str
    version: str | None
    node_kind: str
    node_id: str | None
    edge: str | None
    rest: tuple[str, ...]
    params: Params
    headers: Mapping[str, str]
    fbtrace_id: str
    services: Services
    raw_token: str | None = None
    #: Filled in by the gate: who is calling (an ``adgate.services`` caller object).
    caller: Any = None
    #: Filled in by the gate once the token is found, valid or not: the app it names.
    app_id: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    #: Made by the consoles on their own (:data:`CONSOLE_TOOLING`): the gate decides it as any
    #: call but counts it nowhere (no rate-limit count, no usage), so it moves no figure of the app.
    tooling: bool = False
    #: A fault rule of the sandbox failed this call (``adgate.services.faults``): not the app's usage.
    injected: bool = False
    #: The ad account whose limits counted this call, once the rate-limit step let it through
    #: (the settlers count an Insights call's user error against it).
    metered_account: str | None = None


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
    if getattr(caller, "kind", None) != "user" or getattr(caller, "person_id", None) != call.node_id:
        raise GraphError.unsupported(call.method, call.node_id)


#: Paths that are pages or control APIs, never Graph nodes.
NON_GRAPH_PREFIXES = ("/_", "/metrics", "/static/", "/console", "/dialog")


def is_graph_path(path: str) -> bool:
    if path.startswith(NON_GRAPH_PREFIXES):
        return False
    # /v26.0/dialog/oauth is the login dialog (www.facebook.com's path), not a Graph node.
    return "/dialog/" not in path


#: Compact JSON, as Graph writes it, for what orjson declines (an int past 64 bits, a non-str key).
GRAPH_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def graph_json(result: Any) -> bytes:
    """A handler's result as Graph writes JSON: compact, UTF-8 (orjson: several times faster than
    ``json``, the same bytes for what handlers return: str keys, str/int/float/bool/None values)."""
    try:
        return orjson.dumps(result)
    except TypeError:
        return GRAPH_JSON.encode(result).encode()


#: HTTP methods a Graph path answers (HEAD as GET); any other gets the 405 envelope.
GRAPH_METHODS = frozenset({"GET", "HEAD", "POST", "DELETE"})


class GraphApp:
    """Every Graph path, as plain ASGI: the hot path of the server, so no per-request framework
    objects (Starlette's router, ``Request``, ``Response``) stand between the socket and the gate.

    Called by :class:`adgate.web.middleware.EdgeMiddleware`, which has set the trace id and limits
    the body; returns the status it sent. POST bodies are read through a Starlette ``Request``
    (form, multipart, JSON: :func:`adgate.web.requests.read_params`), a GET's parameters straight
    from the query string. A handler may return a Starlette ``Response`` (rare); it is sent as is,
    with the usage headers, the trace id and the security headers added.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> int:
        services = self.services
        state = scope["state"]
        fbtrace_id: str = state["fbtrace_id"]
        method = scope["method"]
        call: GraphCall | None = None
        api_version = OLDEST_SERVED
        try:
            if method not in GRAPH_METHODS:
                raise GraphError.of("method_not_allowed", method=method, path=scope["path"])
            version, rest = split_version(scope["path"])
            api_version = served_version(version)
            if method == "GET" or method == "HEAD":
                method = "GET"
                params = Params(parse_query(scope["query_string"].decode("latin-1")))
                headers: Mapping[str, str] = Headers(scope=scope)
            else:
                request = Request(scope, receive)
                params = await read_params(request)
                headers = request.headers
            # method=DELETE|POST as a parameter is how Graph lets GET-only clients write.
            override = params.get("method")
            if override is not None and override.upper() in ("GET", "POST", "DELETE"):
                method = override.upper()
                params = params.without("method")
            kind, node_id, edge, extra = await resolve(services, rest.split("/") if rest else [], method)
            call = GraphCall(
                method=method,
                path="/" + rest,
                version=version,
                node_kind=kind,
                node_id=node_id,
                edge=edge,
                rest=extra,
                params=params,
                headers=headers,
                fbtrace_id=fbtrace_id,
                services=services,
                raw_token=params.get_str("access_token") or bearer_in(headers),
                tooling=state.get(CONSOLE_TOOLING) is True,
            )
            result = await dispatch(call, services.router, services.gate)
        except GraphError as exc:
            state["graph_error"] = exc
            below = getattr(exc, "http_status", None), getattr(exc, "drop", False)
            if below != (None, False):
                return await send_failure(send, *below)
            status, body, error_headers = envelope.render(exc, fbtrace_id)
            if call is not None:
                error_headers.update(call.response_headers)
            await send_json(send, status, body, error_headers, fbtrace_id, api_version)
            return status
        if isinstance(result, Response):
            result.headers.update(call.response_headers)
            result.headers["x-fb-trace-id"] = fbtrace_id
            result.headers["facebook-api-version"] = api_version
            result.raw_headers.extend(SECURITY_HEADERS)
            await result(scope, receive, send)
            return result.status_code
        body = graph_json(result)
        await send_json(send, 200, body, call.response_headers, fbtrace_id, api_version)
        return 200


async def send_failure(send: Send, http_status: int | None, drop: bool) -> int:
    """A failure below Graph's envelope (a sandbox fault): a bare 5xx, or an answer cut short.

    To cut the connection the server is told to expect a body it never gets: the ASGI server then
    closes the connection mid-answer, as a crashed or overloaded upstream does.
    """
    if drop:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1024")]})
        with contextlib.suppress(Exception):
            await send({"type": "http.response.body", "body": b"{", "more_body": False})
        return 200
    status = http_status or 500
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
    return status


async def send_json(
    send: Send,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    fbtrace_id: str,
    api_version: str = OLDEST_SERVED,
) -> None:
    """One JSON response in two ASGI messages, its headers encoded in one pass; the
    ``facebook-api-version`` header names the version that answered (facebook-sdk's
    ``get_version`` reads it)."""
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *[(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
        (b"x-fb-trace-id", fbtrace_id.encode()),
        (b"facebook-api-version", api_version.encode()),
        *SECURITY_HEADERS,
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
