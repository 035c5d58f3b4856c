"""Faults on demand: make chosen Graph calls fail the way Graph fails, and record each failure.

The rules (:mod:`adgate.policy.faults`) live in the database, so they survive a restart and every
node applies the same ones; each node reads them through the read cache, so a rule added or
removed on one node is followed by the others as any other write is. A rule's match count is
taken in one conditional update (:meth:`adgate.store.faults.FaultRepo.take`), so "the next 3
calls" means three calls in all, whichever nodes answer them, and a probability rule draws the
same sequence in every run.

:meth:`FaultInjector.check` is a gate step run on every call after the call is admitted (the
token, level, caller and permission decided), before the rate limits: so a rule can name the app,
the token and the ad account, and an injected failure costs no rate-limit points. Injected
failures do not count in the app's usage (calls, errors, App Review evidence): they are the
sandbox's doing, not the app's.
"""

from __future__ import annotations

import asyncio
import logging
import string
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from adgate import ids
from adgate.policy import faults as policy
from adgate.policy.faults import FaultSpecError, Rule, Seen, Target
from adgate.policy.usage_headers import format_ad_account_usage, format_app_usage
from adgate.policy.validity import graph_date
from adgate.protocol.errors import CATALOG, ErrorName, GraphError, is_error_name
from adgate.services.context import Core
from adgate.services.gate.limits import header_tier
from adgate.store.cache import ReadCache
from adgate.store.faults import FaultEvent, StoredRule

if TYPE_CHECKING:
    from adgate.services.gate.admission import Admission, Decided
    from adgate.services.gate.call import GraphCall
    from adgate.services.gate.router import GraphRouter

log = logging.getLogger("adgate.faults")

CACHE_KEY = ("fault_rules",)
#: The throttle effect's ``reset_time_duration`` / ``estimated_time_to_regain_access`` (seconds).
THROTTLE_SECONDS = 300


class InjectedFailure(GraphError):
    """A failure below the Graph layer: an HTTP 5xx with no body, or a connection dropped mid-answer.

    It is a :class:`GraphError` (code 2, the service error) so that where no HTTP exchange of its
    own exists, a batch item, it fails as Graph's transient service error does.
    """

    __slots__ = ("drop", "http_status")

    def __init__(self, *, http_status: int | None = None, drop: bool = False) -> None:
        spec = CATALOG["service"]
        super().__init__(spec, spec.message)
        self.http_status = http_status
        self.drop = drop


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def error_by(name: Any, code: Any, subcode: Any) -> ErrorName:
    """The catalog entry a rule names, by ``error`` name or by ``code`` (and ``subcode``)."""
    if name is not None:
        if not isinstance(name, str) or not is_error_name(name):
            raise FaultSpecError("effect.error", f"is not an error of the catalog: {name!r}")
        return name
    if not isinstance(code, int) or isinstance(code, bool):
        raise FaultSpecError(
            "effect.code", f"an error effect needs error (a name) or code (a number); got {code!r}"
        )
    if subcode is not None and (not isinstance(subcode, int) or isinstance(subcode, bool)):
        raise FaultSpecError("effect.subcode", f"must be a number; got {subcode!r}")
    for entry, spec in CATALOG.items():
        if spec.code == code and (subcode is None or spec.subcode == subcode):
            return entry
    pairs = sorted({(s.code, s.subcode) for s in CATALOG.values()}, key=lambda p: (p[0], p[1] or 0))
    known = ", ".join(f"{c}/{s}" if s else str(c) for c, s in pairs)
    raise FaultSpecError(
        "effect.code",
        f"no Graph error {code}{f'/{subcode}' if subcode else ''} in the catalog; known: {known}",
    )


