"""HTML routes: each page area (login dialog, consoles) adds its routes to this list."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
