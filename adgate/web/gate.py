"""The gate: the one pipeline every Graph call passes (docs/architecture.md).

``admit`` runs a list of steps in order; each step reads the call and its endpoint's declaration
(:class:`adgate.web.graph.Need`) and either returns or raises the :class:`GraphError` that refuses
the call. The token steps, in order:

1. :meth:`TokenSteps.read_token` — the token from ``access_token`` (query or form) or
   ``Authorization: Bearer`` (``GraphCall.raw_token``); ``auth="none"`` endpoints skip the token
   steps, ``auth="optional"`` ones run them only when a token came;
2. :meth:`TokenSteps.check_appsecret_proof` — verified when sent, required when the app requires
   it (docs/graph-facts.md §8);
3. :meth:`TokenSteps.check_validity` — expired, revoked, password changed, logged out,
   de-authorized, data access expired, page role lost, app secret reset
   (:mod:`adgate.policy.validity`); sets ``call.caller`` (a :class:`adgate.services.tokens.callers.Caller`);
4. :meth:`TokenSteps.check_permissions` — the endpoint's permission (or its product's, per
   :data:`adgate.policy.permissions.PRODUCT_PERMISSIONS`) among the caller's current scopes.

The access-level steps (the level and caller rules, the ad-account list) go around the permission
step in :attr:`PipelineGate.steps`, in :func:`build_gate`; the rate limits, which must count every
call, in :attr:`PipelineGate.every_call`; usage accounting in :attr:`PipelineGate.settlers`, which
:meth:`PipelineGate.settle` runs after the handler, whether it succeeded or not. The deciding steps'
conclusion for an admitted call is remembered until a write of what they read or the token's expiry
(:class:`PipelineGate`), so the same call made again pays only for the rate limits.

A call the consoles make on their own (``GraphCall.tooling``: the explorer's Page list and page
token) is decided by the same steps, but neither the ``every_call`` steps nor the settlers run for
it: it is not the app's traffic, and moves none of its figures (rate limits, usage, review criteria).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adgate.policy.appsecret_proof import check_proof
from adgate.policy.permissions import PRODUCT_PERMISSIONS, satisfies
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens.callers import MAX_TOKEN_LENGTH, Caller, Presented, Tokens, caller_of, error_of
from adgate.store.cache import ReadCache
from adgate.store.dependencies import collecting
from adgate.web.graph import Endpoint, GraphCall

if TYPE_CHECKING:
    from adgate.services.registry import Services


@dataclass(slots=True)
class Admission:
    """One call on its way through the steps, with what earlier steps found out."""

    call: GraphCall
    endpoint: Endpoint
    #: The token as found by ``read_token`` (None: no token needed or none given).
    presented: Presented | None = None
    #: A valid appsecret_proof came with the call.
    proven: bool = False
    #: What the access-level steps found out, for the steps after them
    #: (:class:`adgate.services.enforce.Decided`).
    decided: Any = None
    #: Until when (the sandbox clock) the decisions taken so far hold if no record changes.
    valid_until: float = math.inf
    #: False once a step has decided on something the memo key does not hold (``appsecret_time``).
    memo: bool = True

    @property
    def caller(self) -> Caller | None:
        caller = self.call.caller
        return caller if isinstance(caller, Caller) else None


@dataclass(frozen=True, slots=True)
class Admitted:
    """What the deciding steps concluded about an admitted call, kept in the gate's memo."""

    presented: Presented | None
    proven: bool
    caller: Any
    decided: Any
    valid_until: float


Step = Callable[[Admission], Awaitable[None]]
Settler = Callable[[GraphCall, Endpoint | None, GraphError | None], Awaitable[None]]

#: Admissions the gate remembers before it starts over (least recently used dropped first).
MEMO_CAPACITY = 100_000


