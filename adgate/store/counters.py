"""Rate-limit counters: where the state of ``adgate.policy.ratelimit`` lives.

One small interface, :class:`LimiterStore`, and two backends chosen by URL
(:func:`limiter_store_from_url`, the warehouse way): ``memory://`` (the default, one process) and
``redis://`` (several server nodes share one count). Both apply a decision atomically: the memory
store never awaits between reading and writing a counter, the Redis store runs one Lua script per
decision (EVALSHA, one round trip) that performs the very transition of the pure functions.

``now`` comes from the caller (the one clock). Redis key TTLs are wall-clock seconds derived from
it; the sandbox clock is the system clock plus an offset, so they agree in practice, and a grace
period covers small drift. A key is only dropped once its state could no longer change a decision.
"""

from __future__ import annotations

import logging
import math
from types import MappingProxyType
from typing import Any, Literal, Protocol

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError
from redis.exceptions import TimeoutError as RedisTimeoutError

from adgate.policy.ratelimit import (
    WINDOW_MINUTES,
    ScoreDecision,
    ScoreState,
    ScoreTier,
    WindowDecision,
    decide_score,
    decide_window,
    score_view,
    window_view,
)

logger = logging.getLogger(__name__)

FailureMode = Literal["open", "closed"]

# Extra wall-clock seconds a key outlives the moment its state stops mattering (clock drift between
# nodes, a request that started just before). Longer only costs a little memory.
TTL_GRACE_SECONDS = 60

#: Wall-clock seconds an hour window's key lives after its last counted call.
WINDOW_TTL_SECONDS = (WINDOW_MINUTES + 1) * 60 + TTL_GRACE_SECONDS

# Client settings of limiter_store_from_url.
REDIS_POOL_SIZE = 50
REDIS_TIMEOUT_SECONDS = 0.5
#: How long a call waits for a free pooled connection: a queue, not an outage.
REDIS_POOL_WAIT_SECONDS = 5.0


class LimiterUnavailable(Exception):
    """The counter backend cannot be reached and the store fails closed: refuse the call."""


class LimiterStore(Protocol):
    async def hit_score(self, key: str, tier: ScoreTier, cost: int, now: float) -> ScoreDecision:
        """Count one call of ``cost`` points against the score at ``key``, if it is allowed."""
        ...

    async def peek_score(self, key: str, tier: ScoreTier, now: float) -> ScoreDecision:
        """The score at ``key`` as a decision for a zero-cost call, changing nothing."""
        ...

    async def hit_window(self, key: str, limit: int, cost: int, now: float) -> WindowDecision:
        """Count ``cost`` calls in the hour window at ``key``, if they fit under ``limit``."""
        ...

    async def peek_window(self, key: str, limit: int, now: float) -> WindowDecision:
        """The hour window at ``key`` as a decision for a zero-cost call, changing nothing."""
        ...

    async def hit_account(
        self, score_key: str, tier: ScoreTier, cost: int, window_key: str, limit: int, now: float
    ) -> tuple[ScoreDecision, WindowDecision]:
        """One Marketing call, in one atomic step (one round trip): :meth:`hit_score`, then, if
        the score let it through, one call counted by :meth:`hit_window`; else the window as
        :meth:`peek_window` sees it (a refused call counts nowhere)."""
        ...

    async def reset(self) -> None:
        """Forget every counter this store holds (sandbox reset, tests)."""
        ...

    async def aclose(self) -> None: ...


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
        self, score_key: str, tier: ScoreTier, cost: int, window_key: str, limit: int, now: float
    ) -> tuple[ScoreDecision, WindowDecision]:
        score = self._hit_score(score_key, tier, cost, now)
        if score.allowed:
            return score, self._hit_window(window_key, limit, 1, now)
        return score, self._peek_window(window_key, limit, now)

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


