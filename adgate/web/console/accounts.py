"""Settings > Advanced > Marketing API: the Ads API account configuration tool.

Seed, "Managing Account Lists": "Enter in an account ID. You should enter a numeric value; do not
include act_ from the account ID … When you reach your maximum, Add is disabled." The list shows
how each entry got there: added by a call (automatically) or here (by hand).

| route | what |
|---|---|
| ``GET /console/apps/{id}/settings/advanced`` | the list, the maximum for the level, the Add form |
| ``POST …/settings/advanced/accounts`` | add an ad account by its numeric id |
| ``POST …/settings/advanced/accounts/remove`` | remove one |
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate.protocol.errors import GraphError
from adgate.services.account_list import AccountListView
from adgate.services.world.dashboard import MyApp
from adgate.web.console.base import Ctx, message_of, page


async def _render(
    ctx: Ctx, mine: MyApp, view: AccountListView | None = None, status: int = 200, **extra: object
) -> Response:
    if view is None:
        view = await ctx.console.dashboard.account_list(ctx.me.id, mine.app.id)
    extra.setdefault("account_id", "")
    return ctx.render(
        "console/advanced.html",
        status,
        mine=mine,
        app=mine.app,
        tab="advanced",
        view=view,
        level=ctx.services.core.policy.limits_for(view.level),
        **extra,
    )


async def _mine(ctx: Ctx) -> MyApp:
    return await ctx.console.dashboard.app_for(ctx.me.id, str(ctx.request.path_params["app_id"]))


@page()
async def show(ctx: Ctx) -> Response:
    mine = await _mine(ctx)
    await ctx.console.dashboard.account_list(ctx.me.id, mine.app.id)  # role check before anything
    return await _render(ctx, mine)


@page(post=True)
async def add(ctx: Ctx) -> Response:
    mine = await _mine(ctx)
    given = ctx.field("account_id")
    try:
        view = await ctx.console.dashboard.add_account(ctx.me.id, mine.app.id, given)
    except GraphError as exc:
        return await _render(ctx, mine, status=400, account_id=given, error=message_of(exc))
    return await _render(ctx, mine, view, notice=f"Ad account {given.strip()} was added.")


@page(post=True)
async def remove(ctx: Ctx) -> Response:
    mine = await _mine(ctx)
    given = ctx.field("account_id")
    try:
        view = await ctx.console.dashboard.remove_account(ctx.me.id, mine.app.id, given)
    except GraphError as exc:
        return await _render(ctx, mine, status=400, error=message_of(exc))
    return await _render(ctx, mine, view, notice=f"Ad account {given.strip()} was removed.")


def routes() -> list[BaseRoute]:
    base = "/console/apps/{app_id}/settings/advanced"
    return [
        Route(base, show, methods=["GET"]),
        Route(f"{base}/accounts", add, methods=["POST"]),
        Route(f"{base}/accounts/remove", remove, methods=["POST"]),
    ]
