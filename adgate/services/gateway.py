"""The access layer in front of someone else's API: adgate decides, a proxy (nginx, Caddy, Traefik,
Envoy) lets the request through to the upstream or answers the refusal.

Each route of the gateway file (:mod:`adgate.policy.gateway`) becomes an :class:`Endpoint` whose
:class:`Need` says what the route needs; a request forwarded by the proxy becomes a
:class:`GraphCall` on it, and the gate runs the whole pipeline exactly as for a Graph call: the
token (``access_token`` in the query, ``Authorization: Bearer`` or ``OAuth``), ``appsecret_proof``,
validity and invalidation, the access level and the Development caller rules, the permission, the
ad-account list (auto-add), the score and business-use-case limits or the app-level limit, usage
accounting (which is App Review's evidence) and the usage headers. The gate's memo of admitted
calls is the decision cache, on its terms: void after a write that could change the answer, and
never past the token's expiry.

An admitted request gets identity headers for the upstream (``X-Adgate-App-Id``,
``X-Adgate-User-Id`` or ``X-Adgate-System-User-Id``, ``X-Adgate-Scopes``,
``X-Adgate-Access-Level``, ``X-Adgate-Account``, ``X-Adgate-Route``) and the usage headers for the
client; a refused one the Graph error envelope and status the client must see, with
``Retry-After`` on throttles.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adgate import ids
from adgate.policy import gateway as policy
from adgate.policy.gateway import GatewaySpec, Public, Route
from adgate.policy.permissions import BUILT_IN, define
from adgate.protocol import envelope
from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params, bearer_in, parse_query
from adgate.services.gate.call import Endpoint, GraphCall, Need
from adgate.services.tokens.callers import Caller
from adgate.store.cache import ReadCache

if TYPE_CHECKING:
    from adgate.services.registry import Services

#: Throttling codes: a refusal with one of these carries ``Retry-After``.
THROTTLES = frozenset({4, 17, 613, 80000, 80003, 80004})
#: Identity headers the upstream may trust (the proxy must drop them from the client's request).
IDENTITY_HEADERS = (
    "x-adgate-app-id",
    "x-adgate-user-id",
    "x-adgate-system-user-id",
    "x-adgate-page-id",
    "x-adgate-scopes",
    "x-adgate-access-level",
    "x-adgate-account",
    "x-adgate-route",
)


#: The ``meta`` row that holds routes set through the control API ("" or absent: the file's).
STORED_KEY = "gateway.routes"


def read_file(path: Path) -> tuple[GatewaySpec, str]:
    """The gateway file and its text, checked whole; :class:`adgate.policy.gateway.GatewayFileError`
    names the line and the reason of the first thing wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise policy.GatewayFileError(str(path), None, f"cannot be read: {exc.strerror}") from None
    return parse_text(text, source=str(path)), text


def parse_text(text: str, *, source: str) -> GatewaySpec:
    """Routes from their TOML text; the permissions they declare join the process's."""
    spec = policy.parse(text, source=source, known_permissions=BUILT_IN)
    for name, description in spec.permissions:
        define(name, description)
    return spec


@dataclass(frozen=True, slots=True)
class Forwarded:
    """The original request, as the proxy forwarded it."""

    method: str
    uri: str  # path and query
    headers: Mapping[str, str]
    fbtrace_id: str


@dataclass(slots=True)
class Decision:
    allowed: bool
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: GraphError | None = None


async def _never(_call: GraphCall) -> Any:  # the upstream is the handler
    return None


async def _node_account(call: GraphCall) -> str | None:
    return call.node_id


