"""The consoles: server-rendered pages under ``/console/``, one module per area."""

from __future__ import annotations

from starlette.routing import BaseRoute

from adgate.web.console import (
    accounts,
    apps,
    auth,
    debugger,
    deliveries,
    explorer,
    faults,
    gateway,
    review,
    sandbox,
)


def routes() -> list[BaseRoute]:

    found: list[BaseRoute] = []
    for module in (auth, apps, accounts, review, debugger, explorer, sandbox, faults, deliveries, gateway):
        found.extend(module.routes())
    return found
