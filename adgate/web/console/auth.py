"""Signing in to the console and out of it (the dialog's session: see :mod:`adgate.web.console.base`).

| route | what |
|---|---|
| ``GET /console`` | to My apps (or the sign-in page) |
| ``GET /console/login`` | the sign-in form |
| ``POST /console/login`` | e-mail and password; a new session id on success (no session fixation) |
| ``POST /console/logout`` | forget this browser's session (other browsers stay signed in) |
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adgate.protocol.errors import GraphError
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
        person = await ctx.console.dashboard.sign_in(email, ctx.field("password"))
    except GraphError as exc:
        return ctx.render("console/login.html", 400, email=email, next=target, error=message_of(exc))
    fresh = ctx.console.sessions.for_person(person, ctx.now)
    response = see_other(target)
    ctx.console.sessions.write(response, fresh, secure=ctx.request.url.scheme == "https")
    ctx.new_session = False
    return response


@page(post=True, signed_in=False)
async def logout(ctx: Ctx) -> Response:
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
