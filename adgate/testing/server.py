"""A real adgate server on a free loopback port, in a background thread.

For clients that need a socket (the official SDK, requests-oauthlib, a browser). The server runs
the whole app (migrations, lifespan) exactly as ``adgate serve`` does.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from adgate.app import create_app
from adgate.clock import Clock
from adgate.services.registry import Services
from adgate.settings import Settings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(slots=True)
class LiveServer:
    url: str
    app: Starlette
    services: Services
    admin_key: str


@contextmanager
def live_server(settings: Settings, *, clock: Clock | None = None) -> Iterator[LiveServer]:
    """Start a server for ``settings``; stop it (gracefully) when the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    from dataclasses import replace

    settings = replace(settings, public_url=settings.public_url or url).with_persisted_secrets()
    app = create_app(settings, clock=clock)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, access_log=False, log_config=None, lifespan="on", loop="asyncio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"adgate-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("adgate test server did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(url=url, app=app, services=app.state.services, admin_key=settings.admin_key or "")
    finally:
        server.should_exit = True
        thread.join(timeout=20)
