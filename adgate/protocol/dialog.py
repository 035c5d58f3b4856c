"""The login dialog's wire format: its parameters in, its redirects out (docs/graph-facts.md §1.1).

``GET /{ver}/dialog/oauth?client_id=…&redirect_uri=…&scope=…&state=…&response_type=…&auth_type=…``
with PKCE's ``code_challenge`` / ``code_challenge_method`` (RFC 7636 §4.3). Parsing is pure and
checks only the shape of each value; whether the app exists and the redirect URI is one of its
own is the service's decision (:mod:`adgate.services.dialog.authorize`). Every problem is a
:class:`DialogError`, which the web layer shows as an HTML page (never a redirect: RFC 6749
§4.1.2.1 forbids redirecting to an unverified URI, and RFC 9700 §4.11 warns of open redirectors).

Redirects back to the app:

- ``code`` (the default): ``{redirect_uri}?code=…&state=…``
- ``token``: ``{redirect_uri}#access_token=…&data_access_expiration_time=…&expires_in=…&state=…``
- ``code token``: the fragment carries both.
- ``granted_scopes``: adds ``granted_scopes=a,b`` (fragment with ``token``, query otherwise).
- Cancel: ``?error_reason=user_denied&error=access_denied&error_description=The+user+denied+your+request.``
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from adgate import ids
from adgate.policy.permissions import parse_scope, unknown_permissions
from adgate.policy.urls import url_problem

#: The parameters a dialog request is made of, in the order forms carry them.
NAMES: tuple[str, ...] = (
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "response_type",
    "auth_type",
    "code_challenge",
    "code_challenge_method",
)
RESPONSE_TYPES: tuple[str, ...] = ("code", "token", "granted_scopes")
#: ``reauthorize`` (renew data access after 90 days) is the JS SDK's name; docs/graph-facts.md §1.1 mark it
#: unconfirmed.
AUTH_TYPES: tuple[str, ...] = ("rerequest", "reauthenticate", "reauthorize")
PKCE_METHODS: tuple[str, ...] = ("S256", "plain")

#: Longest value accepted for each parameter (adgate's choice: Graph publishes none).
MAX_LENGTH: dict[str, int] = {
    "client_id": 20,
    "redirect_uri": 2000,
    "scope": 2000,
    "state": 2048,
    "response_type": 100,
    "auth_type": 50,
    "code_challenge": 128,
    "code_challenge_method": 10,
}
MAX_SCOPES = 50
#: RFC 7636 §4.1: code verifiers (and so plain challenges) use the unreserved characters only.
_PKCE_CHARS = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
#: RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)) without padding: 43 characters.
_S256 = re.compile(r"^[A-Za-z0-9\-_]{43}$")

DENIED_DESCRIPTION = "The user denied your request."


class DialogError(Exception):
    """A dialog request that cannot go on: shown as an HTML page, never redirected."""

    def __init__(self, title: str, message: str, status: int = 400) -> None:
        super().__init__(f"{title}: {message}")
        self.title = title
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class DialogParams:
    """One dialog request whose every value has the right shape."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    response_types: frozenset[str]
    auth_type: str | None
    code_challenge: str | None
    code_challenge_method: str | None

    @property
    def wants_token(self) -> bool:
        return "token" in self.response_types

    @property
    def wants_code(self) -> bool:
        return "code" in self.response_types

    def carried(self) -> dict[str, str]:
        """The request in canonical form, for the hidden fields of the dialog's forms."""
        values = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": ",".join(self.scopes),
            "state": self.state or "",
            "response_type": " ".join(t for t in RESPONSE_TYPES if t in self.response_types),
            "auth_type": self.auth_type or "",
            "code_challenge": self.code_challenge or "",
            "code_challenge_method": self.code_challenge_method or "",
        }
        return {k: v for k, v in values.items() if v}


def parse(items: Iterable[tuple[str, str]]) -> DialogParams:
    """Check the shape of every dialog parameter; raise :class:`DialogError` on the first problem.

    ``items`` is the raw list of pairs, so that a repeated parameter is caught (RFC 6749 §3.1:
    "Request and response parameters MUST NOT be included more than once").
    """
    raw: dict[str, str] = {}
    for name, value in items:
        if name not in MAX_LENGTH:
            continue  # Graph ignores parameters it does not know (display, locale, …)
        if name in raw:
            raise DialogError("Invalid Request", f"The parameter {name} was given more than once.")
        if len(value) > MAX_LENGTH[name]:
            raise DialogError(
                "Invalid Request", f"The parameter {name} is longer than {MAX_LENGTH[name]} characters."
            )
        raw[name] = value

    client_id = raw.get("client_id", "").strip()
    if not client_id:
        raise DialogError("Invalid App ID", "The client_id parameter is missing: the dialog needs an app ID.")
    if not ids.is_numeric_id(client_id):
        raise DialogError(
            "Invalid App ID", f'The provided app ID "{client_id}" does not look like a valid app ID.'
        )

    redirect_uri = raw.get("redirect_uri", "")
    if not redirect_uri:
        raise DialogError("Missing redirect_uri", "The redirect_uri parameter is required.")
    if url_problem(redirect_uri, what="redirect_uri"):
        raise DialogError("URL Blocked", URL_BLOCKED)

    return DialogParams(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=_scopes(raw.get("scope", "")),
        state=raw.get("state") or None,
        response_types=_response_types(raw.get("response_type", "")),
        auth_type=_auth_type(raw.get("auth_type", "")),
        code_challenge=raw.get("code_challenge") or None,
        code_challenge_method=_pkce(raw.get("code_challenge", ""), raw.get("code_challenge_method", "")),
    )


