"""The deliveries console, ``/console/deliveries``: every call adgate made to apps (Deauthorize and
Data Deletion Request callbacks, Webhooks), each try with its status, latency and the start of the
answer, the app's data-deletion confirmation, and "Send again". Guarded like the sandbox console.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate.protocol.errors import GraphError
from adgate.web.console.base import Ctx, message_of, page, when

NO_AUTH = "console/sandbox_unlock.html"


async def _render(ctx: Ctx, status: int = 200, **extra: Any) -> Response:
    if not await ctx.is_admin():
        return ctx.render(NO_AUTH, status, **extra)
    now = ctx.now
    rows = []
    for delivery, attempts in await ctx.services.callbacks.deliveries(limit=100):
        rows.append(
            {
                "d": delivery,
                "created": when(delivery.created_at, now),
                "next": when(delivery.next_at, now) if delivery.status == "pending" else "",
                "answer": json.loads(delivery.answer) if delivery.answer else None,
                "attempts": [{**a.to_json(), "when": when(a.at, now)} for a in attempts],
            }
        )
    return ctx.render("console/deliveries.html", status, rows=rows, **extra)


@page(signed_in=False)
async def show(ctx: Ctx) -> Response:
    return await _render(ctx)


@page(post=True, signed_in=False)
async def send_again(ctx: Ctx) -> Response:
    if not await ctx.is_admin():
        return ctx.render(NO_AUTH, 403, error="Enter the admin key first.")
    raw = str(ctx.request.path_params["id"])
    try:
        if not raw.isdigit():
            raise GraphError.invalid("the delivery id is a number")
        await ctx.services.callbacks.send_again(int(raw))
    except GraphError as exc:
        return await _render(ctx, 400, error=message_of(exc))
    return await _render(ctx, notice=f"Delivery {raw} will be sent again now.")


def routes() -> list[BaseRoute]:
    return [
        Route("/console/deliveries", show, methods=["GET"]),
        Route("/console/deliveries/{id}/send", send_again, methods=["POST"]),
    ]
