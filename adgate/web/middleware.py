"""The outermost layer, as plain ASGI for speed: trace id, body limit, headers, metrics, log.

- Every response carries an ``x-fb-trace-id``; errors carry the same id as ``fbtrace_id``.
- Bodies above ``max_body_bytes`` are refused with a Graph envelope before they are read.
- Anything that escapes a handler becomes a code-1 envelope: never a stack trace.
- HTML gets anti-framing and a strict content policy; nothing is cached.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adgate.protocol import envelope
from adgate.protocol.errors import GraphError
from adgate.web.graph import GraphApp, is_graph_path
from adgate.web.metrics import Metrics, area_of
from adgate.web.responses import SECURITY_HEADERS

log = logging.getLogger("adgate.access")

HTML_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self'; frame-ancestors 'none'; form-action 'self' http: https:",
    ),
    (b"cache-control", b"no-store"),
]


#: ``GET /_health``, answered here without the framework: what the route in ``adgate/app.py``
#: answers, headers included, built once.
HEALTH_PATH = "/_health"
_HEALTH_BODY = b'{"status":"ok"}'
_HEALTH_HEADERS = (
    (b"content-length", str(len(_HEALTH_BODY)).encode()),
    (b"content-type", b"application/json"),
    *SECURITY_HEADERS,
)


class _BodyTooLarge(Exception):
    pass


class EdgeMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        metrics: Metrics,
        graph: GraphApp | None = None,
        health: bool = False,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics
        #: Graph paths go straight here, past the framework (``adgate.app.is_graph_path``).
        self.graph = graph
        #: ``GET``/``HEAD /_health`` answered here (the liveness probe: it reads nothing).
        self.health = health

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()  # a duration, not a time of day: the clock rule doesn't apply
        limit = self.max_body_bytes
        declared = _content_length(scope)
        if (
            self.health
            and scope["path"] == HEALTH_PATH
            and scope["method"] in ("GET", "HEAD")
            and (declared is None or declared <= limit)
        ):
            # A new message each time: whatever wraps ``send`` may change it in place.
            await send({"type": "http.response.start", "status": 200, "headers": list(_HEALTH_HEADERS)})
            await send(
                {"type": "http.response.body", "body": _HEALTH_BODY if scope["method"] == "GET" else b""}
            )
            # The probe's answer carries no trace id: one is made only for its access line.
            self._record(scope, "graph", 200, started, None, None)
            return

        fbtrace_id = envelope.new_fbtrace_id()
        state = scope.setdefault("state", {})
        state["fbtrace_id"] = fbtrace_id
        status = 500
        response_started = False

        if declared is not None and declared > limit:
            await self._send_error(send, GraphError.of("body_too_large", limit=limit), fbtrace_id)
            self._record(scope, area_of(scope["path"]), 413, started, "100", fbtrace_id)
            return

        if self.graph is not None and is_graph_path(scope["path"]):
            await self._graph(self.graph, scope, receive, send, started, fbtrace_id)
            return

        limited_receive = self._limited(receive)

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                if any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    headers.extend(HTML_HEADERS)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited_receive, send_wrapper)
        except _BodyTooLarge:
            if not response_started:
                await self._send_error(send, GraphError.of("body_too_large", limit=limit), fbtrace_id)
            status = 413
        except Exception:
            log.exception("unhandled error", extra={"fields": {"fbtrace_id": fbtrace_id}})
            if not response_started:
                await self._send_error(send, GraphError.of("unknown"), fbtrace_id)
            status = 500
        error: GraphError | None = state.get("graph_error")
        code = str(error.code) if error else None
        self._record(scope, area_of(scope["path"]), status, started, code, fbtrace_id)

    async def _graph(
        self, graph: GraphApp, scope: Scope, receive: Receive, send: Send, started: float, fbtrace_id: str
    ) -> None:
        """A Graph call: the Graph app sends its own headers, so no ``send`` wrapper is needed;
        a GET's body is never read, so only other methods get the body limit."""
        if scope["method"] not in ("GET", "HEAD"):
            receive = self._limited(receive)
        try:
            status = await graph(scope, receive, send)
        except _BodyTooLarge:
            await self._send_error(
                send, GraphError.of("body_too_large", limit=self.max_body_bytes), fbtrace_id
            )
            status = 413
        except Exception:
            # The Graph app sends nothing before its handler has answered: no response started.
            log.exception("unhandled error", extra={"fields": {"fbtrace_id": fbtrace_id}})
            await self._send_error(send, GraphError.of("unknown"), fbtrace_id)
            status = 500
        error: GraphError | None = scope["state"].get("graph_error")
        self._record(scope, "graph", status, started, str(error.code) if error else None, fbtrace_id)

    def _limited(self, receive: Receive) -> Receive:
        """``receive``, raising :class:`_BodyTooLarge` once the body passes the limit."""
        limit = self.max_body_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        return limited_receive

    def _record(
        self, scope: Scope, area: str, status: int, started: float, code: str | None, fbtrace_id: str | None
    ) -> None:
        elapsed = time.perf_counter() - started
        self.metrics.observe(area, scope["method"], status, elapsed, code)
        if log.isEnabledFor(logging.INFO):  # the fields are built only for a line that is written
            fields = {
                "method": scope["method"],
                "path": scope["path"],  # never the query string: tokens travel there
                "status": status,
                "code": code,
                "ms": round(elapsed * 1000, 2),
                "fbtrace_id": fbtrace_id or envelope.new_fbtrace_id(),
            }
            # makeRecord + handle is what log.info does, less the walk up the stack for the
            # caller's file and line, which the JSON line does not print.
            log.handle(
                log.makeRecord(
                    log.name, logging.INFO, __file__, 0, "request", (), None, extra={"fields": fields}
                )
            )

    @staticmethod
    async def _send_error(send: Send, error: GraphError, fbtrace_id: str) -> None:
        status, body, headers = envelope.render(error, fbtrace_id)
        raw: list[Any] = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        raw += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        raw += [(b"x-fb-trace-id", fbtrace_id.encode()), *SECURITY_HEADERS]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
