"""The one place a :class:`GraphError` becomes the Graph error envelope (docs/graph-facts.md §4.1)."""

from __future__ import annotations

import base64
import json
import random
from string import Formatter
from typing import Any

from adgate.protocol.errors import GraphError


def new_fbtrace_id() -> str:
    """An 11-character support id, shaped like Graph's ``fbtrace_id`` (60 random bits).

    A label for support, not a secret: nothing is granted by knowing one. So it comes from the
    process's Mersenne Twister (``random``'s own, which Python reseeds in a forked child), not the
    system's CSPRNG (a ``getrandom`` system call on every request, a tenth of a gated call's time).
    """
    return "A" + base64.urlsafe_b64encode(random.getrandbits(64).to_bytes(8, "big"))[:10].decode()


def error_body(error: GraphError, fbtrace_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message": error.message,
        "type": error.spec.type,
        "code": error.spec.code,
    }
    if error.spec.subcode is not None:
        body["error_subcode"] = error.spec.subcode
    body["is_transient"] = error.spec.transient
    if error.user_title:
        body["error_user_title"] = error.user_title
    if error.user_msg:
        body["error_user_msg"] = error.user_msg
    if error.error_data is not None:
        body["error_data"] = error.error_data
    body["fbtrace_id"] = fbtrace_id
    return {"error": body}


def error_headers(error: GraphError) -> dict[str, str]:
    """Headers Graph sends with errors: no caching, and ``WWW-Authenticate`` for OAuth failures."""
    headers = {
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        "Expires": "Sat, 01 Jan 2000 00:00:00 GMT",
        "Access-Control-Allow-Origin": "*",
    }
    if error.spec.www_authenticate:
        headers["WWW-Authenticate"] = (
            f'OAuth "Facebook Platform" "{error.spec.www_authenticate}" "{header_description(error)}"'
        )
    headers.update(error.extra_headers)
    return headers


def header_description(error: GraphError) -> str:
    """The error's catalog text with each ``{value}`` shown by its name (``<grant_type>``).

    Built only from our own vocabulary, never from the request: a value copied into a header could
    carry a line break (a second header) or a character outside Latin-1 (which cannot be sent).
    """
    parts = []
    for literal, name, _spec, _conversion in Formatter().parse(error.spec.message):
        parts.append(literal)
        if name is not None:
            parts.append(f"<{name}>")
    return "".join(parts).replace('"', "'")


def render(error: GraphError, fbtrace_id: str) -> tuple[int, bytes, dict[str, str]]:
    """``(status, body, headers)`` for an error response."""
    body = json.dumps(error_body(error, fbtrace_id), separators=(",", ":")).encode()
    return error.spec.status, body, error_headers(error)
