"""Rate-limit math: the ad-account score, business-use-case windows and the app-level window.

Pure: no IO, no clock reads. ``now`` is always a parameter (seconds since the epoch, from the one
injected clock); stores in ``adgate.store.limiter`` keep the state and apply these decisions.

Sources (``docs/graph-facts.md``):

- §5.2, Marketing API score per (app, ad account): reads cost 1 point, writes 3; the score decays;
  reaching the maximum blocks the pair. Documented tiers: Development 60 / 300 s / 300 s,
  Standard 9000 / 300 s / 60 s. Basic was never published (see :data:`SCORE_TIERS`).
- §5.3, business-use-case (BUC) limits per (app, ad account, type) over one hour, with per-tier
  formulas (see :data:`BUC_FORMULAS`).
- §5.1, app-level Graph limit: ``200 * users`` calls per rolling hour.

Choices where the docs are silent, each made once, here:

1. Score model: a leaky bucket that drains *linearly* at ``max_score / decay_seconds`` points per
   second (the pre-2019 doc's "decays at n/300 points per second"), not a sliding log.
2. The score refuses a call that would make it *reach or exceed* the maximum, so it always stays
   below it: from zero, 59 reads get through at Development and the 60th is refused. The hour
   windows refuse a call only when it would *exceed* the limit: a limit of N lets N calls through.
3. A call a counter refuses never counts in it: a refused score adds no points (and a call the score
   refuses counts in no window either); a call an hour window refuses adds no calls to it (the
   score points it cost stay: :mod:`adgate.services.gate.limits` checks the score first, as the load on
   the account was real). A refusal by the score starts
   (or, while blocked, leaves untouched) a block of ``block_seconds``; the block is not extended by
   calls made during it, so a client retrying in a loop is not locked out for ever.
4. While blocked, ``util_pct`` reports 100 and ``reset_time_duration`` the seconds until the block
   ends; otherwise ``reset_time_duration`` is the seconds until the score drains to zero.
5. The hour is approximated by 60 one-minute buckets: a call made during minute ``m`` is counted
   through minute ``m + 59`` and forgotten when minute ``m + 60`` starts. A refused window decision
   reports ``pct`` 100 (clients throttle on 100, §5.1) and the whole minutes until enough old
   buckets leave the window for the call to fit.
6. The app-level limit counts at least one user, so a new app gets 200 calls an hour, not zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

READ_COST = 1
WRITE_COST = 3
WINDOW_MINUTES = 60
APP_CALLS_PER_USER_PER_HOUR = 200
BUC_TYPES = ("ads_management", "ads_insights", "custom_audience")


@dataclass(frozen=True)
class ScoreTier:
    """One row of the score table (§5.2)."""

    max_score: int
    decay_seconds: float
    block_seconds: float

    def __post_init__(self) -> None:
        if self.max_score <= 0 or self.decay_seconds <= 0 or self.block_seconds <= 0:
            raise ValueError(f"score tier values must be positive: {self}")


# The one table of score tiers, keyed by the access level's ``rate_limit_tier``.
SCORE_TIERS: Mapping[str, ScoreTier] = {
    # Documented (§5.2).
    "development": ScoreTier(max_score=60, decay_seconds=300, block_seconds=300),
    # OURS: Basic was never published ("moderately" rate limited, between "heavily" and "lightly").
    # We put it at the geometric mean of Development and Standard, the midpoint on the log scale
    # those words describe: 735 = round(sqrt(60 * 9000)), 134 = round(sqrt(300 * 60)).
    "basic": ScoreTier(max_score=735, decay_seconds=300, block_seconds=134),
    # Documented (§5.2).
    "standard": ScoreTier(max_score=9000, decay_seconds=300, block_seconds=60),
}


def score_cost(is_write: bool) -> int:
    """A read costs one point and a write three (§5.2)."""
    return WRITE_COST if is_write else READ_COST


# The decisions and states below are built on every Graph call: plain slotted dataclasses, built
# five times faster than frozen ones. Treat them as values all the same: nothing changes one.
@dataclass(slots=True)
class ScoreState:
    """What a store keeps per (app, ad account): the score as of ``updated_at``, and the block."""

    score: float
    updated_at: float
    blocked_until: float


@dataclass(slots=True)
class ScoreDecision:
    allowed: bool
    new_state: ScoreState
    #: 0-100, two decimals; 100 while blocked.
    util_pct: float
    #: Whole seconds until the block ends (while blocked) or the score drains to zero.
    reset_time_duration: int
    #: Whole seconds to wait before calling again; 0 when allowed.
    retry_after: int
    #: Set by a store that could not reach its backend and let the call through (fail open).
    degraded: bool = False


def decide_score(tier: ScoreTier, state: ScoreState | None, cost: int, now: float) -> ScoreDecision:
    """Apply one call of ``cost`` points to the (app, ad account) score at ``now``.

    The Redis Lua script in ``adgate.store.limiter.redis`` performs this same transition, operation for
    operation, so both backends agree to the last bit; change them together.
    """
    if cost < 0:
        raise ValueError("cost must not be negative")
    if state is None:
        # Never blocked (0, not now: a node whose clock runs a little behind must not see a block).
        state = ScoreState(score=0.0, updated_at=now, blocked_until=0.0)
    elapsed = now - state.updated_at
    if elapsed < 0:  # another node's clock is a little behind: never decay backwards
        elapsed = 0.0
    score = state.score - elapsed * tier.max_score / tier.decay_seconds
    if score < 0:
        score = 0.0
    updated_at = now if now > state.updated_at else state.updated_at
    blocked_until = state.blocked_until
    allowed = False
    if now < blocked_until:
        pass  # blocked: refused, adds nothing, block not extended (choice 3)
    elif score + cost >= tier.max_score:
        blocked_until = now + tier.block_seconds  # reaching the maximum blocks (choice 2)
    else:
        score = score + cost
        allowed = True
    return score_view(tier, ScoreState(score, updated_at, blocked_until), allowed, now)


def score_view(tier: ScoreTier, state: ScoreState, allowed: bool, now: float) -> ScoreDecision:
    """The decision a client sees for ``state`` right after the transition at ``now``."""
    if not allowed:
        # Every refusal happens inside a block: ScoreTier insists on block_seconds > 0.
        wait = max(1, _whole_seconds(state.blocked_until - now))
        return ScoreDecision(False, state, 100.0, wait, wait)
    util_pct = round(min(state.score * 100 / tier.max_score, 100.0), 2)
    reset = _whole_seconds(state.score * tier.decay_seconds / tier.max_score)
    return ScoreDecision(True, state, util_pct, reset, 0)


def _whole_seconds(seconds: float) -> int:
    # Round up to whole seconds, after dropping float noise (300.00000000000006 is 300, not 301).
    return math.ceil(round(seconds, 6))


# --- Hour windows (BUC and app level) -----------------------------------------------------------


@dataclass(slots=True)
class WindowDecision:
    allowed: bool
    #: Calls counted in the hour, including this one when allowed.
    count: int
    #: 0-100, two decimals; 100 when refused.
    pct: float
    #: 0 when allowed; otherwise whole minutes until the call would fit (§5.4: minutes).
    estimated_time_to_regain_access_minutes: int
    #: Minute buckets a store keeps after this call (stale ones dropped, this call added).
    new_buckets: Mapping[int, int]
    degraded: bool = False


def minute_of(now: float) -> int:
    """The one-minute bucket ``now`` falls in."""
    return math.floor(now / 60)


def decide_window(limit: int, buckets: Mapping[int, int], cost: int, now: float) -> WindowDecision:
    """Apply one call of ``cost`` to an hour window of minute buckets (choice 5).

    ``buckets`` maps minute number (:func:`minute_of`) to calls. Buckets ahead of ``now`` (another
    node's clock is a little ahead) are kept but not counted yet. The Redis Lua script performs the
    same transition and hands its result to :func:`window_view`.
    """
    if cost < 0:
        raise ValueError("cost must not be negative")
    minute = minute_of(now)
    kept = {m: c for m, c in buckets.items() if m > minute - WINDOW_MINUTES}
    count = sum(c for m, c in kept.items() if m <= minute)
    allowed = count + cost <= limit
    if allowed and cost > 0:
        kept[minute] = kept.get(minute, 0) + cost
    return window_view(limit, kept, cost, allowed, now)


def window_view(
    limit: int, buckets: Mapping[int, int], cost: int, allowed: bool, now: float
) -> WindowDecision:
    """The decision a client sees for ``buckets`` right after the transition at ``now``."""
    minute = minute_of(now)
    live = {m: c for m, c in buckets.items() if minute - WINDOW_MINUTES < m <= minute}
    count = sum(live.values())
    if allowed:
        pct = 100.0 if limit <= 0 else round(min(count * 100 / limit, 100.0), 2)
        return WindowDecision(True, count, pct, 0, dict(buckets))
    need = count + cost - limit
    wait = WINDOW_MINUTES  # cost above the limit itself: nothing frees enough, say one full hour
    freed = 0
    for m in sorted(live):
        freed += live[m]
        if freed >= need:
            wait = m + WINDOW_MINUTES - minute  # bucket m leaves when minute m + 60 starts
            break
    return WindowDecision(False, count, 100.0, wait, dict(buckets))


# --- Business use case limits (§5.3) ------------------------------------------------------------


@dataclass(frozen=True)
class BucFormula:
    """``base + per_active_ad * ads + per_active_audience * audiences - per_user_error * errors``."""

    base: int
    per_active_ad: int = 0
    per_active_audience: int = 0
    per_user_error: Fraction = Fraction(0)
    cap: int | None = None


def _buc_row(ads_management: int, custom_audience: int, ads_insights: int) -> Mapping[str, BucFormula]:
    # Only the bases differ between tiers (§5.3); the per-unit terms and the cap are shared.
    return {
        "ads_management": BucFormula(ads_management, per_active_ad=40),
        "custom_audience": BucFormula(custom_audience, per_active_audience=40, cap=700_000),
        "ads_insights": BucFormula(ads_insights, per_active_ad=400, per_user_error=Fraction(1, 1000)),
    }


# The one table of BUC formulas, keyed by ``rate_limit_tier`` then BUC type.
BUC_FORMULAS: Mapping[str, Mapping[str, BucFormula]] = {
    # Documented as the Dev/Limited tier (§5.3).
    "development": _buc_row(ads_management=300, custom_audience=5_000, ads_insights=600),
    # OURS: geometric mean of the Development and Standard bases, like SCORE_TIERS["basic"]:
    # 5477 = round(sqrt(300 * 100000)), 30822 = round(sqrt(5000 * 190000)),
    # 10677 = round(sqrt(600 * 190000)).
    "basic": _buc_row(ads_management=5_477, custom_audience=30_822, ads_insights=10_677),
    # Documented as the Standard/Full tier (§5.3).
    "standard": _buc_row(ads_management=100_000, custom_audience=190_000, ads_insights=190_000),
}


def buc_limit(
    tier: str,
    buc_type: str,
    *,
    active_ads: int = 0,
    active_audiences: int = 0,
    user_errors: int = 0,
    formulas: Mapping[str, Mapping[str, BucFormula]] = BUC_FORMULAS,
) -> int:
    """Calls per hour for one (app, ad account, BUC type) at ``tier`` (§5.3).

    Exact arithmetic, rounded down, never below zero (a pile of user errors can only stop calls).
    """
    f = formulas[tier][buc_type]
    raw = (
        f.base
        + f.per_active_ad * active_ads
        + f.per_active_audience * active_audiences
        - f.per_user_error * user_errors
    )
    if f.cap is not None and raw > f.cap:
        raw = Fraction(f.cap)
    return max(0, math.floor(raw))


def per_user_error(
    tier: str, buc_type: str, formulas: Mapping[str, Mapping[str, BucFormula]] = BUC_FORMULAS
) -> Fraction:
    """Calls per hour one user error takes off the BUC (only ``ads_insights`` has the term, §5.3)."""
    return formulas[tier][buc_type].per_user_error


def limit_after_user_errors(limit: int, user_errors: int, per_error: Fraction) -> int:
    """The hour's limit once ``user_errors`` are taken off ``limit`` (the formula without them).

    ``buc_limit(t, b, active_ads=a, user_errors=e) == limit_after_user_errors(buc_limit(t, b,
    active_ads=a), e, per_user_error(t, b))`` for every formula whose cap (if any) the error-free
    limit does not pass, which is every row of :data:`BUC_FORMULAS` (the one capped formula,
    ``custom_audience``, counts no user errors): so a store can apply the error term last, with
    the count it holds, in the same atomic step as the call. For an integer ``limit`` that is
    ``limit - ceil(user_errors * per_error)``, never below zero.
    """
    if user_errors <= 0 or per_error <= 0:
        return limit
    return max(0, math.floor(limit - per_error * user_errors))


def window_count(buckets: Mapping[int, int], now: float) -> int:
    """Calls counted in the hour window at ``now`` (choice 5), changing nothing."""
    minute = minute_of(now)
    return sum(c for m, c in buckets.items() if minute - WINDOW_MINUTES < m <= minute)


def app_call_limit(users: int) -> int:
    """Calls per rolling hour for an app's own token: ``200 * users`` (§5.1), at least one user."""
    return APP_CALLS_PER_USER_PER_HOUR * max(users, 1)


# --- Counter keys -------------------------------------------------------------------------------
# What each limit is counted per; stores add their own prefix. Ids are numeric strings, so ':' is safe.


def score_key(app_id: str, ad_account_id: str) -> str:
    return f"{app_id}:{ad_account_id}"


def buc_key(app_id: str, ad_account_id: str, buc_type: str) -> str:
    return f"{app_id}:{ad_account_id}:{buc_type}"


def app_key(app_id: str) -> str:
    return f"{app_id}:app"


def user_error_key(app_id: str, ad_account_id: str) -> str:
    """The hour window of an (app, ad account) pair's user errors (the ``ads_insights`` term)."""
    return f"{app_id}:{ad_account_id}:user_errors"