class FaultInjector:
    def __init__(self, core: Core, router: GraphRouter) -> None:
        self.core = core
        self.router = router
        #: The rules, on the read cache's terms (void after a write here or on another node), in a
        #: cache of their own so that the check costs the shared cache nothing.
        self._kept = ReadCache(core.db.generation, capacity=1)

    # --- the control API --------------------------------------------------------------------------
    async def add(self, data: Any) -> Rule:
        """A new rule from its JSON form; ``GraphError`` (code 100 naming the field) if it is
        malformed or could never match."""
        try:
            rule = policy.parse_rule(
                data,
                rule_id=ids.new_id(),
                now=self.core.clock.now(),
                resolve_error=error_by,
                known_target=self._answers,
                fingerprint=self.core.keyring.digest,
            )
        except FaultSpecError as exc:
            raise GraphError.invalid(f"{exc.field}: {exc.message}") from None
        async with self.core.db.transaction() as tx:
            if rule.match.app_id is not None and await tx.apps.get(rule.match.app_id) is None:
                raise GraphError.invalid(
                    f"match.app_id: no app {rule.match.app_id}: the rule could never match"
                )
            account = rule.match.ad_account
            if account is not None and await tx.ad_accounts.get(account) is None:
                raise GraphError.invalid(
                    f"match.ad_account: no ad account act_{account}: the rule could never match"
                )
            await tx.faults.add(rule)
        return rule

    async def rules(self) -> Sequence[StoredRule]:
        async with self.core.db.transaction() as tx:
            return await tx.faults.list()

    async def remove(self, rule_id: str) -> bool:
        async with self.core.db.transaction() as tx:
            return await tx.faults.remove(rule_id)

    async def clear(self) -> int:
        async with self.core.db.transaction() as tx:
            return await tx.faults.clear()

    async def events(self, limit: int = 100) -> Sequence[FaultEvent]:
        async with self.core.db.transaction() as tx:
            return await tx.faults.events(limit)

    def _answers(self, method: str | None, target: Target) -> bool:
        return any(
            (method is None or e.method == method) and target.matches(e.node, e.edge)
            for e in self.router.endpoints()
        )

    # --- the gate step ----------------------------------------------------------------------------
    async def check(self, admission: Admission) -> None:
        stored: tuple[StoredRule, ...] = await self._kept.get_or_load(CACHE_KEY, self._load)
        if not stored:
            return
        call = admission.call
        decided = admission.decided
        account = decided.account_id if decided is not None else None
        if account is None and call.node_kind == "ad_account":
            account = call.node_id
        token = None
        if call.raw_token and any(s.rule.match.token is not None for s in stored):
            token = self.core.keyring.digest(call.raw_token.strip())
        caller = call.caller
        app_id = caller.app.id if caller is not None else call.app_id
        seen = Seen(call.method, call.node_kind, call.edge, app_id, token, account)
        now = self.core.clock.now()
        for candidate in stored:
            rule = candidate.rule
            if policy.applies(rule, seen, now) and await self._fires(rule, call, account):
                await self._apply(rule, call, decided)
                return

    async def _load(self) -> tuple[StoredRule, ...]:
        async with self.core.db.read() as tx:
            return tuple(await tx.faults.list())

    async def _fires(self, rule: Rule, call: GraphCall, account: str | None) -> bool:
        async with self.core.db.transaction() as tx:
            taken = await tx.faults.take(rule.id)
            if taken is None:
                return False
            nth, left = taken
            if not left or not policy.draws(rule, nth):
                return False
            event = FaultEvent(
                0, rule.id, self.core.now(), call.method, call.path, call.app_id, account, rule.effect.kind
            )
            await tx.faults.record(event)
        log.info("fault %s injected: %s %s", rule.id, rule.effect.kind, call.path)
        return True

    async def _apply(self, rule: Rule, call: GraphCall, decided: Decided | None) -> None:
        effect = rule.effect
        call.injected = True
        if effect.latency_ms:
            await asyncio.sleep(effect.latency_ms / 1000)  # real time: the client's timeouts are
        if effect.kind == "latency":
            call.injected = False  # the call goes on and counts as the app's own
            return
        if effect.kind == "error":
            assert effect.error is not None
            raise _graph_error(effect.error, call, self.core.now())
        if effect.kind == "http_status":
            raise InjectedFailure(http_status=effect.status)
        if effect.kind == "drop":
            raise InjectedFailure(drop=True)
        raise self._throttle(call, decided)

    @staticmethod
    def _throttle(call: GraphCall, decided: Decided | None) -> GraphError:
        """The throttling error a call meets at 100% usage, with the usage headers saying so."""
        if decided is not None and decided.account_id is not None:
            call.response_headers["x-ad-account-usage"] = format_ad_account_usage(
                100, THROTTLE_SECONDS, header_tier(decided.limits)
            )
            return GraphError.of("user_limit")
        call.response_headers["x-app-usage"] = format_app_usage(100, 100, 100)
        return GraphError.of("app_limit")


def _graph_error(name: str, call: GraphCall, now: int) -> GraphError:
    """The catalog entry with its message filled as the real answer would be (a stored rule naming
    an entry this version no longer has fails the call as an unknown error)."""
    spec = CATALOG[name if is_error_name(name) else "unknown"]
    node = call.node_id if call.node_kind != "ad_account" else f"act_{call.node_id}"
    values: Mapping[str, str] = _Blank(
        now=graph_date(now),
        expired=graph_date(now),
        node=node or call.node_kind,
        path=call.path,
        method=call.method,
    )
    message = string.Formatter().vformat(spec.message, (), values)
    return GraphError(spec, message)
