"""HTML routes: each page area (login dialog, consoles) adds its routes to this list."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from adgate.web import apps_api, console, dialog, review_api

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def routes() -> list[BaseRoute]:

    return [
        *dialog.routes(),
        *apps_api.routes,
        *review_api.routes,
        *console.routes(),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
