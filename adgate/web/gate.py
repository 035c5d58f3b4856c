"""The gate: the one pipeline every Graph call passes (DESIGN.md, "The gate").

Foundation version: endpoints declared ``auth="none"`` pass; others need the token pipeline,
which the token issue fills in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adgate.protocol.errors import GraphError
from adgate.web.graph import Endpoint, GraphCall

if TYPE_CHECKING:
    from adgate.services.registry import Services


class FoundationGate:
    async def admit(self, call: GraphCall, endpoint: Endpoint) -> None:
        if endpoint.auth == "token":
            raise GraphError.of("no_token")

    async def settle(self, call: GraphCall, endpoint: Endpoint | None, error: GraphError | None) -> None:
        return None


def build_gate(services: Services) -> FoundationGate:
    return FoundationGate()
