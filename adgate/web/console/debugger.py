"""The Access Token Debugger, ``/console/tools/debug`` (seed, "Check the properties in Access Token
Debugger" and "Exchange for Long-Lived Access Token").

| route | what |
|---|---|
| ``GET /console/tools/debug`` | the form |
| ``POST /console/tools/debug`` | every field ``debug_token`` gives, dates readable on the server clock |
| ``POST /console/tools/debug/extend`` | Extend Access Token: a long-lived token, shown once |

Tokens travel in POST bodies only, never in a URL; the page shows a token only right after the
person asked for it (pasted it, or extended it).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate.protocol.errors import GraphError
from adgate.web.console.base import Ctx, message_of, page, when


def rows(data: dict[str, Any], now_text: Any) -> list[tuple[str, str]]:
    """The debugger's table, in the order the seed walks through it."""
    out: list[tuple[str, str]] = []
    if "app_id" in data:
        out.append(("App ID", f"{data['app_id']} : {data.get('application', '')}"))
    if "type" in data:
        out.append(("Type", str(data["type"])))
    if "user_id" in data:
        out.append(("User ID", str(data["user_id"])))
    if "profile_id" in data:
        out.append(("Profile ID (Page)", str(data["profile_id"])))
    if "issued_at" in data:
        out.append(("Issued", now_text(data["issued_at"])))
    if "expires_at" in data:
        out.append(("Expires", now_text(data["expires_at"])))
    if "data_access_expires_at" in data:
        out.append(("Data Access Expires", now_text(data["data_access_expires_at"])))
    out.append(("Valid", "True" if data.get("is_valid") else "False"))
    error = data.get("error")
    if error:
        sub = f", subcode {error['subcode']}" if "subcode" in error else ""
        out.append(("Why not valid", f"{error['message']} (code {error['code']}{sub})"))
    out.append(("Scopes", ", ".join(data.get("scopes", [])) or "none"))
    for item in data.get("granular_scopes", []):
        out.append((f"Granular scope {item['scope']}", ", ".join(item.get("target_ids", [])) or "no pages"))
    return out


def _render(ctx: Ctx, status: int = 200, **extra: Any) -> Response:
    extra.setdefault("input_token", "")
    extra.setdefault("rows", None)
    extra.setdefault("data", None)
    extra.setdefault("extended", None)
    return ctx.render("console/debug.html", status, **extra)


@page()
async def show(ctx: Ctx) -> Response:
    return _render(ctx)


def _text(ctx: Ctx) -> Any:
    now = ctx.now
    return lambda ts: when(ts, now)


@page(post=True)
async def debug(ctx: Ctx) -> Response:
    raw = ctx.field("input_token")
    try:
        data = await ctx.console.tools.debug(ctx.me, raw)
    except GraphError as exc:
        return _render(ctx, 400, input_token=raw, error=message_of(exc))
    return _render(ctx, input_token=raw.strip(), data=data, rows=rows(data, _text(ctx)))


@page(post=True)
async def extend(ctx: Ctx) -> Response:
    raw = ctx.field("input_token")
    try:
        body = await ctx.console.tools.extend(ctx.me, raw)
        data = await ctx.console.tools.debug(ctx.me, body["access_token"])
    except GraphError as exc:
        return _render(ctx, 400, input_token=raw, error=message_of(exc))
    notice = "A long-lived token was made. Copy it now: it is shown only this once."
    return _render(
        ctx,
        input_token=body["access_token"],
        extended=body["access_token"],
        data=data,
        rows=rows(data, _text(ctx)),
        notice=notice,
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/console/tools/debug", show, methods=["GET"]),
        Route("/console/tools/debug", debug, methods=["POST"]),
        Route("/console/tools/debug/extend", extend, methods=["POST"]),
    ]