# The transitions, as Lua functions shared by the three scripts below.
# score_step: same transition as ratelimit.decide_score, operation for operation (IEEE doubles on
# both sides; numbers cross the wire as shortest-repr / %.17g text, so nothing is rounded on the
# way). The hash {s, u, b} at key; returns allowed, score, updated_at, blocked_until, numbers as
# text: Lua numbers would be truncated to integers in the reply.
# window_step: same transition as ratelimit.decide_window. The hash {minute: calls} at key; returns
# allowed and {minute, calls, ...} of the buckets kept.
_STEPS_LUA = """
local function score_step(key, max, decay, block, cost, now, grace)
  local h = redis.call('HMGET', key, 's', 'u', 'b')
  local score, updated, blocked = 0, now, 0
  if h[1] then
    score = tonumber(h[1]); updated = tonumber(h[2]); blocked = tonumber(h[3])
  end
  local elapsed = now - updated
  if elapsed < 0 then elapsed = 0 end
  score = score - elapsed * max / decay
  if score < 0 then score = 0 end
  local new_updated = updated
  if now > updated then new_updated = now end
  local allowed = 0
  if now < blocked then
    allowed = 0
  elseif score + cost >= max then
    blocked = now + block
  else
    score = score + cost
    allowed = 1
  end
  local fs = string.format('%.17g', score)
  local fu = string.format('%.17g', new_updated)
  local fb = string.format('%.17g', blocked)
  redis.call('HSET', key, 's', fs, 'u', fu, 'b', fb)
  local ttl = blocked - now
  local drain = score * decay / max
  if drain > ttl then ttl = drain end
  redis.call('EXPIRE', key, math.ceil(ttl) + grace)
  return allowed, fs, fu, fb
end

local function window_step(key, limit, cost, now, ttl)
  local minute = math.floor(now / 60)
  local oldest = minute - 60
  local flat = redis.call('HGETALL', key)
  local kept = {}
  local count = 0
  local current = 0
  for i = 1, #flat, 2 do
    local m = tonumber(flat[i])
    local c = tonumber(flat[i + 1])
    if m <= oldest then
      redis.call('HDEL', key, flat[i])
    elseif m == minute then
      current = c
      count = count + c
    else
      kept[#kept + 1] = flat[i]
      kept[#kept + 1] = flat[i + 1]
      if m < minute then count = count + c end
    end
  end
  local allowed = 0
  if count + cost <= limit then
    allowed = 1
    if cost > 0 then
      current = redis.call('HINCRBY', key, string.format('%d', minute), cost)
      redis.call('EXPIRE', key, ttl)
    end
  end
  if current > 0 then
    kept[#kept + 1] = string.format('%d', minute)
    kept[#kept + 1] = tostring(current)
  end
  return allowed, kept
end
"""

# KEYS[1] score hash; ARGV max_score, decay_seconds, block_seconds, cost, now, grace.
_SCORE_LUA = (
    _STEPS_LUA
    + """
local n = tonumber
return {score_step(KEYS[1], n(ARGV[1]), n(ARGV[2]), n(ARGV[3]), n(ARGV[4]), n(ARGV[5]), n(ARGV[6]))}
"""
)

# KEYS[1] window hash; ARGV limit, cost, now, ttl.
_WINDOW_LUA = (
    _STEPS_LUA
    + """
local n = tonumber
return {window_step(KEYS[1], n(ARGV[1]), n(ARGV[2]), n(ARGV[3]), n(ARGV[4]))}
"""
)

# LimiterStore.hit_account. KEYS[1] score hash, KEYS[2] window hash; ARGV max_score, decay_seconds,
# block_seconds, cost, now, grace, limit, ttl. Returns {allowed, score, updated_at, blocked_until,
# window allowed, window buckets}.
_ACCOUNT_LUA = (
    _STEPS_LUA
    + """
local n = tonumber
local now = n(ARGV[5])
local max, decay, block, cost = n(ARGV[1]), n(ARGV[2]), n(ARGV[3]), n(ARGV[4])
local allowed, fs, fu, fb = score_step(KEYS[1], max, decay, block, cost, now, n(ARGV[6]))
local wallowed, kept = window_step(KEYS[2], n(ARGV[7]), allowed, now, n(ARGV[8]))
return {allowed, fs, fu, fb, wallowed, kept}
"""
)


