"""Signing in to the console and out of it (the dialog's session: see :mod:`adgate.web.console.base`).

| route | what |
|---|---|
| ``GET /console`` | to My apps (or the sign-in page) |
| ``GET /console/login`` | the sign-in form |
| ``POST /console/login`` | e-mail and password; a new session id on success (no session fixation) |
| ``POST /console/logout`` | end this browser's session on the server (other browsers stay signed in) |
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate.protocol.errors import GraphError
from adgate.services.world.dashboard import SignInLocked
from adgate.web.console.base import ADMIN_COOKIE, Ctx, message_of, page, safe_next, see_other
from adgate.web.session import COOKIE_NAME


@page(signed_in=False)
async def home(ctx: Ctx) -> Response:
    return see_other("/console/apps" if ctx.person else "/console/login")


@page(signed_in=False)
async def show_login(ctx: Ctx) -> Response:
    target = safe_next(ctx.request.query_params.get("next", ""))
    if ctx.person is not None:
        return see_other(target)
    return ctx.render("console/login.html", email="", next=target)


@page(post=True, signed_in=False)
async def login(ctx: Ctx) -> Response:
    target = safe_next(ctx.field("next"))
    email = ctx.field("email")
    try:
        client = ctx.request.client.host if ctx.request.client else None
        person = await ctx.console.dashboard.sign_in(email, ctx.field("password"), client)
    except GraphError as exc:
        status = 429 if isinstance(exc, SignInLocked) else 400
        return ctx.render("console/login.html", status, email=email, next=target, error=message_of(exc))
    fresh = ctx.console.sessions.for_person(person, ctx.now)
    await ctx.services.world.sessions.open(fresh.sid, person.id, ctx.now)
    response = see_other(target)
    ctx.console.sessions.write(response, fresh, secure=ctx.request.url.scheme == "https")
    ctx.new_session = False
    return response


@page(post=True, signed_in=False)
async def logout(ctx: Ctx) -> Response:
    # Ended on the server: a copy of the cookie opens nothing afterwards, on any node.
    await ctx.services.world.sessions.end(ctx.session.sid)
    response = see_other("/console/login")
    response.delete_cookie(COOKIE_NAME, path="/")
    response.delete_cookie(ADMIN_COOKIE, path="/console")
    ctx.new_session = False
    return response


def routes() -> list[BaseRoute]:
    return [
        Route("/console", home, methods=["GET"]),
        Route("/console/login", show_login, methods=["GET"]),
        Route("/console/login", login, methods=["POST"]),
        Route("/console/logout", logout, methods=["POST"]),
    ]
