"""JSON and error responses, rendered the way Graph renders them."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from adgate.protocol import envelope
from adgate.protocol.errors import GraphError

#: On every response (the edge middleware adds them; the Graph path, which it does not wrap,
#: sends them itself).
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class GraphJSON(Response):
    """Compact JSON, ``text/javascript``-free: Graph answers ``application/json; charset=UTF-8``."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()


def error_response(error: GraphError, fbtrace_id: str) -> Response:
    status, body, headers = envelope.render(error, fbtrace_id)
    headers["x-fb-trace-id"] = fbtrace_id
    return Response(body, status_code=status, headers=headers, media_type="application/json")
