"""Graph over HTTP: the ASGI part of every Graph path (``/{version}/{node}/{edge}/{rest…}``).

It parses the request (version, method, parameters, token), hands the call to
:func:`adgate.services.gate.router.dispatch` (the gate, then the endpoint's handler) and renders
the answer or the error envelope. What a call is and how it is admitted live in
:mod:`adgate.services.gate`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from adgate.protocol import envelope
from adgate.protocol.errors import GraphError
from adgate.protocol.images import Upload
from adgate.protocol.params import Params, bearer_in, parse_query
from adgate.protocol.versions import OLDEST_SERVED, served_version, split_version
from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import dispatch, resolve
from adgate.web.requests import read_body
from adgate.web.responses import SECURITY_HEADERS

if TYPE_CHECKING:
    from adgate.services.registry import Services

#: The key, in an ASGI scope's ``state``, that marks a Graph call the consoles make on their own
#: (the explorer's Page list and page token): decided like any call, but not the app's traffic
#: (:attr:`adgate.services.gate.call.GraphCall.tooling`). Only code in this process can set it: a
#: client sends headers and a body, never the scope.
CONSOLE_TOOLING = "adgate.console_tooling"

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
                files: tuple[Upload, ...] = ()
            else:
                request = Request(scope, receive)
                params, files = await read_body(request)
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
                files=files,
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