# What "Redis cannot be reached" means for failure_mode (asyncio timeouts are OSErrors). One
# subclass is excluded in _unavailable: MaxConnectionsError (a non-blocking pool is exhausted).
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _glob_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


class RedisLimiterStore:
    """Counters in Redis, shared by every server node that uses the same ``prefix``.

    ``failure_mode`` says what a decision does when Redis cannot be reached (connection refused or
    timed out): ``"open"`` lets the call through with ``degraded=True`` and logs one warning per
    outage (availability first); ``"closed"`` raises :class:`LimiterUnavailable` so the gate
    refuses the call. Other Redis errors (a script bug, a wrong key type, an exhausted non-blocking
    pool) are bugs and propagate in both modes: give the store a client on a
    ``BlockingConnectionPool``, as :func:`limiter_store_from_url` does.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        prefix: str = "adgate:rl:",
        failure_mode: FailureMode = "open",
        *,
        owns_client: bool = False,
    ) -> None:
        if failure_mode not in ("open", "closed"):
            raise ValueError(f"failure_mode must be 'open' or 'closed', not {failure_mode!r}")
        self._redis = redis
        self._prefix = prefix
        self.failure_mode: FailureMode = failure_mode
        self._owns_client = owns_client
        self._outage = False
        # Registered once: each call is an EVALSHA, loading the script only if the server lacks it.
        self._score_script = redis.register_script(_SCORE_LUA)
        self._window_script = redis.register_script(_WINDOW_LUA)
        self._account_script = redis.register_script(_ACCOUNT_LUA)

    def _score_key(self, key: str) -> str:
        return f"{self._prefix}score:{key}"

    def _window_key(self, key: str) -> str:
        return f"{self._prefix}window:{key}"

    async def hit_score(self, key: str, tier: ScoreTier, cost: int, now: float) -> ScoreDecision:
        if cost < 0:
            raise ValueError("cost must not be negative")
        args = (tier.max_score, tier.decay_seconds, tier.block_seconds, cost, now, TTL_GRACE_SECONDS)
        try:
            reply = await self._score_script(keys=[self._score_key(key)], args=[repr(float(a)) for a in args])
        except _UNREACHABLE as exc:
            return self._score_unavailable(exc, now)
        self._recovered()
        allowed, score, updated_at, blocked_until = reply
        state = ScoreState(float(_text(score)), float(_text(updated_at)), float(_text(blocked_until)))
        return score_view(tier, state, int(allowed) == 1, now)

    async def peek_score(self, key: str, tier: ScoreTier, now: float) -> ScoreDecision:
        try:
            s, u, b = await self._redis.hmget(self._score_key(key), ["s", "u", "b"])
        except _UNREACHABLE as exc:
            return self._score_unavailable(exc, now)
        self._recovered()
        state = None if s is None else ScoreState(float(_text(s)), float(_text(u)), float(_text(b)))
        return decide_score(tier, state, 0, now)

    async def hit_window(self, key: str, limit: int, cost: int, now: float) -> WindowDecision:
        if cost < 0:
            raise ValueError("cost must not be negative")
        try:
            reply = await self._window_script(
                keys=[self._window_key(key)],
                args=[str(limit), str(cost), repr(float(now)), str(WINDOW_TTL_SECONDS)],
            )
        except _UNREACHABLE as exc:
            return self._window_unavailable(exc)
        self._recovered()
        allowed, flat = reply
        return self._window_view(limit, flat, cost, int(allowed) == 1, now)

    async def hit_account(
        self, score_key: str, tier: ScoreTier, cost: int, window_key: str, limit: int, now: float
    ) -> tuple[ScoreDecision, WindowDecision]:
        if cost < 0:
            raise ValueError("cost must not be negative")
        args = [repr(float(a)) for a in (tier.max_score, tier.decay_seconds, tier.block_seconds, cost, now)]
        args += [str(TTL_GRACE_SECONDS), str(limit), str(WINDOW_TTL_SECONDS)]
        keys = [self._score_key(score_key), self._window_key(window_key)]
        try:
            reply = await self._account_script(keys=keys, args=args)
        except _UNREACHABLE as exc:
            return self._score_unavailable(exc, now), self._window_unavailable(exc)
        self._recovered()
        allowed, score, updated_at, blocked_until, window_allowed, flat = reply
        state = ScoreState(float(_text(score)), float(_text(updated_at)), float(_text(blocked_until)))
        decision = score_view(tier, state, int(allowed) == 1, now)
        return decision, self._window_view(limit, flat, int(allowed), int(window_allowed) == 1, now)

    @staticmethod
    def _window_view(limit: int, flat: list[Any], cost: int, allowed: bool, now: float) -> WindowDecision:
        buckets = {int(_text(flat[i])): int(_text(flat[i + 1])) for i in range(0, len(flat), 2)}
        return window_view(limit, buckets, cost, allowed, now)

    async def peek_window(self, key: str, limit: int, now: float) -> WindowDecision:
        try:
            raw = await self._redis.hgetall(self._window_key(key))
        except _UNREACHABLE as exc:
            return self._window_unavailable(exc)
        self._recovered()
        buckets = {int(_text(m)): int(_text(c)) for m, c in raw.items()}
        return decide_window(limit, buckets, 0, now)

    async def reset(self) -> None:
        """Delete every key under this store's prefix (and nothing else: no FLUSHDB)."""
        batch: list[Any] = []
        async for name in self._redis.scan_iter(match=_glob_escape(self._prefix) + "*", count=500):
            batch.append(name)
            if len(batch) >= 500:
                await self._redis.unlink(*batch)
                batch.clear()
        if batch:
            await self._redis.unlink(*batch)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._redis.aclose()

    def _unavailable(self, exc: BaseException) -> None:
        if isinstance(exc, MaxConnectionsError) or "No connection available" in str(exc):
            # Redis is fine, our pool is too small or the wait for a free connection ran out (a
            # BlockingConnectionPool says "No connection available."). Failing open here would
            # let any burst of more concurrent calls than the pool holds bypass every limit.
            raise exc
        if self.failure_mode == "closed":
            raise LimiterUnavailable(f"rate-limit counters unreachable: {exc}") from exc
        if not self._outage:
            self._outage = True
            logger.warning("rate-limit counters unreachable, letting calls through (fail open): %s", exc)

    def _recovered(self) -> None:
        if self._outage:
            self._outage = False
            logger.warning("rate-limit counters reachable again")

    def _score_unavailable(self, exc: BaseException, now: float) -> ScoreDecision:
        self._unavailable(exc)
        return ScoreDecision(True, ScoreState(0.0, now, now), 0.0, 0, 0, degraded=True)

    def _window_unavailable(self, exc: BaseException) -> WindowDecision:
        self._unavailable(exc)
        return WindowDecision(True, 0, 0.0, 0, {}, degraded=True)


def limiter_store_from_url(
    url: str | None,
    *,
    prefix: str = "adgate:rl:",
    failure_mode: FailureMode = "open",
) -> LimiterStore:
    """``None`` or ``memory://`` -> :class:`MemoryLimiterStore`; ``redis://``, ``rediss://`` or
    ``unix://`` -> :class:`RedisLimiterStore` owning its client.

    The client fails fast (short timeouts, one immediate retry): a limiter sits in front of every
    call, and a slow Redis should trigger ``failure_mode`` quickly rather than stall the API. Its
    pool blocks (up to the same timeout) rather than raising when all connections are busy, so a
    burst of concurrent calls queues instead of being mistaken for an outage.
    """
    if url is None or url == "memory://":
        return MemoryLimiterStore()
    if url.startswith(("redis://", "rediss://", "unix://")):
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=REDIS_POOL_SIZE,
            timeout=REDIS_POOL_WAIT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            # A retry after a reply timed out may count a call twice: that errs towards refusing.
            retry=Retry(NoBackoff(), 1),
        )
        client = aioredis.Redis.from_pool(pool)
        return RedisLimiterStore(client, prefix, failure_mode, owns_client=True)
    raise ValueError(f"unsupported rate-limit store URL {url!r}: use memory:// or redis://")
