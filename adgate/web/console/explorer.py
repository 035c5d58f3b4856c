"""The Graph explorer, ``/console/tools/explorer`` (seed, "Via Graph API Explorer").

Pick an app and permissions; **Get User Token** sends the browser through the real login dialog
(``/v26.0/dialog/oauth``) with the redirect URI ``{console}/console/tools/explorer/callback``,
which the app must list among its Valid OAuth redirect URIs (its Settings page adds it in one
click). Two flows, as the seed describes them:

- ``response_type=token`` (client-side, the default): the dialog puts a short-lived token in the
  URL fragment; a small script (``/static/console-explorer.js``) posts it back to the console.
- ``response_type=code`` (server-side): the console exchanges the code with the app secret, which
  it holds for the app's administrators and developers, for a long-lived token. No script needed.

``state`` is bound to the browser's session (an HMAC of its CSRF token), so a callback that this
browser did not start is refused. Then: Get Page Token (``GET /{page}?fields=access_token``), and
run any GET, shown with its status, JSON and usage headers. Tokens travel in POST bodies, never
in URLs.

Calls go through the whole gate, in process, as an HTTP client's would. Whose traffic they are:

- **Submit** runs the Graph call the developer typed, with the app's token: it *is* the app's
  traffic, counted as any client's call (calls, errors, rate limits, the review criteria), and its
  usage headers are shown.
- What the explorer does on its own, the Page list it shows next to a user token (a background
  ``GET /me/accounts`` on every render) and the page-token fetch behind **Get Page Token**, is
  console tooling (:data:`adgate.web.graph.CONSOLE_TOOLING`): decided like any call, counted
  nowhere, so a token without Page permissions does not give the app a permission error.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from adgate.policy.permissions import PERMISSIONS
from adgate.protocol.errors import GraphError
from adgate.web.console.base import Ctx, explorer_callback, message_of, page
from adgate.web.graph import CONSOLE_TOOLING, is_graph_path

VERSION = "v26.0"
SHOWN_HEADERS = (
    "x-app-usage",
    "x-ad-account-usage",
    "x-business-use-case-usage",
    "x-fb-ads-insights-throttle",
    "x-fb-trace-id",
    "www-authenticate",
    "retry-after",
)
MAX_PATH = 2000


def _state(ctx: Ctx, app_id: str) -> str:
    key = ctx.console.sessions.csrf_token(ctx.session).encode()
    return f"{app_id}.{hmac.new(key, app_id.encode(), hashlib.sha256).hexdigest()[:32]}"


def _state_app(ctx: Ctx, state: str) -> str | None:
    app_id, _, _mac = state.partition(".")
    return app_id if app_id and hmac.compare_digest(_state(ctx, app_id).encode(), state.encode()) else None


async def _render(ctx: Ctx, status: int = 200, **extra: Any) -> Response:
    apps = await ctx.console.dashboard.my_apps(ctx.me.id)
    token = str(extra.get("token") or "")
    pages: list[dict[str, Any]] = []
    if token and extra.get("kind", "user") == "user":
        _s, _h, body = await _get(ctx, f"/{VERSION}/me/accounts?fields=id,name", token, tooling=True)
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            pages = [p for p in body["data"] if isinstance(p, dict)]
    values: dict[str, Any] = {
        "apps": apps,
        "permissions": list(PERMISSIONS),
        "token": "",
        "kind": "user",
        "chosen": set(),
        "app_id": apps[0].app.id if apps else "",
        "response_type": "token",
        "path": "me?fields=id,name",
        "result": None,
        "pages": pages,
        "callback": explorer_callback(ctx),
    }
    values.update(extra)
    values["pages"] = pages
    return ctx.render("console/explorer.html", status, **values)


def _as_tooling(app: ASGIApp) -> ASGIApp:
    """``app``, with every call through it marked as the console's own (not the app's traffic)."""

    async def marked(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "state": {**scope.get("state", {}), CONSOLE_TOOLING: True}}, receive, send)

    return marked


async def _get(ctx: Ctx, path: str, token: str, *, tooling: bool = False) -> tuple[int, dict[str, str], Any]:
    """``GET path`` through the whole server; ``tooling``: the console's own call, counted nowhere."""
    app: ASGIApp = ctx.request.app
    transport = httpx.ASGITransport(app=_as_tooling(app) if tooling else app)
    async with httpx.AsyncClient(transport=transport, base_url="http://adgate.internal") as client:
        response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    headers = {k: v for k, v in response.headers.items() if k.lower() in SHOWN_HEADERS}
    return response.status_code, headers, body


def _graph_path(raw: str) -> str:
    path = (raw or "").strip()
    if not path or len(path) > MAX_PATH or "://" in path or any(c.isspace() for c in path):
        raise GraphError.invalid("Enter a Graph path such as me?fields=id,name or act_123/campaigns.")
    path = "/" + path.lstrip("/")
    if not path.startswith("/v"):
        path = f"/{VERSION}{path}"
    if not is_graph_path(path.split("?", 1)[0]):
        raise GraphError.invalid("The explorer runs Graph paths only, not console or sandbox pages.")
    return path


