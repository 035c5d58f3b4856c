"""Reading a Graph request: parameters from the query string and the body, and the token.

Bodies may be form-encoded (what the SDK sends), multipart, or a JSON object. A token may come as
``access_token`` in the query or body, or as ``Authorization: Bearer`` / ``OAuth`` (what
requests-oauthlib sends). Any malformed input becomes a code-100 Graph error.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.requests import Request

from adgate.protocol import json_input
from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params, bearer_in, parse_query

_FORM = "application/x-www-form-urlencoded"


async def read_params(request: Request) -> Params:
    query = parse_query(request.scope["query_string"].decode("latin-1"))
    if request.method in ("GET", "HEAD"):
        return Params(query)
    body: dict[str, str] = {}
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    raw = await request.body()
    if raw:
        if content_type == "application/json":
            body = _json_body(raw)
        elif content_type.startswith("multipart/form-data"):
            try:
                form = await request.form()
            except Exception as exc:  # multipart parser errors have no common base class
                raise GraphError.invalid(f"The multipart body could not be parsed: {exc}") from None
            body = {k: v for k, v in form.items() if isinstance(v, str)}
            await form.close()  # uploaded files (never used) are spooled to temporary files
        else:
            # Graph treats any other body as form data, as curl -d sends it.
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise GraphError.invalid("The request body is not valid UTF-8") from None
            body = dict(parse_qsl(text, keep_blank_values=True))
    return Params.merge(query, body)


def _json_body(raw: bytes) -> dict[str, str]:
    try:
        value = json_input.loads(raw)
    except json_input.JSONInputError as exc:
        raise GraphError.invalid(f"The JSON body could not be parsed: {exc}") from None
    if not isinstance(value, dict):
        raise GraphError.invalid("A JSON body must be an object of parameters")
    return {
        str(k): v if isinstance(v, str) else json.dumps(v, separators=(",", ":")) for k, v in value.items()
    }


def bearer_token(request: Request) -> str | None:
    return bearer_in(request.headers)
