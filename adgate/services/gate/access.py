"""The gate's access-level steps: what a caller may do at the app's access level.

docs/architecture.md: token → appsecret_proof → validity → **app and access level → caller rules**
→ permission → **ad-account list → rate limits** → handler → **usage accounting → usage
headers**. The token steps and the permission step live in :mod:`adgate.services.gate.token_steps`;
this module gives the steps in bold, which :func:`adgate.services.gate.pipeline.build_gate` puts in
their place among them:

- :meth:`Enforcer.check_level` — the app's level from the policy table; Business Manager
  management, multi-account calls and Page creation refused where the level does not allow them;
- :meth:`Enforcer.check_caller` — at a role-restricted level (Development) the caller must be an
  app admin or developer (270) acting for an admin or advertiser of the ad account (273); at every
  level the caller must be able to see the ad account (100/33) and, to write, manage it (200); a
  system-user token made with ``asset`` may touch only those ad accounts (200);
- :meth:`Enforcer.check_account_list` — the ad account joins the app's list while there is room;
  past the maximum the call is refused (:data:`adgate.policy.access.LIST_FULL`);
- :meth:`Enforcer.check_rate_limits` — :class:`adgate.services.gate.limits.RateLimits`; the usage
  headers go into ``call.response_headers`` here, so they come with the handler's answer and
  with any error after this point;
- :meth:`Enforcer.count_user_error` (a settler) — an Insights call answered with a caller's error
  counts as a user error of the (app, ad account) pair, which lowers its ``ads_insights`` hour;
- :meth:`Enforcer.account_usage` (a settler, after the handler) — counts the call
  (:class:`adgate.services.gate.usage.UsageMeter`) for the app its token names: any token this server
  issued, valid or not (an expired token's call is the app's auth error), or the literal app
  secret; a forged or unknown token names no app anyone should be charged for.

The rules themselves are pure functions in :mod:`adgate.policy.access`; this module loads the
records they need, in one read transaction per step, kept in the database's read cache until the
next committed write (:meth:`adgate.store.interfaces.Database.cached`): a role removed or a level
changed is seen by the very next call.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from adgate import records as r
from adgate.policy import access
from adgate.protocol.errors import GraphError
from adgate.services.account_list import AccountLists
from adgate.services.context import Core
from adgate.services.gate.active_counts import ActiveCountsSource
from adgate.services.gate.admission import Admission, Decided
from adgate.services.gate.call import Endpoint, GraphCall
from adgate.services.gate.limits import BUC_OF_PRODUCT, RateLimits, check_policy
from adgate.services.gate.usage import UsageMeter, classify
from adgate.services.tokens.callers import Caller
from adgate.store.interfaces import Repos
from adgate.store.limiter import LimiterStore

#: Seconds between two flushes of the usage counts to the database.
USAGE_FLUSH_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class _Records:
    """What :meth:`Enforcer.check_caller` reads about a caller and an ad account (kept in the
    database's read cache until the next write, so immutable)."""

    app_role: str | None
    account: r.AdAccount | None = None
    #: The caller's effective role on the account (:func:`adgate.policy.access.account_role`).
    account_role: str | None = None
    #: The account is in the app's list (read only at a level with a list).
    listed: bool = False


def refuse(refusal: access.Refusal) -> GraphError:
    return GraphError.of(refusal.reason, **refusal.params)


def _within_assets(caller: Caller, account_id: str) -> None:
    """A system-user token made with ``asset`` touches only those ad accounts (docs/graph-facts.md
    §7): any other is refused with the permissions error, as an account the caller may not
    manage is."""
    token = caller.token
    if token is not None and token.assets is not None and account_id not in token.assets:
        raise GraphError.of(
            "permissions_error",
            detail=f"This access token may not access ad account {account_id}: it was made for the "
            f"assets {', '.join(token.assets)} only",
        )


class Enforcer:
    def __init__(
        self, core: Core, limits: RateLimits, usage: UsageMeter, account_lists: AccountLists
    ) -> None:
        self.core = core
        self.limits = limits
        self.usage = usage
        self.account_lists = account_lists

    # --- steps ----------------------------------------------------------------------------------
    async def check_level(self, admission: Admission) -> None:
        call, need = admission.call, admission.endpoint.need
        caller = call.caller
        if caller is None:
            return  # no token, no app: nothing a level could restrict
        policy = self.core.policy
        level = caller.app.access_level
        admission.decided = Decided(policy.limits_for(level))
        if not (need.business_manager or need.multi_account or need.page_creation):
            return  # the level rule restricts only these (most calls are none of them)
        refusal = access.level_rule(
            policy,
            level,
            caller.app.id,
            business_manager=need.business_manager,
            multi_account=need.multi_account,
            page_creation=need.page_creation,
        )
        if refusal is not None:
            raise refuse(refusal)

    async def check_caller(self, admission: Admission) -> None:
        call, need = admission.call, admission.endpoint.need
        caller = call.caller
        decided = admission.decided
        if caller is None or decided is None:
            return
        account_id = await need.account(call) if need.account is not None else None
        limits = decided.limits
        if need.account is not None and account_id is None and not limits.multi_account_calls:
            # The endpoint names an ad account but this call's can't be identified: refused where
            # such calls are (seed: "the affected account can't be identified"), never let through
            # as a call on no account.
            refusal = access.level_rule(
                self.core.policy, caller.app.access_level, caller.app.id, multi_account=True
            )
            if refusal is not None:
                raise refuse(refusal)
        admission.decided = decided = Decided(limits, account_id)
        marketing = need.product in access.MARKETING_PRODUCTS or account_id is not None
        if not marketing or caller.kind == "app":
            return  # app tokens are refused by the permission step (code 10)
        if not limits.role_restricted and account_id is None:
            return
        with_list = access.list_limit(limits) is not None
        key = (
            "access",
            caller.app.id,
            caller.person_id,
            caller.system_user_id,
            account_id,
            limits.role_restricted,
            with_list,
        )
        found: _Records = await self.core.db.cached(
            key, lambda tx: self._records(tx, caller, account_id, limits.role_restricted, with_list)
        )
        facts = self._facts(caller, found.app_role)
        refusal = access.caller_rule(limits, facts, marketing=True)
        if refusal is None and account_id is not None:
            # The node the caller named, never the account that owns it (a stranger must not
            # learn who owns an object they cannot see).
            asked = f"act_{call.node_id}" if call.node_kind == "ad_account" else call.node_id
            if found.account is None:
                raise GraphError.of(access.unsupported(call.method), node=asked or f"act_{account_id}")
            refusal = access.account_rule(
                limits,
                facts,
                account_id,
                found.account_role,
                write=need.write,
                method=call.method,
                node=asked,
            )
            if refusal is None:
                _within_assets(caller, account_id)
                # Read with the rest, so that the list step needs no transaction for an account
                # already listed (nearly every call); adding waits for that step.
                admission.decided = Decided(limits, account_id, found.listed)
        if refusal is not None:
            raise refuse(refusal)

    async def check_account_list(self, admission: Admission) -> None:
        call = admission.call
        caller = call.caller
        decided = admission.decided
        if caller is None or decided is None or decided.account_id is None or decided.listed:
            return
        limit = access.list_limit(decided.limits)
        if limit is None:
            return  # a level without a maximum has no list to enforce
        app, account_id = caller.app, decided.account_id
        # A full list refuses every unlisted account: seen through the read cache, that costs no
        # write transaction (and no lock on the app's row) per refused call. Room left: the add
        # itself decides, atomically.
        size = await self.core.db.cached(
            ("account_list_size", app.id), lambda tx: tx.account_lists.count(app.id)
        )
        if size >= limit:
            outcome = "full"
        else:
            async with self.core.db.transaction() as tx:
                outcome = await tx.account_lists.add(
                    app.id, account_id, source="auto", now=self.core.now(), limit=limit
                )
        refusal = access.account_list_rule(self.core.policy, app.access_level, app.id, account_id, outcome)
        if refusal is not None:
            error = refuse(refusal)
            error.error_data = {
                "account_id": account_id,
                "account_list_max": limit,
                "access_level": app.access_level,
            }
            raise error

    async def check_rate_limits(self, admission: Admission) -> None:
        call, need = admission.call, admission.endpoint.need
        caller = call.caller
        decided = admission.decided
        if caller is None or decided is None:
            return
        if decided.account_id is not None:
            await self.limits.account_call(
                caller.app.id,
                decided.account_id,
                decided.limits,
                write=need.write,
                product=need.product,
                headers=call.response_headers,
            )
            call.metered_account = decided.account_id
        elif caller.kind != "page":  # Page tokens are throttled per Page, not per app (§5.1)
            await self.limits.app_call(caller.app.id, call.response_headers)

    async def account_usage(
        self, call: GraphCall, endpoint: Endpoint | None, error: GraphError | None
    ) -> None:
        if call.injected:
            return  # a sandbox fault rule failed it: not the app's doing
        caller = call.caller
        app_id = caller.app.id if caller is not None else call.app_id
        if app_id is None:
            return
        # The router settles in a ``finally``: an exception other than a GraphError on its way
        # out is a handler crash (the edge middleware turns it into a code-1 envelope).
        crashed = error is None and isinstance(sys.exc_info()[1], Exception)
        self.usage.record(app_id, classify(error, crashed=crashed))

    async def count_user_error(
        self, call: GraphCall, endpoint: Endpoint | None, error: GraphError | None
    ) -> None:
        """An Insights call the limits let through, answered with a caller's error (HTTP 4xx, not
        transient; code 100 for a bad parameter, above all), is one user error of the (app, ad
        account) pair: the ``ads_insights`` formula's term (:mod:`adgate.services.gate.limits`).
        Refusals of the gate never get here counted (they stop before the limits), nor injected
        faults."""
        account_id = call.metered_account
        if error is None or account_id is None or endpoint is None or call.injected:
            return
        if BUC_OF_PRODUCT.get(endpoint.need.product or "") != "ads_insights":
            return
        spec = error.spec
        caller = call.caller
        if caller is not None and 400 <= spec.status < 500 and not spec.transient:
            await self.limits.user_error(caller.app.id, account_id)

    # --- records ----------------------------------------------------------------------------------
    async def _records(
        self, tx: Repos, caller: Caller, account_id: str | None, with_app_role: bool, with_list: bool
    ) -> _Records:
        """What the caller rules read, in one read transaction (cached by :meth:`check_caller`)."""
        app_role = None
        if with_app_role and caller.person is not None:
            role = await tx.app_roles.get(caller.app.id, caller.person.id)
            app_role = role.role if role else None
        if account_id is None:
            return _Records(app_role)
        account = await tx.ad_accounts.get(account_id)
        if account is None:
            return _Records(app_role)
        return _Records(
            app_role,
            account,
            await self._account_role(tx, caller, account),
            with_list and await tx.account_lists.contains(caller.app.id, account_id),
        )

    @staticmethod
    def _facts(caller: Caller, app_role: str | None) -> access.CallerFacts:
        system_user = caller.system_user
        return access.CallerFacts(
            app_id=caller.app.id,
            token_kind=caller.kind,
            user_id=caller.person_id or caller.system_user_id,
            scopes=frozenset(caller.scopes),
            app_role=app_role,
            in_app_business=(
                system_user is not None
                and caller.app.business_id is not None
                and system_user.business_id == caller.app.business_id
            ),
        )

    async def _account_role(self, tx: Repos, caller: Caller, account: r.AdAccount) -> str | None:
        if caller.system_user is not None:
            user = caller.system_user
            if account.business_id is None or user.business_id != account.business_id:
                return None
            assigned = await tx.system_user_ad_accounts.get(account.id, user.id)
            return access.account_role(assigned.role if assigned else None, system_user_role=user.role)
        if caller.person is None:
            return None
        direct = await tx.ad_account_roles.get(account.id, caller.person.id)
        if direct is not None:
            return direct.role
        business_role = None
        if account.business_id is not None:
            membership = await tx.business_people.get(account.business_id, caller.person.id)
            business_role = membership.role if membership else None
        return access.account_role(None, business_role=business_role)

    # --- lifecycle --------------------------------------------------------------------------------
    async def reset(self) -> None:
        """Sandbox reset: counters, cached counts and unflushed usage all go."""
        await self.usage.reset()
        await self.limits.reset()

    async def aclose(self) -> None:
        """Graceful shutdown: flush the usage counts, then let go of the counters."""
        try:
            await self.usage.stop()
        finally:
            await self.limits.aclose()


def build_access(core: Core, limiter: LimiterStore) -> Enforcer:
    """The access-level steps, their rate limits counted in ``limiter`` (chosen by the composition
    root, :func:`adgate.app.limiter_store_from_url`). The composition root hooks them into the
    server's life: usage counts flush every :data:`USAGE_FLUSH_SECONDS` from start-up
    (``enforcer.usage.start``) and once more at shutdown (``enforcer.aclose``); a sandbox reset
    clears both (``enforcer.reset``)."""
    check_policy(core.policy)
    return Enforcer(
        core,
        RateLimits(limiter, core.clock, core.db, ActiveCountsSource(core.db)),
        UsageMeter(core.db, core.clock, flush_seconds=USAGE_FLUSH_SECONDS),
        AccountLists(core),
    )