@page()
async def show(ctx: Ctx) -> Response:
    return await _render(ctx)


@page(post=True)
async def get_token(ctx: Ctx) -> Response:
    app_id = ctx.field("app_id")
    chosen = [p for p in ctx.fields("scope") if p in PERMISSIONS]
    response_type = ctx.field("response_type") or "token"
    values: dict[str, Any] = {"app_id": app_id, "chosen": set(chosen), "response_type": response_type}
    if response_type not in ("token", "code"):
        return await _render(
            ctx, 400, error="Choose a token (client-side) or code (server-side) flow.", **values
        )
    try:
        mine = await ctx.console.dashboard.app_for(ctx.me.id, app_id)
    except GraphError:
        return await _render(ctx, 400, error="Choose one of your apps.", **values)
    callback = explorer_callback(ctx)
    if callback not in mine.app.redirect_uris:
        message = (
            f"Add {callback} to the Valid OAuth redirect URIs of {mine.app.name} first "
            "(its Settings page has a button for it)."
        )
        return await _render(ctx, 400, error=message, missing_uri_app=mine.app.id, **values)
    query = urlencode(
        {
            "client_id": mine.app.id,
            "redirect_uri": callback,
            "scope": ",".join(chosen),
            "response_type": response_type,
            "state": _state(ctx, mine.app.id),
        }
    )
    return RedirectResponse(f"/{VERSION}/dialog/oauth?{query}", status_code=303)


@page()
async def callback_get(ctx: Ctx) -> Response:
    query = ctx.request.query_params
    if query.get("error"):
        return await _render(ctx, 400, error=query.get("error_description") or "The login was cancelled.")
    if query.get("code"):
        app_id = _state_app(ctx, query.get("state", ""))
        if app_id is None:
            return await _render(ctx, 400, error="This login was not started from this browser: start again.")
        try:
            token = await ctx.console.tools.redeem_code(ctx.me, app_id, query["code"], explorer_callback(ctx))
        except GraphError as exc:
            return await _render(ctx, 400, app_id=app_id, error=message_of(exc))
        return await _render(
            ctx, app_id=app_id, token=token, notice="A long-lived user token (server-side flow)."
        )
    return ctx.render("console/explorer_callback.html")


@page(post=True)
async def callback_post(ctx: Ctx) -> Response:
    app_id = _state_app(ctx, ctx.field("state"))
    if app_id is None:
        return await _render(ctx, 400, error="This login was not started from this browser: start again.")
    token = ctx.field("access_token").strip()
    if not token:
        return await _render(ctx, 400, app_id=app_id, error="The dialog sent no access token back.")
    return await _render(
        ctx, app_id=app_id, token=token, notice="A short-lived user token (client-side flow)."
    )


@page(post=True)
async def page_token(ctx: Ctx) -> Response:
    token, page_id, app_id = ctx.field("access_token").strip(), ctx.field("page_id"), ctx.field("app_id")
    if not token or not page_id.isdigit():
        return await _render(
            ctx, 400, app_id=app_id, token=token, error="Get a user token, then pick a Page."
        )
    status, _h, body = await _get(ctx, f"/{VERSION}/{page_id}?fields=access_token,name", token, tooling=True)
    if status != 200 or not isinstance(body, dict) or "access_token" not in body:
        result = {"status": status, "headers": {}, "json": json.dumps(body, indent=2)}
        return await _render(
            ctx,
            400,
            app_id=app_id,
            token=token,
            result=result,
            error="No page token: the token needs manage_pages and a role on the Page.",
        )
    return await _render(
        ctx,
        app_id=app_id,
        token=body["access_token"],
        kind="page",
        notice=f"A page token for {body.get('name', page_id)}.",
    )


@page(post=True)
async def run(ctx: Ctx) -> Response:
    token, app_id, raw_path = ctx.field("access_token").strip(), ctx.field("app_id"), ctx.field("path")
    kind = "page" if ctx.field("kind") == "page" else "user"
    try:
        path = _graph_path(raw_path)
    except GraphError as exc:
        return await _render(
            ctx, 400, app_id=app_id, token=token, kind=kind, path=raw_path, error=message_of(exc)
        )
    if not token:
        return await _render(
            ctx, 400, app_id=app_id, path=raw_path, error="Get or paste an access token first."
        )
    status, headers, body = await _get(ctx, path, token)
    result = {"status": status, "headers": headers, "json": json.dumps(body, indent=2, ensure_ascii=False)}
    return await _render(ctx, app_id=app_id, token=token, kind=kind, path=raw_path, result=result)


def routes() -> list[BaseRoute]:
    base = "/console/tools/explorer"
    return [
        Route(base, show, methods=["GET"]),
        Route(f"{base}/token", get_token, methods=["POST"]),
        Route(f"{base}/callback", callback_get, methods=["GET"]),
        Route(f"{base}/callback", callback_post, methods=["POST"]),
        Route(f"{base}/page", page_token, methods=["POST"]),
        Route(f"{base}/run", run, methods=["POST"]),
    ]
