"""Graph batch requests: ``POST /`` with ``batch=[{"method","relative_url","body"?,"name"?}]``.

docs/graph-facts.md §12.2: the SDK sends ``batch`` as a JSON array, GET parameters inside
``relative_url`` (``act_123/?fields=name``) and POST parameters as a form-encoded ``body``; it
expects a JSON array of ``{"code","headers":[{"name","value"}],"body":"<json string>"}``, one per
item, and retries items answered with ``null``.

Rules (Graph's, with OURS where it is silent):

- at most :data:`MAX_ITEMS` items, else the whole batch is refused (code 100);
- each item runs on its own, in order, with the batch's ``access_token`` (and its
  ``appsecret_proof``/``appsecret_time``) unless it carries its own ``access_token``;
- ``{result=<name>:$.path}`` in a ``relative_url`` or ``body`` is replaced by a value from the
  earlier item called ``<name>`` (JSONPath limited to ``$.a.b.0.c`` and ``$.data.*.id``, a ``*``
  giving a comma-separated list); an item that refers to a failed or unknown item is answered
  with code 100;
- every item gets its response, named or not (OURS: the SDK treats a ``null`` as "retry");
  ``omit_response_on_success: true`` on an item leaves out a successful response's body;
- files come as parts of the batch's own multipart body; an item takes those its
  ``attached_files`` names (comma-separated part names, docs/graph-facts.md §12.7), and naming a
  part the body does not have fails that item (code 100).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote

from adgate.protocol import json_input
from adgate.protocol.errors import GraphError
from adgate.protocol.params import fold_lists

MAX_ITEMS = 50
METHODS = ("GET", "POST", "DELETE")
_REFERENCE = re.compile(r"\{result=([^:}]+):\$\.([^}]*)\}")


@dataclass(frozen=True, slots=True)
class BatchItem:
    method: str
    relative_url: str
    body: str
    name: str | None = None
    omit_response_on_success: bool = False
    #: The parts of the batch's body this item takes (``attached_files``), in the order named.
    attached_files: tuple[str, ...] = ()


def _invalid(detail: str) -> GraphError:
    return GraphError.of("batch_invalid", detail=detail)


def parse_batch(raw: str | None) -> list[BatchItem]:
    if raw is None or not raw.strip():
        raise _invalid("The parameter batch is required")
    try:
        value = json_input.loads(raw)
    except json_input.JSONInputError:
        raise _invalid("The batch parameter must be a JSON array of requests") from None
    if not isinstance(value, list) or not value:
        raise _invalid("The batch parameter must be a non-empty JSON array of requests")
    if len(value) > MAX_ITEMS:
        raise GraphError.of("batch_too_large", limit=MAX_ITEMS)
    return [_item(index, entry) for index, entry in enumerate(value)]


def _item(index: int, entry: Any) -> BatchItem:
    if not isinstance(entry, dict):
        raise _invalid(f"batch[{index}] must be a JSON object with method and relative_url")
    method = entry.get("method", "GET")
    url = entry.get("relative_url")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise _invalid(f"batch[{index}].method must be one of {', '.join(METHODS)}")
    if not isinstance(url, str) or not url.strip():
        raise _invalid(f"batch[{index}].relative_url is required")
    body = entry.get("body", "")
    if isinstance(body, dict):
        body = "&".join(f"{quote(str(k))}={quote(_flat(v))}" for k, v in body.items())
    if not isinstance(body, str):
        raise _invalid(f"batch[{index}].body must be a form-encoded string")
    name = entry.get("name")
    if name is not None and not isinstance(name, str):
        raise _invalid(f"batch[{index}].name must be a string")
    omit = entry.get("omit_response_on_success", False)
    attached = entry.get("attached_files", "")
    if not isinstance(attached, str):
        raise _invalid(f"batch[{index}].attached_files must be a comma-separated string of file names")
    files = tuple(dict.fromkeys(part.strip() for part in attached.split(",") if part.strip()))
    return BatchItem(method.upper(), url.strip(), body, name, omit is True or omit == "true", files)


def _flat(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def split_url(relative_url: str) -> tuple[str, dict[str, str]]:
    """``act_1/campaigns?fields=name`` → ``("/act_1/campaigns", {"fields": "name"})``."""
    path, _, query = relative_url.partition("?")
    return "/" + path.lstrip("/"), fold_lists(parse_qsl(query, keep_blank_values=True))


def form(body: str) -> dict[str, str]:
    """A form-encoded ``body``, its bracketed lists folded (:func:`adgate.protocol.params.fold_lists`)."""
    return fold_lists(parse_qsl(body, keep_blank_values=True))


def substitute(text: str, results: dict[str, Any]) -> str:
    """Replace every ``{result=name:$.path}`` in ``text`` from the named earlier results.

    ``results`` maps a name to the decoded body of that item, or to None when it failed.
    """

    def one(match: re.Match[str]) -> str:
        name, path = match.group(1), match.group(2)
        if results.get(name) is None:
            raise _invalid(f"This request depends on the request named {name!r}, which failed or is unknown")
        value = _walk(results[name], [p for p in path.split(".") if p])
        if isinstance(value, list):
            return ",".join(_flat(v) for v in value)
        if value is None:
            raise _invalid(f"The request named {name!r} has no value at $.{path}")
        return _flat(value)

    return _REFERENCE.sub(one, text)


def _walk(value: Any, steps: list[str]) -> Any:
    for index, step in enumerate(steps):
        if step == "*":
            if not isinstance(value, list):
                return None
            return [_walk(v, steps[index + 1 :]) for v in value]
        if isinstance(value, dict):
            value = value.get(step)
        elif (
            isinstance(value, list)
            and step.isascii()
            and step.isdigit()
            and len(step) < 6
            and int(step) < len(value)
        ):
            value = value[int(step)]
        else:
            return None
    return value


def item_response(status: int, headers: dict[str, str], body: str | None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "code": status,
        "headers": [{"name": k, "value": v} for k, v in headers.items()],
    }
    if body is not None:
        response["body"] = body
    return response
