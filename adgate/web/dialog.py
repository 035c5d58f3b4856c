"""The OAuth login dialog as HTML pages: thin handlers over :mod:`adgate.services.dialog.authorize`
(docs/graph-facts.md §1.1).

| route | what |
|---|---|
| ``GET /dialog/oauth``, ``GET /{version}/dialog/oauth`` | the dialog: a login page or a consent page |
| ``POST …/dialog/oauth/login`` | the login form (e-mail and password) |
| ``POST …/dialog/oauth/confirm`` | the consent form (Allow with the checked permissions, or Cancel) |

Each handler: read the session cookie, check the CSRF token (POST), call one service decision,
render the step. Bad input of any kind is an HTML page with status 400 and a message that says
what is wrong; the only redirects go to a redirect URI the service has just validated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adgate.policy.permissions import DEFAULT_PERMISSIONS, PERMISSIONS
from adgate.protocol.errors import GraphError
from adgate.protocol.versions import split_version
from adgate.services.dialog.authorize import (
    AskConsent,
    AskPassword,
    Authorize,
    LoggedIn,
    Problem,
    Redirect,
    Step,
)
from adgate.web.session import CSRF_FIELD, Session, Sessions
from adgate.web.templating import render

if TYPE_CHECKING:
    from adgate.services.registry import Services

FORBIDDEN = Problem(
    403,
    "This form has expired",
    "The form was not sent from this login dialog, or your session changed since it was shown. "
    "Go back to the app and start again.",
)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class VersionConvertor(Convertor[str]):
    """``v26.0``-shaped path segments only, so that other paths fall through to the Graph router."""

    regex = r"v[0-9]{1,3}\.[0-9]{1,2}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("graph_version", VersionConvertor())


@dataclass(slots=True)
class DialogParts:
    authorize: Authorize
    sessions: Sessions


def build_dialog(services: Services, sessions: Sessions) -> DialogParts:
    """The dialog's parts, built once by the composition root (``adgate.app.create_app``)."""
    return DialogParts(Authorize(services.core, services.world), sessions)


def _parts(request: Request) -> DialogParts:
    parts: DialogParts = request.app.state.dialog
    return parts


def _prefix(request: Request) -> str:
    """``/v26.0`` or ``""``; an unserved version is refused like any bad input."""
    version = request.path_params.get("version")
    if version is None:
        return ""
    split_version(f"/{version}/dialog/oauth")  # raises for a deprecated or future version
    return f"/{version}"


async def _form(request: Request) -> list[tuple[str, str]]:
    try:
        async with request.form() as form:  # closes uploaded files, which are never used
            return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    except Exception:  # the multipart parser has no common error base; any failure is bad input
        raise ValueError("The form could not be read.") from None


def _one(items: list[tuple[str, str]], name: str) -> str:
    values = [v for k, v in items if k == name]
    return values[0] if len(values) == 1 else ""


# --- handlers ---------------------------------------------------------------------------------
async def show(request: Request) -> Response:
    parts = _parts(request)
    session = parts.sessions.read(request)
    try:
        prefix = _prefix(request)
    except GraphError as exc:
        return _page(request, parts, Problem(400, "Unsupported version", exc.message), session, "")
    visitor = session.visitor() if session else None
    step = await parts.authorize.start(request.query_params.multi_items(), visitor)
    return _page(request, parts, step, session, prefix)


async def login(request: Request) -> Response:
    parts = _parts(request)
    session = parts.sessions.read(request)
    try:
        prefix = _prefix(request)
        items = await _form(request)
    except (GraphError, ValueError) as exc:
        return _page(request, parts, Problem(400, "Invalid Request", str(exc)), session, "")
    if not parts.sessions.csrf_valid(session, _one(items, CSRF_FIELD)):
        return _page(request, parts, FORBIDDEN, session, prefix)
    client = request.client.host if request.client else None
    result = await parts.authorize.login(items, _one(items, "email"), _one(items, "password"), client)
    if isinstance(result, LoggedIn):
        fresh = parts.sessions.for_person(result.person, result.authenticated_at)
        await parts.authorize.world.sessions.open(fresh.sid, result.person.id, result.authenticated_at)
        response = _page(request, parts, result.then, fresh, prefix)
        parts.sessions.write(response, fresh, secure=request.url.scheme == "https")
        return response
    return _page(request, parts, result, session, prefix)


async def confirm(request: Request) -> Response:
    parts = _parts(request)
    session = parts.sessions.read(request)
    try:
        prefix = _prefix(request)
        items = await _form(request)
    except (GraphError, ValueError) as exc:
        return _page(request, parts, Problem(400, "Invalid Request", str(exc)), session, "")
    if not parts.sessions.csrf_valid(session, _one(items, CSRF_FIELD)):
        return _page(request, parts, FORBIDDEN, session, prefix)
    visitor = session.visitor() if session else None
    checked = [v for k, v in items if k == "grant"]
    step = await parts.authorize.confirm(items, visitor, _one(items, "decision"), checked)
    return _page(request, parts, step, session, prefix)


# --- rendering --------------------------------------------------------------------------------
def _page(request: Request, parts: DialogParts, step: Step, session: Session | None, prefix: str) -> Response:
    if isinstance(step, Redirect):
        # 302 as Graph sends it. RFC 9700 §4.12 forbids 307 for a POST that carries credentials;
        # the only POST that carries a password (login) never redirects, it renders the consent page.
        return RedirectResponse(step.location, status_code=302, headers=NO_STORE)
    new_session = session is None
    if session is None:
        session = parts.sessions.anonymous()  # the CSRF binding for the login form
    response = _html(parts, step, session, prefix)
    if new_session:
        parts.sessions.write(response, session, secure=request.url.scheme == "https")
    return response


def _html(
    parts: DialogParts, step: Problem | AskPassword | AskConsent, session: Session, prefix: str
) -> Response:
    if isinstance(step, Problem):
        return render("dialog/error.html", step.status, title=step.title, message=step.message)
    common: dict[str, Any] = {
        "app": step.app,
        "hidden": step.params.carried(),
        "csrf_field": CSRF_FIELD,
        "csrf": parts.sessions.csrf_token(session),
        "login_action": f"{prefix}/dialog/oauth/login",
        "confirm_action": f"{prefix}/dialog/oauth/confirm",
    }
    if isinstance(step, AskPassword):
        return render("dialog/login.html", step.status, email=step.email, error=step.error, **common)
    return render(
        "dialog/consent.html",
        person=step.person,
        asked=[(name, PERMISSIONS[name]) for name in step.asked],
        kept=[(name, PERMISSIONS[name]) for name in step.kept],
        always=[(name, PERMISSIONS[name]) for name in DEFAULT_PERMISSIONS],
        returning=step.returning,
        pending_review=[(name, PERMISSIONS[name]) for name in step.pending_review],
        **common,
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/dialog/oauth", show, methods=["GET"]),
        Route("/{version:graph_version}/dialog/oauth", show, methods=["GET"]),
        Route("/dialog/oauth/login", login, methods=["POST"]),
        Route("/{version:graph_version}/dialog/oauth/login", login, methods=["POST"]),
        Route("/dialog/oauth/confirm", confirm, methods=["POST"]),
        Route("/{version:graph_version}/dialog/oauth/confirm", confirm, methods=["POST"]),
    ]
