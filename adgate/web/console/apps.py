"""My apps, create an app, its secret, its basic settings and its roles.

| route | what |
|---|---|
| ``GET /console/apps`` | My apps (every app the person has a role on) and the create form |
| ``POST /console/apps`` | create an app (the person becomes its administrator) |
| ``GET /console/apps/{id}`` | the app dashboard: App ID, access level, App Secret behind the password |
| ``POST /console/apps/{id}/secret`` | show the secret, after the password is entered again |
| ``POST /console/apps/{id}/secret/reset`` | a new secret (password + confirmation), shown once |
| ``GET, POST /console/apps/{id}/settings`` | name, site URL, redirect URIs, require app secret, mode |
| ``POST /console/apps/{id}/settings/explorer`` | add the Graph explorer's redirect URI in one click |
| ``GET, POST /console/apps/{id}/roles`` | the people with a role; add one by e-mail |
| ``POST /console/apps/{id}/roles/remove`` | take a person's role away |
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate import records as r
from adgate.protocol.errors import GraphError
from adgate.services.world.dashboard import MyApp
from adgate.web.console.base import Ctx, explorer_callback, message_of, page, see_other


def _app_id(ctx: Ctx) -> str:
    return str(ctx.request.path_params["app_id"])


@page()
async def my_apps(ctx: Ctx) -> Response:
    apps = await ctx.console.dashboard.my_apps(ctx.me.id)
    return ctx.render("console/apps.html", apps=apps, name="")


@page(post=True)
async def create(ctx: Ctx) -> Response:
    name = ctx.field("name")
    try:
        app = await ctx.console.dashboard.create_app(ctx.me.id, name)
    except GraphError as exc:
        apps = await ctx.console.dashboard.my_apps(ctx.me.id)
        return ctx.render("console/apps.html", 400, apps=apps, name=name, error=message_of(exc))
    return see_other(f"/console/apps/{app.id}?created=1")


def _summary(ctx: Ctx, mine: MyApp, status: int = 200, **extra: object) -> Response:
    limits = ctx.services.core.policy.limits_for(mine.app.access_level)
    created = ctx.request.query_params.get("created") == "1"
    extra.setdefault("secret", None)
    return ctx.render(
        "console/app.html",
        status,
        mine=mine,
        app=mine.app,
        tab="dashboard",
        level=limits,
        created=created,
        **extra,
    )


@page()
async def summary(ctx: Ctx) -> Response:
    return _summary(ctx, await ctx.console.dashboard.app_for(ctx.me.id, _app_id(ctx)))


@page(post=True)
async def reveal_secret(ctx: Ctx) -> Response:
    mine = await ctx.console.dashboard.app_for(ctx.me.id, _app_id(ctx))
    try:
        secret = await ctx.console.dashboard.reveal_secret(ctx.me.id, mine.app.id, ctx.field("password"))
    except GraphError as exc:
        return _summary(ctx, mine, 400, error=message_of(exc))
    return _summary(ctx, mine, secret=secret)


@page(post=True)
async def reset_secret(ctx: Ctx) -> Response:
    mine = await ctx.console.dashboard.app_for(ctx.me.id, _app_id(ctx))
    try:
        secret = await ctx.console.dashboard.reset_secret(
            ctx.me.id, mine.app.id, ctx.field("password"), ctx.checked("confirm")
        )
    except GraphError as exc:
        return _summary(ctx, mine, 400, error=message_of(exc))
    notice = "The secret was reset. Copy it now: app tokens made with the old one no longer work."
    return _summary(ctx, mine, secret=secret, notice=notice)


def _settings(ctx: Ctx, mine: MyApp, status: int = 200, **values: object) -> Response:
    app = mine.app
    form: dict[str, object] = {
        "name": app.name,
        "site_url": app.site_url or "",
        "redirect_uris": "\n".join(app.redirect_uris),
        "require_app_secret": app.require_app_secret,
        "mode": app.mode,
    }
    form.update(values.pop("form", {}) or {})  # type: ignore[call-overload]
    return ctx.render(
        "console/settings.html",
        status,
        mine=mine,
        app=app,
        tab="settings",
        form=form,
        modes=r.APP_MODES,
        callback=explorer_callback(ctx),
        **values,
    )


@page()
async def settings(ctx: Ctx) -> Response:
    return _settings(ctx, await ctx.console.dashboard.app_for(ctx.me.id, _app_id(ctx)))


@page(post=True)
async def save_settings(ctx: Ctx) -> Response:
    mine = await ctx.console.dashboard.app_for(ctx.me.id, _app_id(ctx))
    sent = {
        "name": ctx.field("name"),
        "site_url": ctx.field("site_url"),
        "redirect_uris": ctx.field("redirect_uris"),
        "require_app_secret": ctx.checked("require_app_secret"),
        "mode": ctx.field("mode"),
    }
    try:
        app = await ctx.console.dashboard.update_settings(
            ctx.me.id,
            mine.app.id,
            name=ctx.field("name"),
            site_url=ctx.field("site_url"),
            redirect_uris=ctx.field("redirect_uris"),
            require_app_secret=ctx.checked("require_app_secret"),
            mode=ctx.field("mode"),
        )
    except GraphError as exc:
        return _settings(ctx, mine, 400, form=sent, error=message_of(exc))
    return _settings(ctx, MyApp(app, mine.role), notice="Saved.")


@page(post=True)
async def register_explorer(ctx: Ctx) -> Response:
    mine = await ctx.console.dashboard.app_for(ctx.me.id, _app_id(ctx))
    try:
        app = await ctx.console.dashboard.add_redirect_uri(ctx.me.id, mine.app.id, explorer_callback(ctx))
    except GraphError as exc:
        return _settings(ctx, mine, 400, error=message_of(exc))
    return _settings(ctx, MyApp(app, mine.role), notice="The Graph explorer's redirect URI was added.")


async def _roles(ctx: Ctx, mine: MyApp, status: int = 200, **extra: object) -> Response:
    members = await ctx.console.dashboard.members(ctx.me.id, mine.app.id)
    extra.setdefault("email", "")
    return ctx.render(
        "console/roles.html",
        status,
        mine=mine,
        app=mine.app,
        tab="roles",
        members=members,
        roles=r.APP_ROLES,
        **extra,
    )


@page()
async def roles(ctx: Ctx) -> Response:
    return await _roles(ctx, await ctx.console.dashboard.app_for(ctx.me.id, _app_id(ctx)))


@page(post=True)
async def add_role(ctx: Ctx) -> Response:
    mine = await ctx.console.dashboard.app_for(ctx.me.id, _app_id(ctx))
    email = ctx.field("email")
    try:
        member = await ctx.console.dashboard.add_member(ctx.me.id, mine.app.id, email, ctx.field("role"))
    except GraphError as exc:
        return await _roles(ctx, mine, 400, email=email, error=message_of(exc))
    return await _roles(ctx, mine, notice=f"{member.person.name} is now {member.role} of this app.")


@page(post=True)
async def remove_role(ctx: Ctx) -> Response:
    mine = await ctx.console.dashboard.app_for(ctx.me.id, _app_id(ctx))
    try:
        await ctx.console.dashboard.remove_member(ctx.me.id, mine.app.id, ctx.field("person_id"))
    except GraphError as exc:
        return await _roles(ctx, mine, 400, error=message_of(exc))
    if ctx.field("person_id") == ctx.me.id:
        return see_other("/console/apps")
    return await _roles(ctx, mine, notice="Role removed.")


def routes() -> list[BaseRoute]:
    base = "/console/apps/{app_id}"
    return [
        Route("/console/apps", my_apps, methods=["GET"]),
        Route("/console/apps", create, methods=["POST"]),
        Route(base, summary, methods=["GET"]),
        Route(f"{base}/secret", reveal_secret, methods=["POST"]),
        Route(f"{base}/secret/reset", reset_secret, methods=["POST"]),
        Route(f"{base}/settings", settings, methods=["GET"]),
        Route(f"{base}/settings", save_settings, methods=["POST"]),
        Route(f"{base}/settings/explorer", register_explorer, methods=["POST"]),
        Route(f"{base}/roles", roles, methods=["GET"]),
        Route(f"{base}/roles", add_role, methods=["POST"]),
        Route(f"{base}/roles/remove", remove_role, methods=["POST"]),
    ]
