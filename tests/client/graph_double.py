"""A small Graph stand-in on a real loopback socket, answering from a script.

For what a live adgate server cannot be made to do on demand: answer a 502 page, throttle with
exact envelopes and headers, or run batches. Each answer is ``(status, headers, body)``; requests
are recorded as they arrived.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Answer = tuple[int, dict[str, str], Any]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class GraphDouble:
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    #: Answers given in order; when empty, ``default`` answers.
    script: list[Answer] = field(default_factory=list)
    default: Callable[[Request], Answer] | None = None

    def answer(self, request: Request) -> Answer:
        self.requests.append(request)
        if self.script:
            return self.script.pop(0)
        if self.default is not None:
            return self.default(request)
        return 404, {}, {"error": {"message": "Unknown path", "type": "OAuthException", "code": 2500}}


def _handler(double: GraphDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            request = Request(
                self.command,
                parts.path,
                dict(parse_qsl(parts.query, keep_blank_values=True)),
                dict(parse_qsl(raw, keep_blank_values=True)),
                {k.lower(): v for k, v in self.headers.items()},
            )
            status, headers, body = double.answer(request)
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            content_type = "text/html" if isinstance(body, str) else "application/json"
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def graph_double() -> Iterator[GraphDouble]:
    double = GraphDouble()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(double))
    double.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield double
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def graph_error(code: int, message: str, subcode: int | None = None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, **extra}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "AbCdEfGh123"
    return {"error": error}


def debug_answer(**data: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "app_id": "1234",
        "type": "USER",
        "application": "Ads Helper",
        "data_access_expires_at": 0,
        "expires_at": 0,
        "is_valid": True,
        "scopes": ["ads_management", "public_profile"],
        "user_id": "555",
    }
    return {"data": {**base, **data}}