#: docs/graph-facts.md §1.1: Graph shows this page, and does not redirect, when the redirect URI is not
#: registered.
URL_BLOCKED = (
    "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth "
    "Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid "
    "OAuth Redirect URIs."
)


def _scopes(value: str) -> tuple[str, ...]:
    names = parse_scope(value)
    if len(names) > MAX_SCOPES:
        raise DialogError("Invalid Scopes", f"At most {MAX_SCOPES} permissions can be requested at once.")
    unknown = unknown_permissions(names)
    if unknown:
        listed = ", ".join(unknown)
        raise DialogError(
            "Invalid Scopes",
            f"Invalid Scopes: {listed}. Ask only for permissions that exist "
            "(see https://developers.facebook.com/docs/permissions).",
        )
    return tuple(names)


def _response_types(value: str) -> frozenset[str]:
    # docs/graph-facts.md §1.1: "code%20token" (a space); a comma and "+" are accepted too, as clients send
    # them.
    parts = [p for p in re.split(r"[\s,+]+", value.strip()) if p]
    unknown = [p for p in parts if p not in RESPONSE_TYPES]
    if unknown:
        raise DialogError(
            "Invalid response_type",
            f"response_type must be made of {', '.join(RESPONSE_TYPES)}; got {', '.join(unknown)}.",
        )
    types = set(parts)
    if not types & {"code", "token"}:
        types.add("code")  # the default; granted_scopes alone rides on a code response
    return frozenset(types)


def _auth_type(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if value not in AUTH_TYPES:
        raise DialogError(
            "Invalid auth_type", f"auth_type must be one of {', '.join(AUTH_TYPES)}; got {value}."
        )
    return value


def _pkce(challenge: str, method: str) -> str | None:
    """RFC 7636 §4.3: ``code_challenge_method`` defaults to ``plain``; S256 is the one to use."""
    if not challenge:
        if method:
            raise DialogError(
                "Invalid PKCE request", "code_challenge_method was given without code_challenge."
            )
        return None
    method = method or "plain"
    if method not in PKCE_METHODS:
        raise DialogError(
            "Invalid PKCE request", f"code_challenge_method must be S256 or plain; got {method}."
        )
    pattern = _S256 if method == "S256" else _PKCE_CHARS
    if not pattern.match(challenge):
        raise DialogError(
            "Invalid PKCE request",
            "code_challenge must be 43 base64url characters for S256, or 43 to 128 unreserved "
            "characters for plain (RFC 7636 §4.2).",
        )
    return method


# --- redirects back to the app ------------------------------------------------------------------
def _join(redirect_uri: str, query: list[tuple[str, str]], fragment: list[tuple[str, str]]) -> str:
    location = redirect_uri
    if query:
        location += ("&" if "?" in redirect_uri else "?") + urlencode(query)
    if fragment:
        location += "#" + urlencode(fragment)
    return location


def success_location(
    params: DialogParams,
    *,
    code: str | None,
    access_token: str | None,
    expires_in: int | None,
    data_access_expiration_time: int | None,
    granted: tuple[str, ...],
) -> str:
    """Where the browser goes after Allow (docs/graph-facts.md §1.1)."""
    pairs: list[tuple[str, str]] = []
    if access_token is not None:
        pairs.append(("access_token", access_token))
    if code is not None:
        pairs.append(("code", code))
    if access_token is not None:
        if data_access_expiration_time is not None:
            pairs.append(("data_access_expiration_time", str(data_access_expiration_time)))
        if expires_in is not None:
            pairs.append(("expires_in", str(expires_in)))
    if "granted_scopes" in params.response_types:
        pairs.append(("granted_scopes", ",".join(granted)))
    if params.state is not None:
        pairs.append(("state", params.state))
    if params.wants_token:
        return _join(params.redirect_uri, [], pairs)
    return _join(params.redirect_uri, pairs, [])


def denied_location(params: DialogParams) -> str:
    """Where the browser goes after Cancel (docs/graph-facts.md §1.1), in the query whatever the response
    type."""
    pairs = [
        ("error_reason", "user_denied"),
        ("error", "access_denied"),
        ("error_description", DENIED_DESCRIPTION),
    ]
    if params.state is not None:
        pairs.append(("state", params.state))
    return _join(params.redirect_uri, pairs, [])
