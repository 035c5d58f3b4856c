"""Graph request parameters: query string and form body, with JSON-encoded values.

The official SDK JSON-encodes every list, dict and bool it sends (docs/graph-facts.md §12.2):
``effective_status=["ACTIVE"]``, ``time_range={"since":…}``, ``is_adset_budget_sharing_enabled=false``.
Graph accepts the same values in the query string and in a form body; a JSON object body is
accepted too. Every accessor raises a code-100 :class:`GraphError` that names the parameter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar, overload
from urllib.parse import parse_qsl, unquote_plus

from adgate.protocol import json_input
from adgate.protocol.errors import GraphError

T = TypeVar("T")

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def fold_lists(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Parameters as a dict, the lists clients spell with brackets folded into one JSON array.

    PHP's ``http_build_query``, ``qs``/axios and curl users send a list as ``name[]=a&name[]=b``
    or ``name[0]=a&name[1]=b``; the endpoints read one value per name, the JSON array the Python
    SDK sends (``name=["a","b"]``). Indexed items are put in index order (gaps closed, a repeated
    index keeps its last value), ``[]`` items in the order sent; the items stay strings. A name
    given both with and without brackets keeps whichever comes last. Any other bracket (``a[b]``,
    ``a[0][b]``) is left as it is: a plain name the endpoints do not know. Otherwise a repeated
    name keeps its last value, as Starlette's ``QueryParams`` does.
    """
    values: dict[str, str] = {}
    lists: dict[str, dict[int, str]] | None = None
    for name, value in pairs:
        if name.endswith("]"):
            base, bracket, index = name[:-1].partition("[")
            if bracket and base and (index == "" or (index.isascii() and index.isdigit() and len(index) < 7)):
                if lists is None:
                    lists = {}
                items = lists.get(base)
                if items is None or base in values:  # a plain value given since restarts the list
                    items = lists[base] = {}
                    values.pop(base, None)
                items[len(items) + 1_000_000 if index == "" else int(index)] = value
                continue
        values[name] = value
        if lists is not None:
            lists.pop(name, None)
    if lists:
        for base, items in lists.items():
            values[base] = json.dumps([items[i] for i in sorted(items)], separators=(",", ":"))
    return values


class Params(Mapping[str, str]):
    """Merged parameters of one Graph call; body values win over the query string."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    @classmethod
    def merge(cls, *sources: Mapping[str, str]) -> Params:
        merged: dict[str, str] = {}
        for source in sources:
            merged.update(source)
        return cls(merged)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, /, default: str | T) -> str | T: ...

    def get(self, key: str, /, default: object = None) -> object:
        # Mapping's own get goes through __getitem__ and a KeyError: this runs on every call.
        return self._values.get(key, default)

    def without(self, *names: str) -> Params:
        return Params({k: v for k, v in self._values.items() if k not in names})

    # --- typed accessors ----------------------------------------------------------------------
    def get_str(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self._values.get(name)
        if value is None or value == "":
            if required:
                raise GraphError.invalid(f"The parameter {name} is required")
            return default
        return value

    def require(self, name: str) -> str:
        value = self.get_str(name, required=True)
        assert value is not None
        return value

    def get_int(
        self, name: str, default: int | None = None, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        raw = self.get_str(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise GraphError.invalid(f"Param {name} must be an integer, got {_show(raw)}") from None
        if minimum is not None and value < minimum:
            raise GraphError.invalid(f"Param {name} must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise GraphError.invalid(f"Param {name} must be at most {maximum}")
        return value

    def get_bool(self, name: str, default: bool = False) -> bool:
        raw = self._values.get(name)
        if raw is None:
            return default
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise GraphError.invalid(f"Param {name} must be a boolean (true or false), got {_show(raw)}")

    def get_json(self, name: str) -> Any:
        raw = self.get_str(name)
        if raw is None:
            return None
        try:
            return json_input.loads(raw)
        except json_input.JSONInputError as exc:
            raise GraphError.invalid(f"Param {name} must be valid JSON ({exc}), got {_show(raw)}") from None

    def get_list(self, name: str) -> list[str] | None:
        """A list given as a JSON array (``["a","b"]``) or as a comma-separated string (``a,b``)."""
        raw = self.get_str(name)
        if raw is None:
            return None
        stripped = raw.strip()
        if stripped.startswith("["):
            value = self.get_json(name)
            if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
                raise GraphError.invalid(f"Param {name} must be an array of strings")
            return [str(v) for v in value]
        return [part.strip() for part in stripped.split(",") if part.strip()]

    def get_dict(self, name: str) -> dict[str, Any] | None:
        value = self.get_json(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise GraphError.invalid(f"Param {name} must be a JSON object")
        return value

    def fields(self) -> list[str] | None:
        """``fields=a,b`` or, as the SDK sends it for async insights, ``fields=["a","b"]``.

        Nested selections such as ``owner{name}`` are kept whole; only top-level commas split.
        """
        raw = self.get_str("fields")
        if raw is None:
            return None
        if raw.strip().startswith("["):
            return self.get_list("fields")
        out: list[str] = []
        depth, start = 0, 0
        for i, ch in enumerate(raw):
            if ch in "{(":
                depth += 1
            elif ch in "})":
                depth = max(0, depth - 1)
            elif ch == "," and depth == 0:
                out.append(raw[start:i].strip())
                start = i + 1
        out.append(raw[start:].strip())
        return [f for f in out if f]


def _show(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:37] + "...")


def select_fields(
    obj: Mapping[str, Any], fields: list[str] | None, default: tuple[str, ...]
) -> dict[str, Any]:
    """Graph's field selection: the requested fields that exist, always with ``id``."""
    wanted = list(default) if fields is None else [f.split("{", 1)[0].split(".", 1)[0] for f in fields]
    out: dict[str, Any] = {}
    for name in wanted:
        if name in obj and obj[name] is not None:
            out[name] = obj[name]
    if "id" in obj and "id" not in out:
        out = {"id": obj["id"], **out}
    return out


def parse_query(query: str) -> dict[str, str]:
    """``urllib.parse.parse_qsl(query, keep_blank_values=True)`` as a dict (the last value of a
    repeated name wins, as in Starlette's ``QueryParams``; bracketed lists folded by
    :func:`fold_lists`), without decoding what needs none: this runs on every Graph call."""
    values: dict[str, str] = {}
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        if name.endswith("]"):
            return fold_lists(parse_qsl(query, keep_blank_values=True))
        values[name] = value
    return values


def bearer_in(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer`` (or ``OAuth``) header, as requests-oauthlib sends."""
    header = headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return None