class PipelineGate:
    """The steps, in order, then the settlers after the handler.

    ``steps`` *decide*: each answer depends only on the token, its ``appsecret_proof``, the
    endpoint, the node of the path and what the database holds, and, through
    :attr:`Admission.valid_until`, the time. ``every_call`` steps run after them on every call
    (the rate limits: counting is their point). So an admission, once decided, is kept in a memo
    on the database's terms (:class:`adgate.store.cache.ReadCache`: void once a committed write,
    here or on another node, wrote anything the steps' reads read) until its ``valid_until``,
    and the same call made again runs only the ``every_call`` steps: the same answer, in the
    same order, without re-deciding it. Only admissions are kept; a refusal is decided afresh
    each time. A step that decides on anything else sets :attr:`Admission.memo` to False.
    """

    def __init__(
        self,
        steps: Iterable[Step],
        settlers: Iterable[Settler] = (),
        *,
        every_call: Iterable[Step] = (),
        core: Core | None = None,
    ) -> None:
        self.steps: list[Step] = list(steps)
        self.every_call: list[Step] = list(every_call)
        self.settlers: list[Settler] = list(settlers)
        self.core = core
        self.memo = None if core is None else ReadCache(core.db.generation, capacity=MEMO_CAPACITY)

    async def admit(self, call: GraphCall, endpoint: Endpoint) -> None:
        admission = None
        memo, core = self.memo, self.core
        key = self._memo_key(call, endpoint)
        if key is not None and memo is not None and core is not None:
            found, kept = memo.get(key)
            if found and core.now() < kept.valid_until:
                memo.hits += 1
                call.caller = kept.caller
                if kept.presented is not None:
                    call.app_id = kept.presented.app.id  # as read_token sets it when it decides
                admission = Admission(
                    call, endpoint, kept.presented, kept.proven, kept.decided, kept.valid_until
                )
        if admission is None:
            admission = await self._decide(call, endpoint, key)
        if call.tooling:
            return  # the consoles' own call: decided, but counted in no rate limit
        for step in self.every_call:
            await step(admission)

    async def _decide(self, call: GraphCall, endpoint: Endpoint, key: Hashable | None) -> Admission:
        memo = self.memo
        stamp = memo.generation.stamp() if memo is not None else None  # before anything is read
        admission = Admission(call, endpoint)
        # Every read the steps make, from the database or the read cache, reports what it
        # depends on: the admission depends on all of it (adgate.store.dependencies).
        with collecting() as depends:
            for step in self.steps:
                await step(admission)
        if key is not None and memo is not None and admission.memo:
            kept = Admitted(
                admission.presented, admission.proven, call.caller, admission.decided, admission.valid_until
            )
            memo.put(key, kept, stamp, depends)
        return admission

    def _memo_key(self, call: GraphCall, endpoint: Endpoint) -> Hashable | None:
        raw = call.raw_token
        if self.core is None or not raw or len(raw) > MAX_TOKEN_LENGTH:
            return None
        # The token by a keyed fingerprint, never in clear; the endpoint lives as long as the server.
        fingerprint = self.core.keyring.fingerprint(raw)
        return fingerprint, call.params.get("appsecret_proof"), id(endpoint), call.node_id

    async def settle(self, call: GraphCall, endpoint: Endpoint | None, error: GraphError | None) -> None:
        if call.tooling:
            return  # the consoles' own call: not the app's traffic, so not in its usage
        for settler in self.settlers:
            await settler(call, endpoint, error)


class TokenSteps:
    """The first steps of the pipeline: who is calling, with a good token and the right scope."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.tokens = Tokens(core)

    def steps(self) -> list[Step]:
        return [self.read_token, self.check_appsecret_proof, self.check_validity, self.check_permissions]

    async def read_token(self, admission: Admission) -> None:
        auth = admission.endpoint.auth
        raw = admission.call.raw_token
        if auth == "none" or (auth == "optional" and not raw):
            return
        if not raw:
            raise GraphError.of("no_token")
        admission.presented = presented = await self.tokens.present(raw)
        admission.call.app_id = presented.app.id  # whatever the next steps decide: for usage

    async def check_appsecret_proof(self, admission: Admission) -> None:
        presented = admission.presented
        if presented is None:
            return
        if presented.is_app_secret:
            admission.proven = True  # the call carries the secret itself
            return
        params = admission.call.params
        proof = params.get_str("appsecret_proof")
        proof_time = params.get_str("appsecret_time")
        if proof_time is not None:
            admission.memo = False  # a time-stamped proof holds for minutes: decided each time
        invalid = check_proof(
            secret=self.tokens.app_secret(presented.app),
            token=(admission.call.raw_token or "").strip(),  # as looked up by Tokens.find
            proof=proof,
            proof_time=proof_time,
            required=presented.app.require_app_secret,
            now=self.core.now(),
        )
        if invalid is not None:
            raise error_of(invalid)
        admission.proven = proof is not None

    async def check_validity(self, admission: Admission) -> None:
        presented = admission.presented
        if presented is None:
            return
        invalid = presented.verdict(self.core.now())
        if invalid is not None:
            raise error_of(invalid)
        admission.call.caller = caller_of(presented, proven=admission.proven)
        admission.valid_until = min(admission.valid_until, presented.valid_until())

    async def check_permissions(self, admission: Admission) -> None:
        caller = admission.caller
        need = admission.endpoint.need
        needed = need.permissions or PRODUCT_PERMISSIONS.get(need.product or "", ())
        if caller is None or satisfies(caller.scopes, needed):
            return
        raise missing_permission(caller, needed)


def missing_permission(caller: Caller, needed: tuple[str, ...]) -> GraphError:
    """docs/graph-facts.md §4.2: 10 for a token that cannot hold permissions, 294 for ads_management, else
    200."""
    if caller.kind == "app":
        return GraphError.of("permission_denied")
    if needed == ("ads_management",):
        return GraphError.of("ads_management_required")
    if len(needed) == 1:
        return GraphError.of("requires_permission", permission=needed[0])
    return GraphError.of("permissions_error", detail=f"Requires one of the permissions: {', '.join(needed)}")


def build_gate(services: Services) -> PipelineGate:
    from adgate.services.enforce import build_gate_services

    # The order: token, proof, validity, then the app's level and the caller's role rules
    # , then the permission, then the account list and rate limits.
    read_token, check_proof, check_validity, check_permissions = TokenSteps(services.core).steps()
    access = build_gate_services(services)
    return PipelineGate(
        [
            read_token,
            check_proof,
            check_validity,
            *access.before_permission(),
            check_permissions,
            *access.after_permission(),
        ],
        access.settlers(),
        # Sandbox fault rules first: an injected failure costs no rate-limit points.
        every_call=[services.faults.check, *access.every_call()],
        core=services.core,
    )
