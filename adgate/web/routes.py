"""Every Graph endpoint module registers itself here, in one list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adgate.web.graph import GraphRouter

if TYPE_CHECKING:
    from adgate.services.registry import Services


def register_graph_routes(router: GraphRouter, services: Services) -> None:
    from adgate.web.endpoints import root

    for module in (root,):
        module.register(router, services)
