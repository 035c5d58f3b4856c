"""What every console page shares: the session, the CSRF check, the signed-in person, rendering.

The consoles use the login dialog's session cookie and CSRF token (:mod:`adgate.web.session`):
signing in to the console signs the browser in to the dialog too, as on Facebook, and a password
change or a log-out everywhere ends both. Every POST carries ``fb_dtsg``; a missing or foreign
token gets a 403 page and changes nothing. Bad input of any kind is the same page again with a
message and status 400; an app the person has no role on is a 404 page. Never a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adgate import records as r
from adgate.protocol.errors import GraphError
from adgate.services.tokens.tools import TokenTools
from adgate.services.world.dashboard import Dashboard
from adgate.web.session import CSRF_FIELD, Session, Sessions
from adgate.web.templating import render

if TYPE_CHECKING:
    from adgate.services.gateway import Gateway
    from adgate.services.registry import Services

ADMIN_COOKIE = "adgate_console_admin"
_CODE_PREFIX = re.compile(r"^\(#\d+\)\s*")


@dataclass(slots=True)
class Console:
    services: Services
    sessions: Sessions
    dashboard: Dashboard
    tools: TokenTools
    admin_mac_key: bytes
    #: The access layer in front of an upstream API (``ADGATE_GATEWAY_FILE``), if configured.
    gateway: Gateway | None


def build_console(
    services: Services, sessions: Sessions, tools: TokenTools, gateway: Gateway | None
) -> Console:
    """The console's parts, built once by the composition root (``adgate.app.create_app``)."""
    return Console(
        services,
        sessions,
        Dashboard(services.core, services.world),
        tools,
        services.core.keyring.derive("console-admin"),
        gateway,
    )


def parts(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def message_of(error: GraphError) -> str:
    """A Graph message without its ``(#100)`` prefix: the page says it in words."""
    return _CODE_PREFIX.sub("", error.message)


def when(timestamp: int | None, now: int, never: str = "Never") -> str:
    """A time on the server clock, readable: ``2026-11-28 12:45 UTC (in 2 hours)``."""
    if not timestamp:
        return never
    text = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{text} ({_relative(timestamp - now)})"


def day(timestamp: int | None) -> str:
    """Just the date (UTC), for narrow tables."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d") if timestamp else ""


def _relative(seconds: int) -> str:
    ago = seconds < 0
    left = abs(seconds)
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if left >= size:
            n = left // size
            amount = f"{n} {unit}{'s' if n != 1 else ''}"
            break
    else:
        return "now"
    return f"{amount} ago" if ago else f"in {amount}"


@dataclass(slots=True)
class Ctx:
    """One console request: who, what they sent, and how to answer."""

    request: Request
    console: Console
    session: Session
    person: r.Person | None
    form: list[tuple[str, str]] = field(default_factory=list)
    new_session: bool = False

    @property
    def services(self) -> Services:
        return self.console.services

    @property
    def me(self) -> r.Person:
        assert self.person is not None
        return self.person

    @property
    def now(self) -> int:
        return self.services.core.now()

    def field(self, name: str) -> str:
        values = [v for k, v in self.form if k == name]
        return values[0] if len(values) == 1 else ""

    def fields(self, name: str) -> list[str]:
        return [v for k, v in self.form if k == name]

    def checked(self, name: str) -> bool:
        return self.field(name) in ("on", "1", "true", "yes")

    def render(self, template: str, status: int = 200, /, **context: Any) -> Response:
        common: dict[str, Any] = {
            "me": self.person,
            "csrf_field": CSRF_FIELD,
            "csrf": self.console.sessions.csrf_token(self.session),
            "when": lambda ts, never="Never": when(ts, self.now, never),
            "day": day,
            "path": self.request.url.path,
            "error": None,
            "notice": None,
        }
        common.update(context)
        return render(template, status, **common)

    def problem(self, error: GraphError) -> Response:
        status = 404 if error.spec.status == 404 else 400
        title = "Not found" if status == 404 else "That did not work"
        message = (
            "There is no such page, or you have no role on that app." if status == 404 else message_of(error)
        )
        return self.render("console/problem.html", status, title=title, message=message)

    def admin_token(self) -> str:
        return hmac.new(self.console.admin_mac_key, self.session.sid.encode(), hashlib.sha256).hexdigest()

    async def is_admin(self) -> bool:
        """The admin key was entered in this browser session, which the server still keeps."""
        given = self.request.cookies.get(ADMIN_COOKIE, "")
        if not given or not hmac.compare_digest(given.encode(), self.admin_token().encode()):
            return False
        return await self.services.world.sessions.admin_unlocked(self.session.sid, self.now)


Handler = Callable[[Ctx], Awaitable[Response]]


def page(
    *, post: bool = False, signed_in: bool = True
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler: session, CSRF (POST), sign-in (unless ``signed_in=False``), errors as pages."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            console = parts(request)
            session = console.sessions.read(request)
            new_session = session is None
            if session is None:
                session = console.sessions.anonymous()
            person = await console.dashboard.person(session.visitor())
            ctx = Ctx(request, console, session, person, new_session=new_session)
            if post:
                try:
                    async with request.form() as form:  # closes uploaded files, which are never used
                        ctx.form = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
                except Exception:  # the multipart parser has no common error base
                    return ctx.render(
                        "console/problem.html", 400, title="Bad form", message="The form could not be read."
                    )
                if new_session or not console.sessions.csrf_valid(session, ctx.field(CSRF_FIELD)):
                    return ctx.render(
                        "console/problem.html",
                        403,
                        title="This form has expired",
                        message="The form was not sent from this console, or your session changed since it "
                        "was shown. Go back, reload the page and try again.",
                    )
            if signed_in and person is None:
                response: Response = RedirectResponse(
                    f"/console/login?next={quote(request.url.path)}", status_code=303
                )
            else:
                try:
                    response = await handler(ctx)
                except GraphError as exc:
                    response = ctx.problem(exc)
            if ctx.new_session:
                console.sessions.write(response, ctx.session, secure=request.url.scheme == "https")
            return response

        return run

    return wrap


def safe_next(value: str) -> str:
    """Where to go after signing in: a console path only (no open redirect)."""
    if value.startswith("/console") and not value.startswith("//") and "\\" not in value:
        return value
    return "/console/apps"


def see_other(location: str) -> Response:
    return RedirectResponse(location, status_code=303)


def explorer_callback(ctx: Ctx) -> str:
    """The redirect URI the Graph explorer uses: a console page of this very server."""
    public = ctx.services.settings.public_url
    base = (public or str(ctx.request.base_url)).rstrip("/")
    return f"{base}/console/tools/explorer/callback"
