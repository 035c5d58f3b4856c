"""Rate limits on Graph calls: the per-ad-account score, business-use-case windows, the app window.

docs/graph-facts.md §5. The math is :mod:`adgate.policy.ratelimit`, the counters
:mod:`adgate.store.limiter`; this service picks the counters a call touches, applies the access
level's tier (``LevelLimits.rate_limit_tier``), and turns decisions into the usage headers (§5.4)
and errors. Choices where the sources are silent:

- A call against one ad account is a Marketing call: it costs its score points (read 1, write 3)
  for the (app, ad account) pair, then counts one call in the hour window of its business use
  case (``ads_management`` for ad objects, ``ads_insights``, ``custom_audience``). The score is
  checked first because it binds first (60 points per 5 minutes against 300 calls per hour at
  Development); a call the hour window then refuses keeps its score points, as the load it put on
  the account was real. Both counters move in one atomic step of the store
  (:meth:`adgate.store.limiter.LimiterStore.hit_account`: one Lua script, one round trip, with
  Redis).
- A call that names no ad account (``/me``, ``debug_token``, ``/me/adaccounts``) counts in the app's
  hour window of ``200 * users`` calls (§5.1), users being the people who authorized the app; Page
  tokens are exempt, as Graph throttles them per Page (§5.1). Marketing calls with an account are
  excluded from that window, as §5.1 says Marketing calls are.
- Counters unreachable (Redis down) and ``ADGATE_LIMITER_FAILURE=closed``: the call is refused
  with the transient code 2; ``open``: it goes through and the headers report 0.
- The ``ads_insights`` formula's user-error term (§5.3): an Insights call on an ad account that the
  limits let through and whose handler answered with a Graph error of HTTP status 4xx that is not
  transient (code 100 for a bad parameter, above all) is one user error of that (app, ad account)
  pair (:meth:`RateLimits.user_error`, from the settler
  :meth:`adgate.services.gate.access.Enforcer.count_user_error`). They are counted in an hour window
  like the calls, and each takes 0.001 calls off the pair's ``ads_insights`` hour, applied in the
  same atomic step as the call (docs/graph-facts.md §5.3, our reading of "user errors").
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Protocol

from adgate.clock import Clock
from adgate.policy.levels import LevelLimits, Policy
from adgate.policy.ratelimit import (
    BUC_FORMULAS,
    SCORE_TIERS,
    ScoreDecision,
    WindowDecision,
    app_call_limit,
    app_key,
    buc_key,
    buc_limit,
    per_user_error,
    score_cost,
    score_key,
    user_error_key,
)
from adgate.policy.usage_headers import (
    HEADER_AD_ACCOUNT_USAGE,
    HEADER_ADS_INSIGHTS_THROTTLE,
    HEADER_APP_USAGE,
    HEADER_BUSINESS_USE_CASE_USAGE,
    BucUsage,
    ad_account_usage_from_score,
    app_usage_from_window,
    format_ads_insights_throttle,
    format_business_use_case_usage,
)
from adgate.protocol.errors import ErrorName, GraphError
from adgate.store.interfaces import Database
from adgate.store.limiter import LimiterStore, LimiterUnavailable

#: Endpoint product → business use case (§5.3). Business Manager and Pages have no hourly BUC here.
BUC_OF_PRODUCT: Mapping[str, str] = {
    "ads_management": "ads_management",
    "ads_read": "ads_management",
    "ads_insights": "ads_insights",
    "audiences": "custom_audience",
}
#: BUC type → catalog entry of its throttling error (80004 / 80000 / 80003, subcode 2446079).
BUC_ERRORS: Mapping[str, ErrorName] = {
    "ads_management": "buc_ads_management",
    "ads_insights": "buc_ads_insights",
    "custom_audience": "buc_custom_audience",
}
#: How long the number of an app's users is trusted before it is counted again (seconds).
USERS_TTL_SECONDS = 60.0
#: Header values and limits kept before the memo starts over.
MEMO_SIZE = 50_000


@dataclass(frozen=True, slots=True)
class ActiveCounts:
    """What the business-use-case formulas count in the world (§5.3); the user errors of the
    ``ads_insights`` formula are counted by the limiter store itself (:meth:`RateLimits.user_error`)."""

    ads: int = 0
    audiences: int = 0


class CountsSource(Protocol):
    """Where an ad account's active counts come from
    (:class:`adgate.services.gate.active_counts.ActiveCountsSource`)."""

    async def get(self, account_id: str, now: float) -> ActiveCounts: ...


def check_policy(policy: Policy) -> None:
    """Fail at start-up, not on the first call, when a level names a tier with no numbers."""
    for name in policy.order:
        tier = policy.limits_for(name).rate_limit_tier
        if tier not in SCORE_TIERS or tier not in BUC_FORMULAS:
            raise ValueError(
                f"access level {name!r} uses rate_limit_tier {tier!r}, which has no score or BUC "
                f"numbers; known tiers: {', '.join(sorted(SCORE_TIERS))}"
            )


def header_tier(limits: LevelLimits) -> str:
    """The tier argument of the header formatters, so that they print ``limits.header_tier``.

    The formatters append ``_access`` to a tier they do not know and map the three known ones to
    ``<tier>_access``; handing them the header value without its suffix prints it unchanged.
    """
    return limits.header_tier.removesuffix("_access")


class RateLimits:
    def __init__(self, store: LimiterStore, clock: Clock, db: Database, counts: CountsSource) -> None:
        self.store = store
        self.clock = clock
        self.db = db
        self.counts = counts
        self._users: dict[str, tuple[int, float]] = {}
        self._formatted: dict[tuple[object, ...], str] = {}
        self._limits: dict[tuple[str, str, ActiveCounts], int] = {}

    async def account_call(
        self,
        app_id: str,
        account_id: str,
        limits: LevelLimits,
        *,
        write: bool,
        product: str | None,
        headers: MutableMapping[str, str],
    ) -> None:
        """Count a call against one ad account; raise the throttling error if it is refused.

        The usage headers go into ``headers`` in both cases (§5.4: they come with errors too).
        """
        now = self.clock.now()
        tier = limits.rate_limit_tier
        shown = header_tier(limits)
        buc_type = BUC_OF_PRODUCT.get(product or "")
        try:
            if buc_type is None:
                score = await self.store.hit_score(
                    score_key(app_id, account_id), SCORE_TIERS[tier], score_cost(write), now
                )
                headers[HEADER_AD_ACCOUNT_USAGE] = self._account_header(score, shown)
                if not score.allowed:
                    raise GraphError.of("user_limit")
                return
            limit = self._buc_limit(tier, buc_type, await self.counts.get(account_id, now))
            per_error = per_user_error(tier, buc_type)
            score, window = await self.store.hit_account(
                score_key(app_id, account_id),
                SCORE_TIERS[tier],
                score_cost(write),
                buc_key(app_id, account_id, buc_type),
                limit,
                now,
                errors_key=user_error_key(app_id, account_id) if per_error else None,
                per_error=per_error,
            )
        except LimiterUnavailable:
            raise GraphError.of("service") from None
        headers[HEADER_AD_ACCOUNT_USAGE] = self._account_header(score, shown)
        headers[HEADER_BUSINESS_USE_CASE_USAGE] = self._buc_header(account_id, buc_type, window, shown)
        if buc_type == "ads_insights":
            headers[HEADER_ADS_INSIGHTS_THROTTLE] = self._insights_header(window, shown)
        if not score.allowed:
            raise GraphError.of("user_limit")
        if not window.allowed:
            raise GraphError.of(BUC_ERRORS[buc_type])

    # --- pure results kept, not recomputed on every call ----------------------------------------
    # The header values are rounded (two decimals, whole seconds or minutes) before they are
    # formatted, so the same few values come back call after call; formatting them is a JSON dump
    # each. Keyed by every input of the pure function, so a kept value is exactly what it returns.
    def _account_header(self, score: ScoreDecision, shown: str) -> str:
        key = ("acc", score.util_pct, score.reset_time_duration, shown)
        value = self._formatted.get(key)
        if value is None:
            value = self._keep(key, ad_account_usage_from_score(score, shown))
        return value

    def _buc_header(self, account_id: str, buc_type: str, window: WindowDecision, shown: str) -> str:
        # The header shows whole percentages (rounded down): keyed by what it shows, not by pct.
        key = (
            "buc",
            account_id,
            buc_type,
            int(window.pct),
            window.estimated_time_to_regain_access_minutes,
            shown,
        )
        value = self._formatted.get(key)
        if value is None:
            usage = BucUsage.from_window(buc_type, window, shown)
            value = self._keep(key, format_business_use_case_usage({account_id: [usage]}))
        return value

    def _insights_header(self, window: WindowDecision, shown: str) -> str:
        # OURS: adgate meters Insights per app and ad account, so the app's share shown is the
        # share of the account's ads_insights hour it has used, the same figure as the account's.
        key = ("insights", round(window.pct, 2), shown)
        value = self._formatted.get(key)
        if value is None:
            value = self._keep(key, format_ads_insights_throttle(window.pct, window.pct, shown))
        return value

    def _buc_limit(self, tier: str, buc_type: str, counts: ActiveCounts) -> int:
        key = (tier, buc_type, counts)
        limit = self._limits.get(key)
        if limit is None:
            # Without the user-error term: the store applies it with its own count, in the same
            # atomic step as the call (LimiterStore.hit_account).
            limit = buc_limit(tier, buc_type, active_ads=counts.ads, active_audiences=counts.audiences)
            if len(self._limits) >= MEMO_SIZE:
                self._limits.clear()
            self._limits[key] = limit
        return limit

    def _keep(self, key: tuple[object, ...], value: str) -> str:
        if len(self._formatted) >= MEMO_SIZE:
            self._formatted.clear()
        self._formatted[key] = value
        return value

    async def user_error(self, app_id: str, account_id: str) -> None:
        """Count one user error of the app on the ad account (docs/graph-facts.md §5.3: the
        ``ads_insights`` formula's term); the next Insights calls' limit is lower by it for an hour.
        Counters out of reach: the error goes uncounted (the answer has already gone out)."""
        try:
            await self.store.add_user_error(user_error_key(app_id, account_id), self.clock.now())
        except LimiterUnavailable:
            return

    async def app_call(self, app_id: str, headers: MutableMapping[str, str]) -> None:
        """Count a call in the app's hour window (§5.1); raise code 4 past ``200 * users``."""
        now = self.clock.now()
        limit = app_call_limit(await self._app_users(app_id, now))
        try:
            window = await self.store.hit_window(app_key(app_id), limit, 1, now)
        except LimiterUnavailable:
            raise GraphError.of("service") from None
        key = ("app", window.pct)
        value = self._formatted.get(key)
        headers[HEADER_APP_USAGE] = value or self._keep(key, app_usage_from_window(window))
        if not window.allowed:
            raise GraphError.of("app_limit")

    async def _app_users(self, app_id: str, now: float) -> int:
        # The number moves slowly and only sets a limit, so a minute-old count is good enough and
        # saves a query per call; it never grants access, so it cannot outlive a revocation.
        cached = self._users.get(app_id)
        if cached is not None and now - cached[1] < USERS_TTL_SECONDS:
            return cached[0]
        async with self.db.read() as tx:
            users = await tx.usage.app_users(app_id)
        if len(self._users) > 100_000:
            self._users.clear()
        self._users[app_id] = (users, now)
        return users

    async def reset(self) -> None:
        """Sandbox reset: forget every counter and cached count."""
        self._users.clear()
        await self.store.reset()

    async def aclose(self) -> None:
        await self.store.aclose()
