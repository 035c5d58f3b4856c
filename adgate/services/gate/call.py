"""What the gate decides on: one Graph call, and the declaration of the endpoint it asks for.

Endpoints are declared with the node kind, the edge and what they need (:class:`Need`); the gate
reads the declaration and no handler repeats its checks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from adgate.protocol.images import Upload
from adgate.protocol.params import Params
from adgate.services.tokens.callers import Caller

if TYPE_CHECKING:
    from adgate.services.registry import Services

Handler = Callable[["GraphCall"], Awaitable[Any]]
#: A node route's handler (:meth:`adgate.services.gate.router.GraphRouter.node_route`): the call and
#: the id of its node, which every node kind has.
NodeHandler = Callable[["GraphCall", str], Awaitable[Any]]
Auth = Literal["none", "token", "optional"]


@dataclass(frozen=True, slots=True)
class Need:
    """What an endpoint needs from the caller; the gate decides from this alone."""

    #: Marketing product: "ads_management", "ads_insights", "business_management", "audiences", "pages".
    product: str | None = None
    #: The token must carry at least one of these scopes.
    permissions: tuple[str, ...] = ()
    write: bool = False
    #: The ad account the call touches (numeric id), from the call's node (its kind and id, nothing
    #: else: the gate's memo of an admission is keyed by the node); None if it can't be identified.
    account: Callable[[GraphCall], Awaitable[str | None]] | None = None
    #: The call spans several ad accounts (or none can be identified): refused below that level.
    multi_account: bool = False
    #: The call manages ad accounts, people or Pages through Business Manager.
    business_manager: bool = False
    #: The call creates a Page (``POST /{user-id}/accounts``): allowed only where the level says so.
    page_creation: bool = False


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One declared endpoint (:class:`adgate.services.gate.router.GraphRouter`): ``method`` on a
    node of kind ``node`` and its ``edge``, answered by ``handler`` once the gate admits the call."""

    method: str
    node: str
    edge: str | None
    handler: Handler
    auth: Auth = "token"
    need: Need = field(default_factory=Need)
    #: Path segments past the edge (``/me/permissions/{permission}``) are the handler's to read;
    #: without this the router refuses them with Graph's unknown-path error, before the handler.
    rest: bool = False


@dataclass(slots=True)
class GraphCall:
    """One Graph call, from HTTP or from a batch item."""

    method: str
    path: str
    version: str | None
    node_kind: str
    node_id: str | None
    edge: str | None
    rest: tuple[str, ...]
    params: Params
    headers: Mapping[str, str]
    fbtrace_id: str
    services: Services
    raw_token: str | None = None
    #: Filled in by the gate: who is calling (None: no token needed, or none given where optional).
    caller: Caller | None = None
    #: Filled in by the gate once the token is found, valid or not: the app it names.
    app_id: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    #: Made by the consoles on their own (:data:`adgate.web.graph.CONSOLE_TOOLING`): the gate
    #: decides it as any call but counts it nowhere (no rate-limit count, no usage), so it moves no
    #: figure of the app.
    tooling: bool = False
    #: A fault rule of the sandbox failed this call (``adgate.services.faults``): not the app's usage.
    injected: bool = False
    #: The ad account whose limits counted this call, once the rate-limit step let it through
    #: (the settlers count an Insights call's user error against it).
    metered_account: str | None = None
    #: The files of a multipart body (or, for a batch item, those its ``attached_files`` names).
    files: tuple[Upload, ...] = ()
