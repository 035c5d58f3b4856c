"""Rate-limit counters in this process (the default store; the contract is
:mod:`adgate.store.limiter`)."""

from __future__ import annotations

import math
from fractions import Fraction
from types import MappingProxyType

from adgate.policy.ratelimit import (
    WINDOW_MINUTES,
    ScoreDecision,
    ScoreState,
    ScoreTier,
    WindowDecision,
    decide_score,
    decide_window,
    limit_after_user_errors,
    score_view,
    window_count,
)
from adgate.store.limiter import TTL_GRACE_SECONDS, UNLIMITED


class _Window:
    """One hour window in memory: its minute buckets, and the calls they hold as of ``minute``."""

    __slots__ = ("buckets", "count", "minute")

    def __init__(self, buckets: dict[int, int], minute: int, count: int) -> None:
        self.buckets = buckets
        #: The minute ``count`` was taken at: calls in buckets ``minute - 59`` to ``minute``.
        self.minute = minute
        self.count = count


class MemoryLimiterStore:
    """Counters in this process: exact under asyncio concurrency, lost on restart.

    Each method reads, decides and writes without an ``await`` in between, so concurrent tasks on
    one event loop are serialised. Not shared between processes: use Redis for several workers.

    Decisions are those of :func:`decide_score` and :func:`decide_window`. The common case of each
    is computed here without building a new state (the score's arithmetic is the same operations
    in the same order, so the same doubles; a window keeps its running count while the minute
    stays the same), and anything else goes through the pure functions: the contract suite runs
    every case against both.
    """

    def __init__(self, *, sweep_every: int = 4096, sweep_per_counter: int = 8) -> None:
        self._scores: dict[str, tuple[ScoreTier, ScoreState]] = {}
        self._windows: dict[str, _Window] = {}
        self._hits = 0
        # Drop counters that can no longer change a decision (the memory counterpart of Redis
        # TTLs), so a long-running server does not grow for ever: every ``sweep_every`` hits, or
        # every ``sweep_per_counter`` hits per counter held if that is more, so that a sweep costs
        # a bounded share of the hits whatever the number of counters.
        self._sweep_every = sweep_every
        self._sweep_per_counter = sweep_per_counter
        self._next_sweep = sweep_every

    def __len__(self) -> int:
        """How many counters are held."""
        return len(self._scores) + len(self._windows)

    async def hit_score(self, key: str, tier: ScoreTier, cost: int, now: float) -> ScoreDecision:
        return self._hit_score(key, tier, cost, now)

    async def peek_score(self, key: str, tier: ScoreTier, now: float) -> ScoreDecision:
        entry = self._scores.get(key)
        return decide_score(tier, entry[1] if entry else None, 0, now)

    async def hit_window(self, key: str, limit: int, cost: int, now: float) -> WindowDecision:
        return self._hit_window(key, limit, cost, now)

    async def peek_window(self, key: str, limit: int, now: float) -> WindowDecision:
        return self._peek_window(key, limit, now)

    async def hit_account(
        self,
        score_key: str,
        tier: ScoreTier,
        cost: int,
        window_key: str,
        limit: int,
        now: float,
        *,
        errors_key: str | None = None,
        per_error: Fraction = Fraction(0),
    ) -> tuple[ScoreDecision, WindowDecision]:
        if errors_key is not None and per_error:
            errors = self._windows.get(errors_key)
            if errors is not None:
                limit = limit_after_user_errors(limit, window_count(errors.buckets, now), per_error)
        score = self._hit_score(score_key, tier, cost, now)
        if score.allowed:
            return score, self._hit_window(window_key, limit, 1, now)
        return score, self._peek_window(window_key, limit, now)

    async def add_user_error(self, key: str, now: float) -> None:
        self._hit_window(key, UNLIMITED, 1, now)

    def _hit_score(self, key: str, tier: ScoreTier, cost: int, now: float) -> ScoreDecision:
        entry = self._scores.get(key)
        if entry is not None and entry[0] is tier and cost >= 0:
            state = entry[1]
            if now >= state.updated_at and now >= state.blocked_until:
                # decide_score's allowed branch, operation for operation, on the kept state.
                score = state.score - (now - state.updated_at) * tier.max_score / tier.decay_seconds
                if score < 0:
                    score = 0.0
                if score + cost < tier.max_score:
                    state.score = score + cost
                    state.updated_at = now
                    self._maybe_sweep(now)
                    return score_view(tier, ScoreState(state.score, now, state.blocked_until), True, now)
        decision = decide_score(tier, entry[1] if entry else None, cost, now)
        new = decision.new_state
        self._scores[key] = (tier, ScoreState(new.score, new.updated_at, new.blocked_until))
        self._maybe_sweep(now)
        return decision

    def _hit_window(self, key: str, limit: int, cost: int, now: float) -> WindowDecision:
        window = self._windows.get(key)
        minute = math.floor(now / 60)
        if window is not None and window.minute == minute and cost > 0 and window.count + cost <= limit:
            # decide_window's allowed branch: the minute has not changed, so neither has the set
            # of buckets in the window, and the count is the kept one plus this call.
            buckets = window.buckets
            buckets[minute] = buckets.get(minute, 0) + cost
            window.count += cost
            self._maybe_sweep(now)
            count = window.count
            pct = round(min(count * 100 / limit, 100.0), 2)
            return WindowDecision(True, count, pct, 0, MappingProxyType(buckets))
        decision = decide_window(limit, window.buckets if window else {}, cost, now)
        buckets = dict(decision.new_buckets)
        live = sum(c for m, c in buckets.items() if m <= minute)
        self._windows[key] = _Window(buckets, minute, live)
        self._maybe_sweep(now)
        return decision

    def _peek_window(self, key: str, limit: int, now: float) -> WindowDecision:
        window = self._windows.get(key)
        return decide_window(limit, window.buckets if window else {}, 0, now)

    async def reset(self) -> None:
        self._scores.clear()
        self._windows.clear()

    async def aclose(self) -> None:
        return None

    def _maybe_sweep(self, now: float) -> None:
        self._hits += 1
        if self._hits < self._next_sweep:
            return
        # Kept: a score still blocked, touched, or not drained to zero (decide_score's decay, the
        # same operations), a window with a bucket still in the hour (what decide_window keeps),
        # all judged TTL_GRACE_SECONDS ago, as the Redis keys' TTLs are: a later call from a clock
        # a little behind still finds what it would have counted.
        then = now - TTL_GRACE_SECONDS
        self._scores = {
            k: (tier, s)
            for k, (tier, s) in self._scores.items()
            if then < s.blocked_until
            or then < s.updated_at
            or s.score - (then - s.updated_at) * tier.max_score / tier.decay_seconds > 0
        }
        oldest = math.floor(then / 60) - WINDOW_MINUTES
        self._windows = {k: w for k, w in self._windows.items() if w.buckets and max(w.buckets) > oldest}
        self._next_sweep = self._hits + max(self._sweep_every, self._sweep_per_counter * len(self))
