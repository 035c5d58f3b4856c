"""``GET|POST /{ver}/oauth/access_token`` (and unversioned): the token endpoint (docs/graph-facts.md §1.2 to
§1.4).

Thin: read the parameters and the client's credentials, call
:class:`adgate.services.tokens.exchange.Exchange`.
Credentials come in the query or form body (Graph's own style) or as HTTP Basic, which is what
requests-oauthlib sends by default (docs/graph-facts.md §12.5; RFC 6749 §2.3.1 form-encodes both
halves before base64). Every answer, success or error, carries ``Cache-Control: no-store``
(RFC 6749 §5.1).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from adgate.protocol.errors import GraphError
from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.tokens.exchange import Exchange, TokenRequest

if TYPE_CHECKING:
    from adgate.services.registry import Services

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def basic_credentials(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """``Authorization: Basic base64(id:secret)`` → ``(id, secret)``; None without that header."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise GraphError.invalid(
            "The Authorization header does not hold valid HTTP Basic credentials"
        ) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise GraphError.invalid("The Authorization header does not hold valid HTTP Basic credentials")
    return unquote_plus(client_id), unquote_plus(secret)


def token_request(call: GraphCall) -> TokenRequest:
    params = call.params
    client_id = params.get_str("client_id")
    client_secret = params.get_str("client_secret")
    basic = basic_credentials(call.headers)
    if basic is not None:
        # RFC 6749 §2.3: one authentication method per request; the two must at least agree.
        if client_id is not None and client_id != basic[0]:
            raise GraphError.invalid("client_id differs from the one in the Authorization header")
        client_id = basic[0]
        client_secret = client_secret or basic[1]
    return TokenRequest(
        grant_type=params.get_str("grant_type"),
        client_id=client_id,
        client_secret=client_secret,
        code=params.get_str("code"),
        # An empty redirect_uri is still a redirect_uri (and must match exactly); absent is None.
        redirect_uri=params.get("redirect_uri"),
        code_verifier=params.get_str("code_verifier"),
        fb_exchange_token=params.get_str("fb_exchange_token"),
    )


def register(router: GraphRouter, services: Services) -> None:
    exchange = Exchange(services.core, services.tokens)

    async def access_token(call: GraphCall) -> Any:
        call.response_headers.update(NO_STORE)
        return await exchange.token(token_request(call))

    for method in ("GET", "POST"):
        router.route(method, "oauth/access_token", auth="none")(access_token)
