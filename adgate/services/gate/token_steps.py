"""The token steps of the gate: who is calling, with a good token and the right scope.

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

Where they stand among the other steps: :mod:`adgate.services.gate.pipeline`.
"""

from __future__ import annotations

from adgate.policy.appsecret_proof import check_proof
from adgate.policy.permissions import PRODUCT_PERMISSIONS, satisfies
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.gate.admission import Admission
from adgate.services.tokens.callers import Caller, Tokens, caller_of, error_of


class TokenSteps:
    """The first steps of the pipeline: who is calling, with a good token and the right scope."""

    def __init__(self, core: Core, tokens: Tokens) -> None:
        self.core = core
        self.tokens = tokens

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
