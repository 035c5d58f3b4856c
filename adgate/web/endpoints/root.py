"""``GET /`` on the Graph host: a short description of the server, like a Graph explorer ping."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate import __version__
from adgate.protocol.versions import LATEST, OLDEST, format_version
from adgate.web.graph import GraphCall, GraphRouter

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register(router: GraphRouter, services: Services) -> None:
    @router.route("GET", "root", auth="none")
    async def root(call: GraphCall) -> Any:
        return {
            "name": "adgate",
            "version": __version__,
            "api_versions": {"oldest": format_version(OLDEST), "latest": format_version(LATEST)},
            "docs": "https://github.com/adgate/adgate#readme",
        }
