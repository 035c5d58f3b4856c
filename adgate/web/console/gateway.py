"""The gateway console, ``/console/gateway``: the protected routes of the API adgate decides for
(``ADGATE_GATEWAY_FILE``) and this node's decisions on each. Guarded like the sandbox console."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate.web.console.base import Ctx, page


@page(signed_in=False)
async def show(ctx: Ctx) -> Response:
    if not await ctx.is_admin():
        return ctx.render("console/sandbox_unlock.html", 200)
    gateway = ctx.services.gateway
    return ctx.render("console/gateway.html", 200, api=gateway.routes_json() if gateway else None)


def routes() -> list[BaseRoute]:
    return [Route("/console/gateway", show, methods=["GET"])]
