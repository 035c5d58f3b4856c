"""The one place a :class:`GraphError` becomes the Graph error envelope (docs/graph-facts.md §4.1)."""

from __future__ import annotations

import base64
import json
import os
import random
from string import Formatter
from typing import Any

from adgate.protocol.errors import GraphError


def new_fbtrace_id() -> str:
    """An 11-character support id, shaped like Graph's ``fbtrace_id`` (60 random bits).

    A label for support, not a secret: nothing is granted by knowing one. So it comes from the
    process's Mersenne Twister (``random``'s own, which Python reseeds in a forked child), not the
    system's CSPRNG (a ``getrandom`` system call on every request, a tenth of a gated call's time),
    and is cut from a batch of :data:`_BATCH` ids made with one base64 encoding (a forked child
    drops its parent's batch).
    """
    if not _ids:
        text = base64.urlsafe_b64encode(random.randbytes(_BATCH * 60 // 8)).decode()
        _ids.extend("A" + text[at : at + 10] for at in range(0, _BATCH * 10, 10))
    return _ids.pop()


#: Trace ids made at once by :func:`new_fbtrace_id` (a multiple of 4: whole base64 quanta).
_BATCH = 1024
_ids: list[str] = []
os.register_at_fork(after_in_child=_ids.clear)


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
