"""The sandbox console, ``/console/sandbox``: the world, and the sandbox's controls, in a browser.

Guarded by the admin key, asked for once and then remembered for this browser session: the
cookie ``adgate_console_admin`` holds an HMAC of the session id (under a key derived from the
server secret), so it is worthless in another session and dies with a sign-out. No person needs
to be signed in: the sandbox admin is whoever holds the key, as for ``/_sandbox/…``.

| route | what |
|---|---|
| ``GET /console/sandbox`` | the admin-key form, or the world and the controls |
| ``POST /console/sandbox/unlock`` | check the admin key (constant time) |
| ``POST …/{action}`` | person, business, ad_account, page, app, role, password, logout, clock, reset|
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate import records as r
from adgate.keyring import AdminKey
from adgate.protocol.errors import GraphError
from adgate.web.console.base import ADMIN_COOKIE, Ctx, message_of, page, see_other, when
from adgate.words import counted

Action = Callable[[Ctx], Awaitable[str]]
MAX_ADVANCE_DAYS = 3650


async def _world(ctx: Ctx) -> dict[str, Any]:
    async with ctx.services.core.db.transaction() as tx:
        return {
            "people": await tx.people.list(),
            "businesses": await tx.businesses.list(),
            "ad_accounts": await tx.ad_accounts.list(),
            "pages": await tx.pages.list(),
            "apps": await tx.apps.list(),
        }


async def _render(ctx: Ctx, status: int = 200, **extra: Any) -> Response:
    if not await ctx.is_admin():
        return ctx.render("console/sandbox_unlock.html", status, **extra)
    world = await _world(ctx)
    return ctx.render(
        "console/sandbox.html",
        status,
        world=world,
        now_text=when(ctx.now, ctx.now),
        kinds=("app", "ad_account", "page", "business"),
        role_names=sorted({*r.APP_ROLES, *r.AD_ACCOUNT_ROLES, *r.PAGE_ROLES, *r.BUSINESS_ROLES}),
        **extra,
    )


@page(signed_in=False)
async def show(ctx: Ctx) -> Response:
    return await _render(ctx)


@page(post=True, signed_in=False)
async def unlock(ctx: Ctx) -> Response:
    if not AdminKey(ctx.services.settings.admin_key).matches(ctx.field("admin_key")):
        return ctx.render(
            "console/sandbox_unlock.html", 400, error="That is not the admin key of this server."
        )
    person_id = ctx.person.id if ctx.person else None
    await ctx.services.world.sessions.unlock_admin(ctx.session.sid, person_id, ctx.now)
    response = see_other("/console/sandbox")
    response.set_cookie(
        ADMIN_COOKIE,
        ctx.admin_token(),
        path="/console",
        httponly=True,
        samesite="strict",
        secure=ctx.request.url.scheme == "https",
    )
    return response


async def _person_id(ctx: Ctx, email: str) -> str:
    async with ctx.services.core.db.transaction() as tx:
        person = await tx.people.by_email((email or "").strip().lower())
    if person is None:
        raise GraphError.invalid(f"No person has the e-mail address {email!r}.")
    return person.id


def _opt(value: str) -> str | None:
    return value.strip() or None


async def create_person(ctx: Ctx) -> str:
    p = await ctx.services.world.create_person(
        ctx.field("name"), ctx.field("email"), ctx.field("password"), is_reviewer=ctx.checked("is_reviewer")
    )
    return f"Person {p.name} ({p.id}) was created."


async def create_business(ctx: Ctx) -> str:
    admin = _opt(ctx.field("admin_email"))
    b = await ctx.services.world.create_business(
        ctx.field("name"), admin_id=await _person_id(ctx, admin) if admin else None
    )
    return f"Business {b.name} ({b.id}) was created."


async def create_ad_account(ctx: Ctx) -> str:
    a = await ctx.services.world.create_ad_account(
        ctx.field("name"),
        business_id=_opt(ctx.field("business_id")),
        account_id=_opt(ctx.field("account_id")),
    )
    return f"Ad account {a.name} (act_{a.id}) was created."


async def create_page(ctx: Ctx) -> str:
    p = await ctx.services.world.create_page(ctx.field("name"), business_id=_opt(ctx.field("business_id")))
    return f"Page {p.name} ({p.id}) was created."


async def create_app(ctx: Ctx) -> str:
    admin = _opt(ctx.field("admin_email"))
    app, _secret = await ctx.services.world.create_app(
        ctx.field("name"), admin_id=await _person_id(ctx, admin) if admin else None
    )
    return f"App {app.name} ({app.id}) was created; its administrators see its secret in My apps."


async def assign_role(ctx: Ctx) -> str:
    person_id = await _person_id(ctx, ctx.field("email"))
    role = await ctx.services.world.assign_role(
        ctx.field("kind"), ctx.field("object_id").strip(), person_id, ctx.field("role")
    )
    return f"{ctx.field('email')} is now {role.role} of {ctx.field('kind')} {role.object_id}."


async def change_password(ctx: Ctx) -> str:
    person = await ctx.services.world.change_password(
        await _person_id(ctx, ctx.field("email")), ctx.field("password")
    )
    return f"{person.name}'s password was changed: their tokens and sessions are now invalid."


async def log_out(ctx: Ctx) -> str:
    person = await ctx.services.world.log_out(await _person_id(ctx, ctx.field("email")))
    return f"{person.name} was logged out everywhere: their tokens and sessions are now invalid."


async def move_clock(ctx: Ctx) -> str:
    try:
        days = float(ctx.field("days") or "0")
        hours = float(ctx.field("hours") or "0")
    except ValueError:
        raise GraphError.invalid("Days and hours must be numbers, like 60 or 1.5.") from None
    finite = math.isfinite(days) and math.isfinite(hours)
    total_hours = days * 24 + hours
    if not finite or days < 0 or hours < 0 or not 0 < total_hours <= MAX_ADVANCE_DAYS * 24:
        raise GraphError.invalid(
            f"Move the clock forward by more than 0 and at most {MAX_ADVANCE_DAYS} days."
        )
    seconds = days * 86_400 + hours * 3_600
    await ctx.services.move_clock(lambda clock: clock.advance(seconds))
    return f"The clock moved forward by {counted(days, 'day')} and {counted(hours, 'hour')}."


async def reset(ctx: Ctx) -> str:
    if ctx.field("confirm") != "reset":
        raise GraphError.invalid('Type "reset" to confirm: every person, app, token and count is deleted.')
    await ctx.services.core.db.reset()
    await ctx.services.on_reset()
    return "The sandbox was reset: it is empty now."


ACTIONS: dict[str, Action] = {
    "person": create_person,
    "business": create_business,
    "ad_account": create_ad_account,
    "page": create_page,
    "app": create_app,
    "role": assign_role,
    "password": change_password,
    "logout": log_out,
    "clock": move_clock,
    "reset": reset,
}


@page(post=True, signed_in=False)
async def act(ctx: Ctx) -> Response:
    if not await ctx.is_admin():
        return ctx.render("console/sandbox_unlock.html", 403, error="Enter the admin key first.")
    action = ACTIONS.get(str(ctx.request.path_params["action"]))
    if action is None:
        return ctx.render("console/problem.html", 404, title="Not found", message="No such sandbox action.")
    try:
        notice = await action(ctx)
    except GraphError as exc:
        return await _render(ctx, 400, error=message_of(exc), failed=ctx.request.path_params["action"])
    return await _render(ctx, notice=notice)


def routes() -> list[BaseRoute]:
    return [
        Route("/console/sandbox", show, methods=["GET"]),
        Route("/console/sandbox/unlock", unlock, methods=["POST"]),
        Route("/console/sandbox/{action}", act, methods=["POST"]),
    ]
