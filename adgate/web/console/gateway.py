"""The gateway console, ``/console/gateway``: the protected routes of the API adgate decides for,
this node's decisions on each, and their TOML to edit (stored for every node, as
``PUT /_gateway/routes`` does) or to take back to the file's. Guarded like the sandbox console."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate.protocol.errors import GraphError
from adgate.web.console.base import Ctx, message_of, page

NO_AUTH = "console/sandbox_unlock.html"


async def _render(ctx: Ctx, status: int = 200, **extra: Any) -> Response:
    gateway = ctx.console.gateway
    if gateway is not None:
        await gateway.refresh()
    api = gateway.routes_json() if gateway else None
    return ctx.render("console/gateway.html", status, api=api, **extra)


@page(signed_in=False)
async def show(ctx: Ctx) -> Response:
    if not await ctx.is_admin():
        return ctx.render(NO_AUTH, 200)
    return await _render(ctx)


@page(post=True, signed_in=False)
async def save(ctx: Ctx) -> Response:
    gateway = ctx.console.gateway
    if not await ctx.is_admin() or gateway is None:
        return ctx.render(NO_AUTH, 403, error="Enter the admin key first.")
    try:
        if ctx.request.path_params["action"] == "revert":
            await gateway.revert()
            return await _render(ctx, notice="The routes are the gateway file's again, on every node.")
        await gateway.replace(ctx.field("text"))
    except GraphError as exc:
        return await _render(ctx, 400, error=message_of(exc), text=ctx.field("text"))
    return await _render(ctx, notice="The routes were saved: every node decides with them from now on.")


def routes() -> list[BaseRoute]:
    return [
        Route("/console/gateway", show, methods=["GET"]),
        Route("/console/gateway/{action:str}", save, methods=["POST"]),
    ]
