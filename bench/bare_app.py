"""The floor for bench/http_stack.py: a bare ASGI app answering ``{"status":"ok"}``, served by
uvicorn exactly as ``adgate serve`` serves adgate (one worker, httptools, the event loop
``ADGATE_LOOP`` names as ``adgate serve --loop`` reads it, no access log, no server header, no
proxy headers).

.venv/bin/python bench/bare_app.py PORT
"""

from __future__ import annotations

import os
import sys
from typing import Any

BODY = b'{"status":"ok"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        access_log=False,
        log_config=None,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
        loop=os.environ.get("ADGATE_LOOP", "asyncio"),
    )
