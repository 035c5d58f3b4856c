"""The gate: the one pipeline every Graph call passes (docs/architecture.md).

:func:`build_gate` lists every step, in the order they run, in one place. Each step reads the call
and its endpoint's declaration (:class:`adgate.services.gate.call.Need`) and either returns or
raises the :class:`GraphError` that refuses the call (:mod:`adgate.services.gate.admission`):

- ``steps`` *decide*: the token steps (:mod:`adgate.services.gate.token_steps`) and the
  access-level steps (:mod:`adgate.services.gate.access`). Their conclusion for an admitted call is
  remembered until a write of what they read or the token's expiry
  (:mod:`adgate.services.gate.memo`), so the same call made again pays only for the next ones;
- ``every_call`` steps run after them on every call, remembered or not: the sandbox's fault rules
  and the rate limits (counting is their point);
- ``settlers`` run after the handler, whether it succeeded or not: usage accounting.

A call the consoles make on their own (``GraphCall.tooling``: the explorer's Page list and page
token) is decided by the same steps, but neither the ``every_call`` steps nor the settlers run for
it: it is not the app's traffic, and moves none of its figures (rate limits, usage, review criteria).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.gate.access import Enforcer
from adgate.services.gate.admission import Admission, Settler, Step
from adgate.services.gate.call import Endpoint, GraphCall
from adgate.services.gate.memo import AdmissionMemo
from adgate.services.gate.token_steps import TokenSteps
from adgate.services.tokens.callers import Tokens
from adgate.store.dependencies import collecting

if TYPE_CHECKING:
    from adgate.services.faults import FaultInjector


def build_gate(core: Core, tokens: Tokens, faults: FaultInjector, access: Enforcer) -> PipelineGate:
    """The gate of this server: the token steps, then ``access``'s, with the sandbox's ``faults``."""
    token_steps = TokenSteps(core, tokens)
    return PipelineGate(
        core,
        steps=(
            # Who is calling: the token from access_token (query or form) or Authorization.
            token_steps.read_token,
            # appsecret_proof: verified when sent, required when the app requires it.
            token_steps.check_appsecret_proof,
            # Expired, revoked, logged out, de-authorized...: sets call.caller.
            token_steps.check_validity,
            # The app's access level: Business Manager, multi-account calls, Page creation.
            access.check_level,
            # The caller's role rules at that level; the ad account seen (and, to write, managed).
            access.check_caller,
            # The endpoint's permission (or its product's) among the caller's current scopes.
            token_steps.check_permissions,
            # The ad account joins the app's list while there is room; past the maximum, refused.
            access.check_account_list,
        ),
        every_call=(
            # Sandbox fault rules first: an injected failure costs no rate-limit points.
            faults.check,
            # The rate limits; their usage headers go with the answer, whatever it is.
            access.check_rate_limits,
        ),
        settlers=(
            # The app's usage counts, for the call its token names (valid or not).
            access.account_usage,
            # An Insights call answered with a caller's error: a user error of the (app, account).
            access.count_user_error,
        ),
    )


class PipelineGate:
    """The steps, in order, then the settlers after the handler (:func:`build_gate`)."""

    def __init__(
        self,
        core: Core,
        *,
        steps: Sequence[Step],
        every_call: Sequence[Step] = (),
        settlers: Sequence[Settler] = (),
    ) -> None:
        self.steps = tuple(steps)
        self.every_call = tuple(every_call)
        self.settlers = tuple(settlers)
        self.memo = AdmissionMemo(core)

    async def admit(self, call: GraphCall, endpoint: Endpoint) -> None:
        key = self.memo.key(call, endpoint)
        admission = self.memo.recall(call, endpoint, key) if key is not None else None
        if admission is None:
            admission = await self._decide(call, endpoint, key)
        if call.tooling:
            return  # the consoles' own call: decided, but counted in no rate limit
        for step in self.every_call:
            await step(admission)

    async def _decide(self, call: GraphCall, endpoint: Endpoint, key: Hashable | None) -> Admission:
        stamp = self.memo.generation.stamp()  # before anything is read
        admission = Admission(call, endpoint)
        # Every read the steps make, from the database or the read cache, reports what it
        # depends on: the admission depends on all of it (adgate.store.dependencies).
        with collecting() as depends:
            for step in self.steps:
                await step(admission)
        if key is not None:
            self.memo.keep(key, admission, stamp, depends)
        return admission

    async def settle(self, call: GraphCall, endpoint: Endpoint | None, error: GraphError | None) -> None:
        if call.tooling:
            return  # the consoles' own call: not the app's traffic, so not in its usage
        for settler in self.settlers:
            await settler(call, endpoint, error)
