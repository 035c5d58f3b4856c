"""JSON and error responses, rendered the way Graph renders them."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from adgate.protocol import envelope
from adgate.protocol.errors import GraphError


class GraphJSON(Response):
    """Compact JSON, ``text/javascript``-free: Graph answers ``application/json; charset=UTF-8``."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()


def error_response(error: GraphError, fbtrace_id: str) -> Response:
    status, body, headers = envelope.render(error, fbtrace_id)
    headers["x-fb-trace-id"] = fbtrace_id
    return Response(body, status_code=status, headers=headers, media_type="application/json")
