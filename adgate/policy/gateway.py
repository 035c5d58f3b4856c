"""Protected APIs as data: the routes of an upstream API that adgate decides for (the gateway).

A gateway file (TOML, ``ADGATE_GATEWAY_FILE``) names every route the proxy in front of the
upstream may let through, and what each needs, the way a Graph endpoint declares its needs::

    name = "Reports API"

    [[permission]]                    # a permission of the operator's own, with its own review
    name = "reports_export"
    description = "Export your reports"

    [[public]]                        # let through without a token (fail open, on purpose)
    prefix = "/health"

    [[route]]
    method = "GET"
    path = "/v1/accounts/{account}/reports"
    account = "path:account"          # or "query:account_id", or "none" for app-level calls
    permission = "ads_read"           # the token must hold it (ads_management also opens ads_read)
    cost = "read"                     # read (1 point) or write (3 points) on the account's score
    buc = "ads_insights"              # ads_management, ads_insights, custom_audience or none

Any request whose method and path match no route and no public prefix is refused (fail closed).
:func:`parse` checks the whole file and raises :class:`GatewayFileError` naming the line and the
reason for the first thing wrong; :func:`match` finds a request's route. Pure: no IO.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from adgate.policy.permissions import OWN_PERMISSION_NAME

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
COSTS = ("read", "write")
#: Business use case → the Graph product whose hourly limit it shares (``adgate.services.gate.limits``).
BUCS: Mapping[str, str | None] = {
    "ads_management": "ads_management",
    "ads_insights": "ads_insights",
    "custom_audience": "audiences",
    "none": None,
}
_PARAM = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_ROUTE_KEYS = {"method", "path", "account", "permission", "cost", "buc", "name"}


class GatewayFileError(ValueError):
    def __init__(self, source: str, line: int | None, message: str) -> None:
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")
        self.source = source
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class AccountFrom:
    """Where a route's ad account is: a path parameter or a query parameter."""

    where: Literal["path", "query"]
    name: str


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    method: str
    path: str
    segments: tuple[str, ...]  # literal segments, and "{param}" ones
    account: AccountFrom | None
    permission: str
    write: bool
    buc: str  # a key of BUCS
    line: int

    @property
    def product(self) -> str | None:
        return BUCS[self.buc]

    def match(self, method: str, parts: list[str]) -> dict[str, str] | None:
        if method != self.method and not (method == "HEAD" and self.method == "GET"):
            return None
        if len(parts) != len(self.segments):
            return None
        found: dict[str, str] = {}
        for want, got in zip(self.segments, parts, strict=True):
            param = _PARAM.match(want)
            if param is not None:
                if not got:
                    return None
                found[param.group(1)] = got
            elif want != got:
                return None
        return found


@dataclass(frozen=True, slots=True)
class GatewaySpec:
    name: str
    routes: tuple[Route, ...]
    public: tuple[str, ...]
    #: Permissions of the operator's own: (name, what the dialog tells the person).
    permissions: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "public": list(self.public),
            "permissions": [{"name": n, "description": d} for n, d in self.permissions],
            "routes": [
                {
                    "name": r.name,
                    "method": r.method,
                    "path": r.path,
                    "account": f"{r.account.where}:{r.account.name}" if r.account else "none",
                    "permission": r.permission,
                    "cost": "write" if r.write else "read",
                    "buc": r.buc,
                }
                for r in self.routes
            ],
        }


@dataclass(frozen=True, slots=True)
class Public:
    prefix: str


def split_path(path: str) -> list[str]:
    return path.split("?", 1)[0].strip("/").split("/") if path.strip("/") else []


def match(spec: GatewaySpec, method: str, path: str) -> tuple[Route, dict[str, str]] | Public | None:
    """The route a request takes (with its path parameters), a public prefix, or None: refuse."""
    plain = path.split("?", 1)[0]
    for prefix in spec.public:
        if plain == prefix or plain.startswith(prefix.rstrip("/") + "/"):
            return Public(prefix)
    parts = split_path(plain)
    for route in spec.routes:
        found = route.match(method, parts)
        if found is not None:
            return route, found
    return None


def _lines_of(text: str, header: str) -> list[int]:
    """Line numbers (1-based) of each ``[[header]]`` table, in order."""
    pattern = re.compile(rf"^\s*\[\[\s*{re.escape(header)}\s*\]\]\s*(#.*)?$")
    return [n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)]


