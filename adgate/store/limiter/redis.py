"""Rate-limit counters in Redis: several server nodes share one count (:mod:`adgate.store.limiter`
has the contract; :func:`adgate.app.limiter_store` picks this store for a ``redis://`` URL).

Each decision is one Lua script (EVALSHA, one round trip) performing the very transition of the
pure functions in :mod:`adgate.policy.ratelimit`; a Marketing call moves both its counters in one.
Key TTLs are wall-clock seconds derived from the caller's ``now`` plus a grace for small drift.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError
from redis.exceptions import TimeoutError as RedisTimeoutError

from adgate.policy.ratelimit import (
    ScoreDecision,
    ScoreState,
    ScoreTier,
    WindowDecision,
    decide_score,
    decide_window,
    limit_after_user_errors,
    score_view,
    window_view,
)
from adgate.store.limiter import (
    TTL_GRACE_SECONDS,
    UNLIMITED,
    WINDOW_TTL_SECONDS,
    FailureMode,
    LimiterUnavailable,
)

#: The logger operators watch (docs/operations.md): its name predates this module's path.
logger = logging.getLogger("adgate.store.redis_counters")

# Client settings of redis_store_from_url.
REDIS_POOL_SIZE = 50
REDIS_TIMEOUT_SECONDS = 0.5
#: How long a call waits for a free pooled connection: a queue, not an outage.
REDIS_POOL_WAIT_SECONDS = 5.0

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

# LimiterStore.hit_account. KEYS[1] score hash, KEYS[2] window hash, KEYS[3] (optional) the user
# errors' window hash; ARGV max_score, decay_seconds, block_seconds, cost, now, grace, limit, ttl,
# and with KEYS[3] the numerator and denominator of the calls one user error takes off the limit
# (ratelimit.limit_after_user_errors: limit - ceil(errors * p / q), never below 0, in integers).
# Returns {allowed, score, updated_at, blocked_until, window allowed, window buckets, user errors}.
_ACCOUNT_LUA = (
    _STEPS_LUA
    + """
local n = tonumber
local now = n(ARGV[5])
local max, decay, block, cost = n(ARGV[1]), n(ARGV[2]), n(ARGV[3]), n(ARGV[4])
local limit = n(ARGV[7])
local errors = 0
if KEYS[3] then
  local minute = math.floor(now / 60)
  local flat = redis.call('HGETALL', KEYS[3])
  for i = 1, #flat, 2 do
    local m = tonumber(flat[i])
    if m > minute - 60 and m <= minute then errors = errors + tonumber(flat[i + 1]) end
  end
  local p, q = n(ARGV[9]), n(ARGV[10])
  if errors > 0 and p > 0 then
    limit = limit - math.floor((errors * p + q - 1) / q)
    if limit < 0 then limit = 0 end
  end
end
local allowed, fs, fu, fb = score_step(KEYS[1], max, decay, block, cost, now, n(ARGV[6]))
local wallowed, kept = window_step(KEYS[2], limit, allowed, now, n(ARGV[8]))
return {allowed, fs, fu, fb, wallowed, kept, errors}
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
    ``BlockingConnectionPool``, as :func:`redis_store_from_url` does.
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
        if cost < 0:
            raise ValueError("cost must not be negative")
        args = [repr(float(a)) for a in (tier.max_score, tier.decay_seconds, tier.block_seconds, cost, now)]
        args += [str(TTL_GRACE_SECONDS), str(limit), str(WINDOW_TTL_SECONDS)]
        keys = [self._score_key(score_key), self._window_key(window_key)]
        if errors_key is not None and per_error:
            keys.append(self._window_key(errors_key))
            args += [str(per_error.numerator), str(per_error.denominator)]
        try:
            reply = await self._account_script(keys=keys, args=args)
        except _UNREACHABLE as exc:
            return self._score_unavailable(exc, now), self._window_unavailable(exc)
        self._recovered()
        allowed, score, updated_at, blocked_until, window_allowed, flat, errors = reply
        state = ScoreState(float(_text(score)), float(_text(updated_at)), float(_text(blocked_until)))
        decision = score_view(tier, state, int(allowed) == 1, now)
        limit = limit_after_user_errors(limit, int(errors), per_error)
        return decision, self._window_view(limit, flat, int(allowed), int(window_allowed) == 1, now)

    async def add_user_error(self, key: str, now: float) -> None:
        await self.hit_window(key, UNLIMITED, 1, now)

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


def redis_store_from_url(url: str, *, prefix: str, failure_mode: FailureMode) -> RedisLimiterStore:
    """A :class:`RedisLimiterStore` owning a client for ``url``.

    The client fails fast (short timeouts, one immediate retry): a limiter sits in front of every
    call, and a slow Redis should trigger ``failure_mode`` quickly rather than stall the API. Its
    pool blocks (up to the same timeout) rather than raising when all connections are busy, so a
    burst of concurrent calls queues instead of being mistaken for an outage.
    """
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
