"""Reading a Graph request: parameters from the query string and the body, and the token.

Bodies may be form-encoded (what the SDK sends), multipart, or a JSON object. A token may come as
``access_token`` in the query or body, or as ``Authorization: Bearer`` / ``OAuth`` (what
requests-oauthlib sends). Any malformed input becomes a code-100 Graph error. The files of a
multipart body are kept, in memory, for the Graph calls that take them (ad images): the body limit
(``ADGATE_MAX_BODY_BYTES``) bounds them, and a text field may be as large (``bytes``, an image in
base64).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request

from adgate.protocol import json_input
from adgate.protocol.errors import GraphError
from adgate.protocol.images import Upload
from adgate.protocol.params import Params, bearer_in, fold_lists, parse_query

_FORM = "application/x-www-form-urlencoded"


#: Most files one multipart body may have (OURS; Starlette's own default is 1000).
MAX_FILES = 100


async def read_params(request: Request) -> Params:
    params, _files = await read_body(request, keep_files=False)
    return params


async def read_body(request: Request, *, keep_files: bool = True) -> tuple[Params, tuple[Upload, ...]]:
    """The parameters of the query string and the body (the body's win), and the body's files."""
    query = parse_query(request.scope["query_string"].decode("latin-1"))
    if request.method in ("GET", "HEAD"):
        return Params(query), ()
    body: dict[str, str] = {}
    files: list[Upload] = []
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    raw = await request.body()
    if raw:
        if content_type == "application/json":
            body = _json_body(raw)
        elif content_type.startswith("multipart/form-data"):
            try:
                form = await request.form(max_files=MAX_FILES, max_part_size=len(raw))
            except Exception as exc:  # multipart parser errors have no common base class
                raise GraphError.invalid(f"The multipart body could not be parsed: {exc}") from None
            fields: list[tuple[str, str]] = []
            try:
                for name, value in form.multi_items():
                    if isinstance(value, str):
                        fields.append((name, value))
                    elif keep_files and isinstance(value, UploadFile):
                        files.append(Upload(name, value.filename, value.content_type, await value.read()))
            finally:
                await form.close()  # uploaded files are spooled to temporary files
            body = fold_lists(fields)
        else:
            # Graph treats any other body as form data, as curl -d sends it.
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise GraphError.invalid("The request body is not valid UTF-8") from None
            body = fold_lists(parse_qsl(text, keep_blank_values=True))
    return Params.merge(query, body), tuple(files)


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