def _key_line(text: str, start: int, key: str) -> int:
    """The line of ``key = …`` in the table whose header is line ``start + 1`` (or that line)."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    lines = text.splitlines()
    for n in range(start, len(lines)):
        if n > start and lines[n].lstrip().startswith("["):
            break
        if pattern.match(lines[n]):
            return n + 1
    return start + 1


def parse(text: str, *, source: str = "gateway file", known_permissions: Iterable[str]) -> GatewaySpec:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        raise GatewayFileError(source, line, f"not valid TOML: {exc}") from None
    known = set(known_permissions)
    unknown = set(data) - {"name", "route", "public", "permission"}
    if unknown:
        key = sorted(unknown)[0]
        raise GatewayFileError(
            source,
            _key_line(text, 0, key) or None,
            f"unknown key {key!r}: use name, [[permission]], [[route]], [[public]]",
        )
    name = data.get("name", "API")
    if not isinstance(name, str):
        raise GatewayFileError(source, _key_line(text, 0, "name"), "name must be a string")

    own: dict[str, str] = {}
    for table, line in zip(_list(data, "permission", source), _lines_of(text, "permission"), strict=False):
        pname, description = table.get("name"), table.get("description")
        if not isinstance(pname, str) or not OWN_PERMISSION_NAME.match(pname):
            raise GatewayFileError(
                source,
                _key_line(text, line - 1, "name"),
                "a permission's name is 3-64 lower-case letters, digits or _",
            )
        if pname in known or pname in own:
            raise GatewayFileError(
                source, _key_line(text, line - 1, "name"), f"{pname} is already a permission"
            )
        if not isinstance(description, str) or not description.strip():
            raise GatewayFileError(
                source,
                _key_line(text, line - 1, "description"),
                "description: what the dialog tells the person",
            )
        own[pname] = description.strip()
    known = known | set(own)

    public: list[str] = []
    for table, line in zip(_list(data, "public", source), _lines_of(text, "public"), strict=False):
        prefix = table.get("prefix")
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise GatewayFileError(
                source, _key_line(text, line - 1, "prefix"), "prefix must be a path starting with /"
            )
        public.append(prefix)

    routes: list[Route] = []
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for n, (table, line) in enumerate(
        zip(_list(data, "route", source), _lines_of(text, "route"), strict=False), 1
    ):
        route = _route(table, line, n, text, source, known)
        shape = (route.method, tuple("{}" if _PARAM.match(s) else s for s in route.segments))
        if shape in seen:
            raise GatewayFileError(
                source, line, f"{route.method} {route.path} is declared twice (first at line {seen[shape]})"
            )
        seen[shape] = line
        routes.append(route)
    if not routes:
        raise GatewayFileError(source, None, "declares no [[route]]: every request would be refused")
    return GatewaySpec(name, tuple(routes), tuple(public), tuple(own.items()))


def _list(data: Mapping[str, Any], key: str, source: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise GatewayFileError(source, None, f"{key} must be written as [[{key}]] tables")
    return value


def _route(table: Mapping[str, Any], line: int, n: int, text: str, source: str, known: set[str]) -> Route:
    def fail(key: str | None, message: str) -> GatewayFileError:
        return GatewayFileError(source, _key_line(text, line - 1, key) if key else line, message)

    unknown = set(table) - _ROUTE_KEYS
    if unknown:
        key = sorted(unknown)[0]
        return_error = fail(key, f"unknown key {key!r} in [[route]]: use {', '.join(sorted(_ROUTE_KEYS))}")
        raise return_error
    method = table.get("method")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise fail("method", f"method must be one of {', '.join(METHODS)}; got {method!r}")
    path = table.get("path")
    if not isinstance(path, str) or not path.startswith("/") or "?" in path:
        raise fail(
            "path", "path must be a path template starting with /, like /v1/accounts/{account}/reports"
        )
    segments = tuple(split_path(path))
    params = [m.group(1) for s in segments if (m := _PARAM.match(s))]
    if any("{" in s or "}" in s for s in segments if not _PARAM.match(s)):
        raise fail("path", "a path parameter takes a whole segment, like /{account}/")
    if len(set(params)) != len(params):
        raise fail("path", "a path parameter is named twice")
    account_raw = table.get("account")
    if not isinstance(account_raw, str):
        raise fail(
            "account" if "account" in table else None,
            'account is required: "path:NAME", "query:NAME" or "none"',
        )
    account: AccountFrom | None = None
    if account_raw != "none":
        where, _, pname = account_raw.partition(":")
        if where not in ("path", "query") or not pname:
            raise fail("account", f'account must be "path:NAME", "query:NAME" or "none"; got {account_raw!r}')
        if where == "path" and pname not in params:
            raise fail("account", f"account names path parameter {{{pname}}}, which {path} does not have")
        account = AccountFrom(where, pname)  # type: ignore[arg-type]
    permission = table.get("permission")
    if not isinstance(permission, str) or permission not in known:
        raise fail(
            "permission",
            f"permission must be a known permission (e.g. ads_read, ads_management); got {permission!r}",
        )
    cost = table.get("cost", "read")
    if cost not in COSTS:
        raise fail("cost", f"cost must be read or write; got {cost!r}")
    buc = table.get("buc", "none")
    if buc not in BUCS:
        raise fail("buc", f"buc must be one of {', '.join(BUCS)}; got {buc!r}")
    if buc != "none" and account is None:
        raise fail(
            "buc", 'a business-use-case limit is per ad account: name the account, or use buc = "none"'
        )
    label = table.get("name", f"route{n}")
    if not isinstance(label, str) or not label:
        raise fail("name", "name must be a string")
    return Route(label, method.upper(), path, segments, account, permission, cost == "write", buc, line)