class Gateway:
    """Decisions for the routes of ``spec``; the routes can be replaced at run time through the
    control API (:meth:`replace`): the text is stored in the database, so every node follows it
    (each reads it through a read cache of its own, as the fault rules are read) and a restart keeps
    it, until :meth:`revert` goes back to the file."""

    def __init__(
        self, services: Services, spec: GatewaySpec, text: str = "", source: str = "gateway file"
    ) -> None:
        self.services = services
        self.file_spec, self.file_text, self.source = spec, text, source
        self.text = text
        self.replaced = False
        self.counts: dict[str, list[int]] = {}
        self._kept = ReadCache(services.core.db.generation, capacity=1)
        self._use(spec)

    def _use(self, spec: GatewaySpec) -> None:
        self.spec = spec
        self.endpoints: dict[str, Endpoint] = {
            route.name: Endpoint(
                route.method,
                "gateway",
                route.name,
                _never,
                "token",
                Need(
                    product=route.product,
                    permissions=(route.permission,),
                    write=route.write,
                    account=_node_account if route.account is not None else None,
                ),
            )
            for route in spec.routes
        }
        #: Decisions on this node since it started, per route: (admitted, refused).
        self.counts = {route.name: self.counts.get(route.name, [0, 0]) for route in spec.routes}

    # --- routes replaced at run time ------------------------------------------------------------
    async def refresh(self) -> None:
        """Follow the stored routes (one read-cache lookup while nothing changed)."""
        stored: str = await self._kept.get_or_load(STORED_KEY, self._load)
        if stored == (self.text if self.replaced else ""):
            return
        if not stored:
            self.text, self.replaced = self.file_text, False
            self._use(self.file_spec)
            return
        try:
            spec = parse_text(stored, source="routes set through the control API")
        except policy.GatewayFileError:
            return  # checked when stored; a text another version refuses keeps the routes in use
        self.text, self.replaced = stored, True
        self._use(spec)

    async def _load(self) -> str:
        async with self.services.core.db.read() as tx:
            return await tx.meta.get(STORED_KEY) or ""

    async def replace(self, text: str) -> GatewaySpec:
        """New routes for every node; ``GraphError`` (code 100) naming the line of a mistake."""
        try:
            spec = parse_text(text, source="routes")
        except policy.GatewayFileError as exc:
            raise GraphError.invalid(str(exc)) from None
        async with self.services.core.db.transaction() as tx:
            await tx.meta.set(STORED_KEY, text)
        await self.refresh()
        return spec

    async def revert(self) -> None:
        """Back to the routes of the gateway file, on every node."""
        async with self.services.core.db.transaction() as tx:
            await tx.meta.set(STORED_KEY, "")
        await self.refresh()

    async def decide(self, request: Forwarded) -> Decision:
        await self.refresh()
        found = policy.match(self.spec, request.method.upper(), request.uri)
        if isinstance(found, Public):
            return Decision(
                True, 200, headers={**dict.fromkeys(IDENTITY_HEADERS, ""), "x-adgate-route": "public"}
            )
        if found is None:
            path = request.uri.split("?", 1)[0]
            return self._refused(
                GraphError.of("gateway_unknown_route", method=request.method.upper(), path=path[:200]),
                request,
                None,
            )
        route, path_params = found
        query = request.uri.partition("?")[2]
        params = Params(parse_query(query))
        call = GraphCall(
            method=route.method,
            path=request.uri.split("?", 1)[0],
            version=None,
            node_kind="gateway",
            node_id=None,
            edge=route.name,
            rest=(),
            params=params,
            headers=request.headers,
            fbtrace_id=request.fbtrace_id,
            services=self.services,
            raw_token=params.get_str("access_token") or bearer_in(request.headers),
        )
        endpoint = self.endpoints[route.name]
        gate = self.services.gate
        error: GraphError | None = None
        try:
            call.node_id = self._account(route, path_params, params)
            await gate.admit(call, endpoint)
        except GraphError as exc:
            error = exc
        finally:
            await gate.settle(call, endpoint, error)
        counts = self.counts[route.name]
        if error is not None:
            counts[1] += 1
            return self._refused(error, request, call)
        counts[0] += 1
        return Decision(True, 200, headers={**call.response_headers, **self._identity(call, route)})

    def routes_json(self) -> dict[str, Any]:
        """The protected routes, each with this node's decisions since it started, and where they
        come from (the file, or the control API) with their text."""
        data = self.spec.to_json()
        data["source"] = "control API" if self.replaced else self.source
        data["text"] = self.text
        for route in data["routes"]:
            admitted, refused = self.counts[route["name"]]
            route["admitted"], route["refused"] = admitted, refused
        return data

    @staticmethod
    def _account(route: Route, path_params: Mapping[str, str], params: Params) -> str | None:
        source = route.account
        if source is None:
            return None
        raw = path_params.get(source.name) if source.where == "path" else params.get_str(source.name)
        if not raw:
            raise GraphError.invalid(f"the ad account is missing: {source.where} parameter {source.name}")
        account = raw.removeprefix("act_")
        if not ids.is_numeric_id(account):
            raise GraphError.invalid(f"{source.where} parameter {source.name} must be an ad account id")
        return account

    @staticmethod
    def _identity(call: GraphCall, route: Route) -> dict[str, str]:
        """Every identity header, empty where it does not apply: a proxy that copies them onto the
        upstream request (Envoy, Traefik) then overwrites any the client sent."""
        caller = call.caller
        headers = dict.fromkeys(IDENTITY_HEADERS, "")
        headers["x-adgate-route"] = route.name
        if not isinstance(caller, Caller):
            return headers
        headers["x-adgate-app-id"] = caller.app.id
        headers["x-adgate-access-level"] = caller.app.access_level
        headers["x-adgate-scopes"] = ",".join(sorted(caller.scopes))
        if caller.person_id:
            headers["x-adgate-user-id"] = caller.person_id
        if caller.system_user_id:
            headers["x-adgate-system-user-id"] = caller.system_user_id
        if caller.page_id:
            headers["x-adgate-page-id"] = caller.page_id
        if call.node_id:
            headers["x-adgate-account"] = f"act_{call.node_id}"
        return headers

    @staticmethod
    def _refused(error: GraphError, request: Forwarded, call: GraphCall | None) -> Decision:
        status, body, headers = envelope.render(error, request.fbtrace_id)
        if call is not None:
            headers.update(call.response_headers)
        if error.code in THROTTLES:
            headers["retry-after"] = str(retry_after(headers))
        headers["content-type"] = "application/json"
        return Decision(False, status, body, headers, error)


def retry_after(headers: Mapping[str, str]) -> int:
    """Seconds until the caller may try again, from the usage headers of the refusal."""
    waits = [60]
    account = headers.get("x-ad-account-usage")
    if account:
        with contextlib.suppress(ValueError, AttributeError):
            waits.append(int(json.loads(account).get("reset_time_duration") or 0))
    buc = headers.get("x-business-use-case-usage")
    if buc:
        try:
            for entries in json.loads(buc).values():
                for entry in entries:
                    waits.append(int(entry.get("estimated_time_to_regain_access") or 0) * 60)
        except (ValueError, AttributeError, TypeError):
            pass
    positive = [w for w in waits[1:] if w > 0]
    return max(positive) if positive else waits[0]
