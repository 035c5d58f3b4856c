"""The gateway's decision endpoints, as plain ASGI: each proxy's external-authorization protocol.

| path | protocol | original request from |
|---|---|---|
| ``/_gateway/auth`` | Caddy ``forward_auth``, Traefik ``ForwardAuth`` | ``X-Forwarded-Method``, ``-Uri`` |
| ``/_gateway/nginx`` | nginx ``auth_request`` | ``X-Original-Method``, ``X-Original-URI`` |
| ``/_gateway/refusal`` | nginx's ``error_page`` hop that shows a refusal | ``X-Adgate-Refusal`` |
| ``/_gateway/envoy/{path}`` | Envoy ``ext_authz`` (HTTP service) | its own method and path |
| ``/_gateway/routes`` | ``GET``, ``PUT`` (TOML body), ``DELETE`` the routes (admin key) | — |

An admit is a 200 with the identity and usage headers. A refusal is the Graph envelope with its
own status, for Caddy, Traefik and Envoy, which hand the authorization answer to the client as
is. nginx's ``auth_request`` only knows 2xx, 401 and 403 (anything else becomes its own 500), so
``/_gateway/nginx`` answers a refusal with 403 and the whole answer in ``X-Adgate-Refusal``,
signed with the server's key; nginx's ``error_page`` sends that header back to
``/_gateway/refusal``, which answers it with the real status, body and headers. Stateless, so any
node can answer the second hop. A decision request without the original method or URI is a 400
naming the header, never an admit.
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Mapping

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from adgate.keyring import AdminKey
from adgate.protocol import envelope
from adgate.protocol.errors import GraphError
from adgate.services.gateway import Decision, Forwarded, Gateway
from adgate.web.responses import SECURITY_HEADERS

REFUSAL_HEADER = "x-adgate-refusal"
#: The largest routes text ``PUT /_gateway/routes`` takes.
MAX_ROUTES_BYTES = 256 * 1024
#: Hop-by-hop and framing headers never copied into a refusal shown by nginx's second hop.
_NOT_COPIED = frozenset({"content-length", "connection", "transfer-encoding"})


class GatewayApp:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.keyring = gateway.services.core.keyring
        self.admin_key = gateway.services.settings.admin_key or ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        fbtrace_id: str = scope["state"]["fbtrace_id"]
        headers = Headers(scope=scope)
        try:
            if path == "/_gateway/auth":
                forwarded = _forwarded(headers, "x-forwarded-method", "x-forwarded-uri", fbtrace_id)
                await _send(send, await self.gateway.decide(forwarded))
            elif path == "/_gateway/nginx":
                forwarded = _forwarded(headers, "x-original-method", "x-original-uri", fbtrace_id)
                await self._nginx(send, await self.gateway.decide(forwarded))
            elif path == "/_gateway/refusal":
                await self._refusal(send, headers.get(REFUSAL_HEADER, ""), fbtrace_id)
            elif path.startswith("/_gateway/envoy/"):
                query = scope["query_string"].decode("latin-1")
                uri = path.removeprefix("/_gateway/envoy") + (f"?{query}" if query else "")
                await _send(
                    send, await self.gateway.decide(Forwarded(scope["method"], uri, headers, fbtrace_id))
                )
            elif path == "/_gateway/routes":
                await self._routes(scope, receive, send, headers)
            else:
                raise GraphError.of("not_found", node=path)
        except GraphError as exc:
            scope["state"]["graph_error"] = exc
            status, body, error_headers = envelope.render(exc, fbtrace_id)
            await _send(
                send, Decision(False, status, body, {**error_headers, "content-type": "application/json"})
            )

    async def _routes(self, scope: Scope, receive: Receive, send: Send, headers: Headers) -> None:
        """``GET`` the routes; ``PUT`` new ones (their TOML as the body); ``DELETE``: the file's again."""
        self._admin(headers)
        method = scope["method"]
        if method == "PUT":
            body = await Request(scope, receive).body()  # the edge middleware bounds it too
            if len(body) > MAX_ROUTES_BYTES:
                raise GraphError.of("body_too_large", limit=MAX_ROUTES_BYTES)
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise GraphError.invalid("the routes must be UTF-8 TOML text") from None
            await self.gateway.replace(text)
        elif method == "DELETE":
            await self.gateway.revert()
        elif method != "GET":
            raise GraphError.of("method_not_allowed", method=method, path="/_gateway/routes")
        else:
            await self.gateway.refresh()
        payload = orjson.dumps(self.gateway.routes_json())
        await _send(send, Decision(True, 200, payload, {"content-type": "application/json"}))

    def _admin(self, headers: Headers) -> None:
        given = (headers.get("authorization") or "").removeprefix("Bearer ").strip()
        if not AdminKey(self.admin_key).matches(given):
            raise GraphError.of("admin_key")

    async def _nginx(self, send: Send, decision: Decision) -> None:
        if decision.allowed:
            await _send(send, decision)
            return
        sealed = self._seal(decision)
        await _send(send, Decision(False, 403, b"", {REFUSAL_HEADER: sealed}))

    def _seal(self, decision: Decision) -> str:
        payload = base64.urlsafe_b64encode(
            orjson.dumps({"s": decision.status, "b": decision.body.decode(), "h": decision.headers})
        ).decode()
        return f"{payload}.{self.keyring.digest('gateway-refusal:' + payload)}"

    async def _refusal(self, send: Send, sealed: str, fbtrace_id: str) -> None:
        payload, _, mac = sealed.partition(".")
        expected = self.keyring.digest("gateway-refusal:" + payload)
        if not payload or not hmac.compare_digest(mac.encode(), expected.encode()):
            raise GraphError.invalid(f"{REFUSAL_HEADER} is missing or was not made by this server")
        data = json.loads(base64.urlsafe_b64decode(payload))
        headers = {k: v for k, v in data["h"].items() if k not in _NOT_COPIED}
        await _send(send, Decision(False, int(data["s"]), data["b"].encode(), headers))


def _forwarded(headers: Mapping[str, str], method_header: str, uri_header: str, fbtrace_id: str) -> Forwarded:
    method = headers.get(method_header)
    uri = headers.get(uri_header)
    for name, value in ((method_header, method), (uri_header, uri)):
        if not value:
            raise GraphError.of("gateway_missing_header", header=_title(name))
    assert method is not None
    assert uri is not None
    if not uri.startswith("/"):
        raise GraphError.invalid(f"{_title(uri_header)} must be a path starting with /")
    return Forwarded(method.upper(), uri, headers, fbtrace_id)


def _title(name: str) -> str:
    return "-".join(part.capitalize() if part != "uri" else "URI" for part in name.split("-")).replace(
        "Uri", "URI"
    )


async def _send(send: Send, decision: Decision) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in decision.headers.items()]
    raw.append((b"content-length", str(len(decision.body)).encode()))
    raw.extend(SECURITY_HEADERS)
    await send({"type": "http.response.start", "status": decision.status, "headers": raw})
    await send({"type": "http.response.body", "body": decision.body})
