"""Rate-limit counter stores: one contract, run against every backend.

The Redis backend uses ``ADGATE_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``), each test
under its own random key prefix, deleted afterwards. Without a reachable Redis those tests are
skipped, except on CI (``CI=true``) where they fail.
"""

from __future__ import annotations

import logging
import os
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from fractions import Fraction

import anyio
import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError
from redis.exceptions import TimeoutError as RedisTimeoutError

from adgate.app import limiter_store_from_url
from adgate.policy.ratelimit import (
    SCORE_TIERS,
    ScoreDecision,
    ScoreState,
    ScoreTier,
    WindowDecision,
    decide_score,
    decide_window,
    limit_after_user_errors,
    window_count,
)
from adgate.store.limiter import TTL_GRACE_SECONDS, UNLIMITED, LimiterStore, LimiterUnavailable
from adgate.store.limiter.memory import MemoryLimiterStore
from adgate.store.limiter.redis import RedisLimiterStore

REDIS_URL = os.environ.get("ADGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
UNREACHABLE_URL = "redis://127.0.0.1:1/0"
T0 = 1_700_000_040.0
DEV = SCORE_TIERS["development"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def redis_client_or_skip() -> aioredis.Redis:
    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    try:
        await client.ping()
    except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
        await client.aclose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required on CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} unreachable: {exc}")
    return client


async def redis_store_or_skip(prefix: str) -> LimiterStore:
    """A store built the way the server builds it, from the URL."""
    await (await redis_client_or_skip()).aclose()
    return limiter_store_from_url(REDIS_URL, prefix=prefix)


def unique_prefix() -> str:
    return f"adgate-test:{uuid.uuid4().hex}:"


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = await redis_client_or_skip()
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture(params=["memory", "memory-sweeping", pytest.param("redis", marks=pytest.mark.redis)])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[LimiterStore]:
    if request.param == "memory":
        yield MemoryLimiterStore()
        return
    if request.param == "memory-sweeping":
        # Sweeping after every hit must never change a decision: it drops only what no longer counts.
        yield SweepingStore()
        return
    redis_store = await redis_store_or_skip(unique_prefix())
    try:
        yield redis_store
    finally:
        await redis_store.reset()
        await redis_store.aclose()


class SweepingStore(MemoryLimiterStore):
    """Sweeps after every hit: that must never change what a caller is told."""

    def __init__(self) -> None:
        super().__init__(sweep_every=1, sweep_per_counter=0)


def seen(decision: ScoreDecision | WindowDecision, store: LimiterStore) -> object:
    """The whole decision, bit for bit; for a store that sweeps after every hit, what a caller
    sees of it (a swept counter starts afresh: its kept state differs, never what it decides)."""
    if not isinstance(store, SweepingStore):
        return decision
    if isinstance(decision, ScoreDecision):
        return decision.allowed, decision.util_pct, decision.reset_time_duration, decision.retry_after
    return decision.allowed, decision.count, decision.pct, decision.estimated_time_to_regain_access_minutes


# --- The contract --------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_new_key_has_no_usage(store: LimiterStore) -> None:
    score = await store.peek_score("1:2", DEV, T0)
    assert (score.allowed, score.util_pct, score.reset_time_duration) == (True, 0, 0)
    window = await store.peek_window("1:2:ads_management", 300, T0)
    assert (window.allowed, window.count, window.pct) == (True, 0, 0)


@pytest.mark.anyio
async def test_peeking_changes_nothing(store: LimiterStore) -> None:
    await store.hit_score("k", DEV, 3, T0)
    await store.hit_window("k", 10, 2, T0)
    for _ in range(3):
        assert (await store.peek_score("k", DEV, T0)).new_state.score == 3
        assert (await store.peek_window("k", 10, T0)).count == 2


@pytest.mark.anyio
async def test_keys_are_counted_separately(store: LimiterStore) -> None:
    await store.hit_score("a", DEV, 3, T0)
    await store.hit_window("a", 10, 3, T0)
    assert (await store.peek_score("b", DEV, T0)).new_state.score == 0
    assert (await store.peek_window("b", 10, T0)).count == 0


@pytest.mark.anyio
async def test_reset_forgets_every_counter(store: LimiterStore) -> None:
    for i in range(60):
        await store.hit_score("k", DEV, 1, T0)
        await store.hit_window(f"w{i}", 5, 5, T0)
    await store.reset()
    assert (await store.hit_score("k", DEV, 1, T0)).allowed
    assert (await store.peek_window("w0", 5, T0)).count == 0


@pytest.mark.anyio
async def test_negative_costs_are_rejected(store: LimiterStore) -> None:
    with pytest.raises(ValueError, match="negative"):
        await store.hit_score("k", DEV, -1, T0)
    with pytest.raises(ValueError, match="negative"):
        await store.hit_window("k", 5, -1, T0)


async def hit_concurrently(
    n: int, call: Callable[[], Awaitable[ScoreDecision | WindowDecision]]
) -> list[bool]:
    """Start ``n`` calls at once on one event loop; which were allowed."""
    results: list[bool] = []

    async def one() -> None:
        results.append((await call()).allowed)

    async with anyio.create_task_group() as tg:
        for _ in range(n):
            tg.start_soon(one)
    return results


@pytest.mark.anyio
async def test_concurrent_calls_let_exactly_the_allowance_through(store: LimiterStore) -> None:
    # 60 points at Development: a read that would reach 60 is refused, so exactly 59 get through.
    results = await hit_concurrently(200, lambda: store.hit_score("k", DEV, 1, T0))
    assert results.count(True) == 59
    assert (await store.peek_score("k", DEV, T0 + 1)).retry_after == 299


@pytest.mark.anyio
async def test_concurrent_window_calls_never_pass_the_limit(store: LimiterStore) -> None:
    results = await hit_concurrently(200, lambda: store.hit_window("k", 50, 1, T0))
    assert results.count(True) == 50
    assert (await store.peek_window("k", 50, T0)).count == 50


@pytest.mark.anyio
@pytest.mark.parametrize("seed", range(5))
async def test_the_store_applies_exactly_the_policy_math(store: LimiterStore, seed: int) -> None:
    """A random mix of calls, clock steps (and small steps back) gives bit-identical decisions."""
    rng = random.Random(seed)
    # Small maxima, odd decay and mostly short steps, so that blocks and refusals happen often;
    # rare long steps let scores drain and minute buckets leave the hour.
    tiers = [DEV, *[ScoreTier(max_score=7, decay_seconds=13.7, block_seconds=2.5)] * 2]
    steps = [0.0, 0.001, 0.05, 0.37, 1.9, 7.3, 59.9, 311.1, 1800.0, -0.4]
    weights = [30, 10, 10, 10, 5, 3, 2, 1, 1, 3]
    scores: dict[str, ScoreState] = {}
    windows: dict[str, dict[int, int]] = {}
    now = T0 + rng.random()
    for _ in range(300):
        now += rng.choices(steps, weights)[0]
        key = rng.choice(["a", "b", "c"])
        cost = rng.choice([0, 1, 1, 3])
        if rng.random() < 0.5:
            # A key keeps its tier in a sweeping store: a sweep judges a score drained at the tier
            # it was last hit with (a level change may start a drained score afresh).
            tier = tiers[ord(key) % len(tiers)] if isinstance(store, SweepingStore) else rng.choice(tiers)
            score = decide_score(tier, scores.get(key), cost, now)
            assert seen(await store.hit_score(key, tier, cost, now), store) == seen(score, store)
            scores[key] = score.new_state
        else:
            limit = rng.choice([0, 4, 25])
            window = decide_window(limit, windows.get(key, {}), cost, now)
            assert seen(await store.hit_window(key, limit, cost, now), store) == seen(window, store)
            windows[key] = dict(window.new_buckets)


@pytest.mark.anyio
async def test_the_memory_store_forgets_counters_that_no_longer_matter() -> None:
    store = MemoryLimiterStore(sweep_every=1, sweep_per_counter=0)
    for i in range(10):
        await store.hit_score(f"s{i}", DEV, 1, T0)
        await store.hit_window(f"w{i}", 5, 1, T0)
        await store.hit_score(f"blocked{i}", DEV, 60, T0)
    assert len(store) == 30
    # 61 minutes on: every score has drained, every block ended, every bucket left the hour.
    await store.hit_score("fresh", DEV, 1, T0 + 61 * 60)
    assert len(store) == 1


# --- Redis only ----------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.anyio
async def test_two_server_processes_enforce_one_limit() -> None:
    prefix = unique_prefix()
    node_a = await redis_store_or_skip(prefix)  # each store owns its own client and connections
    node_b = await redis_store_or_skip(prefix)
    try:
        async with anyio.create_task_group() as tg:
            score_results: list[list[bool]] = []
            window_results: list[list[bool]] = []

            async def node(store: LimiterStore) -> None:
                score_results.append(await hit_concurrently(100, lambda: store.hit_score("k", DEV, 1, T0)))
                window_results.append(await hit_concurrently(30, lambda: store.hit_window("w", 40, 1, T0)))

            tg.start_soon(node, node_a)
            tg.start_soon(node, node_b)
        assert sum(r.count(True) for r in score_results) == 59
        assert sum(r.count(True) for r in window_results) == 40
        assert all(r.count(True) > 0 for r in window_results)  # both nodes really took part
    finally:
        await node_a.reset()
        await node_a.aclose()
        await node_b.aclose()


@pytest.mark.redis
@pytest.mark.anyio
async def test_redis_keys_expire(redis_client: aioredis.Redis) -> None:
    prefix = unique_prefix()
    store = RedisLimiterStore(redis_client, prefix)
    try:
        await store.hit_score("k", DEV, 30, T0)  # 30 points drain in 150 s
        await store.hit_window("k", 10, 1, T0)
        assert 150 < await redis_client.ttl(f"{prefix}score:k") <= 150 + 60
        assert 3600 < await redis_client.ttl(f"{prefix}window:k") <= 3660 + 60
        async for key in redis_client.scan_iter(match=f"{prefix}*"):
            assert await redis_client.ttl(key) > 0
    finally:
        await store.reset()


@pytest.mark.redis
@pytest.mark.anyio
async def test_a_burst_larger_than_the_pool_is_not_mistaken_for_an_outage() -> None:
    await (await redis_client_or_skip()).aclose()
    # A plain (non-blocking) pool raises when exhausted; failing open on that would let the burst in.
    client = aioredis.Redis.from_url(REDIS_URL, max_connections=2)
    store = RedisLimiterStore(client, unique_prefix(), failure_mode="open")
    try:
        with pytest.raises(ExceptionGroup) as caught:
            await hit_concurrently(20, lambda: store.hit_score("k", DEV, 1, T0))
        assert caught.group_contains(MaxConnectionsError)
    finally:
        await store.reset()
        await client.aclose()


@pytest.mark.redis
@pytest.mark.anyio
async def test_redis_reset_deletes_only_its_own_prefix(redis_client: aioredis.Redis) -> None:
    mine, theirs = unique_prefix(), unique_prefix()
    await redis_client.set(f"{theirs}keep", "1", ex=60)
    try:
        store = RedisLimiterStore(redis_client, mine)
        await store.hit_score("k", DEV, 1, T0)
        await store.reset()
        assert await redis_client.exists(f"{mine}score:k") == 0
        assert await redis_client.exists(f"{theirs}keep") == 1
    finally:
        await redis_client.delete(f"{theirs}keep")


@pytest.mark.redis
@pytest.mark.anyio
async def test_redis_store_works_with_decoded_responses() -> None:
    plain = await redis_client_or_skip()
    await plain.aclose()
    client = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)
    store = RedisLimiterStore(client, unique_prefix())
    try:
        assert (await store.hit_score("k", DEV, 3, T0)).new_state.score == 3
        assert (await store.hit_window("k", 10, 3, T0)).count == 3
        assert (await store.peek_window("k", 10, T0)).count == 3
    finally:
        await store.reset()
        await client.aclose()


# --- Failure modes (no Redis needed: nothing listens on port 1) ----------------------------------


@pytest.mark.anyio
async def test_failing_open_lets_calls_through_flagged_degraded(caplog: pytest.LogCaptureFixture) -> None:
    store = limiter_store_from_url(UNREACHABLE_URL, failure_mode="open")
    try:
        with caplog.at_level(logging.WARNING, logger="adgate.store.redis_counters"):
            score = await store.hit_score("k", DEV, 1, T0)
            window = await store.hit_window("k", 10, 1, T0)
            peeked = await store.peek_score("k", DEV, T0)
    finally:
        await store.aclose()
    assert (score.allowed, score.degraded) == (True, True)
    assert (window.allowed, window.degraded) == (True, True)
    assert peeked.degraded
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # one warning per outage, not one per call
    assert "fail open" in warnings[0].getMessage()


@pytest.mark.anyio
async def test_failing_closed_refuses_with_limiter_unavailable() -> None:
    store = limiter_store_from_url(UNREACHABLE_URL, failure_mode="closed")
    try:
        with pytest.raises(LimiterUnavailable):
            await store.hit_score("k", DEV, 1, T0)
        with pytest.raises(LimiterUnavailable):
            await store.hit_window("k", 10, 1, T0)
        with pytest.raises(LimiterUnavailable):
            await store.peek_window("k", 10, T0)
    finally:
        await store.aclose()


@pytest.mark.anyio
async def test_the_url_picks_the_backend() -> None:
    assert isinstance(limiter_store_from_url(None), MemoryLimiterStore)
    assert isinstance(limiter_store_from_url("memory://"), MemoryLimiterStore)
    redis_store = limiter_store_from_url("redis://127.0.0.1:6379/15")
    assert isinstance(redis_store, RedisLimiterStore)
    await redis_store.aclose()
    with pytest.raises(ValueError, match="unsupported"):
        limiter_store_from_url("postgres://localhost/x")


@pytest.mark.anyio
async def test_an_unknown_failure_mode_is_rejected() -> None:
    client = aioredis.Redis.from_url(UNREACHABLE_URL)
    try:
        with pytest.raises(ValueError, match="failure_mode"):
            RedisLimiterStore(client, "p:", "maybe")  # type: ignore[arg-type]
    finally:
        await client.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize("seed", range(4))
async def test_a_marketing_call_moves_both_counters_as_the_policy_math_says(
    store: LimiterStore, seed: int
) -> None:
    """hit_account is hit_score, then hit_window for a call the score let through or
    peek_window for one it refused: bit-identical, whichever backend."""
    rng = random.Random(seed)
    tier = ScoreTier(max_score=7, decay_seconds=13.7, block_seconds=2.5)
    steps = [0.0, 0.001, 0.37, 1.9, 7.3, 59.9, 311.1, 1800.0, -0.4]
    weights = [30, 10, 10, 5, 3, 2, 1, 1, 3]
    scores: dict[str, ScoreState] = {}
    windows: dict[str, dict[int, int]] = {}
    now = T0 + rng.random()
    for _ in range(300):
        now += rng.choices(steps, weights)[0]
        account = rng.choice(["a", "b"])
        cost, limit = rng.choice([1, 1, 3]), rng.choice([0, 4, 25])
        score = decide_score(tier, scores.get(account), cost, now)
        window = decide_window(limit, windows.get(account, {}), 1 if score.allowed else 0, now)
        got = await store.hit_account(f"s:{account}", tier, cost, f"w:{account}", limit, now)
        assert (seen(got[0], store), seen(got[1], store)) == (seen(score, store), seen(window, store))
        scores[account] = score.new_state
        windows[account] = dict(window.new_buckets)


@pytest.mark.anyio
@pytest.mark.parametrize("seed", range(3))
async def test_user_errors_lower_the_window_as_the_policy_math_says(store: LimiterStore, seed: int) -> None:
    """hit_account with an errors window: the limit less ``per_error`` per user error counted in
    that hour (limit_after_user_errors), read in the same step, whichever backend."""
    rng = random.Random(seed)
    tier = ScoreTier(max_score=10**6, decay_seconds=1.0, block_seconds=1.0)  # the score never binds
    per_error = Fraction(1, 3)
    steps = [0.0, 0.4, 7.3, 59.9, 600.0, 1800.0]
    weights = [20, 10, 5, 3, 2, 1]
    window: dict[int, int] = {}
    errors: dict[int, int] = {}
    now = T0 + rng.random()
    for _ in range(300):
        now += rng.choices(steps, weights)[0]
        if rng.random() < 0.5:
            await store.add_user_error("e", now)
            errors = dict(decide_window(UNLIMITED, errors, 1, now).new_buckets)
            continue
        limit = rng.choice([3, 10, 40])
        effective = limit_after_user_errors(limit, window_count(errors, now), per_error)
        expected = decide_window(effective, window, 1, now)
        _, got = await store.hit_account("s", tier, 1, "w", limit, now, errors_key="e", per_error=per_error)
        assert seen(got, store) == seen(expected, store)
        window = dict(expected.new_buckets)
    assert (await store.peek_window("e", UNLIMITED, now)).count == window_count(errors, now)


@pytest.mark.anyio
async def test_user_errors_leave_the_window_after_an_hour(store: LimiterStore) -> None:
    tier = ScoreTier(max_score=100, decay_seconds=1.0, block_seconds=1.0)
    for _ in range(3):
        await store.add_user_error("e", T0)
    _, lowered = await store.hit_account(
        "s", tier, 1, "w", 2, T0 + 1, errors_key="e", per_error=Fraction(1, 2)
    )
    assert (lowered.allowed, lowered.pct) == (False, 100.0)  # 2 - ceil(3/2) = 0: nothing fits
    _, other = await store.hit_account(
        "s", tier, 1, "w2", 2, T0 + 1, errors_key="e2", per_error=Fraction(1, 2)
    )
    assert (other.allowed, other.count) == (True, 1)  # another pair's errors count for nothing here
    later = T0 + 3600
    _, back = await store.hit_account("s", tier, 1, "w", 2, later, errors_key="e", per_error=Fraction(1, 2))
    assert (back.allowed, back.count, back.pct) == (True, 1, 50.0)


@pytest.mark.redis
@pytest.mark.anyio
async def test_a_marketing_call_is_one_round_trip_to_redis() -> None:
    store = await redis_store_or_skip(unique_prefix())
    assert isinstance(store, RedisLimiterStore)
    sent: list[str] = []
    client = store._redis
    original = client.execute_command

    async def counting(*args: object, **options: object) -> object:
        sent.append(str(args[0]))
        return await original(*args, **options)  # type: ignore[no-untyped-call]

    client.execute_command = counting  # type: ignore[method-assign]
    try:
        await store.hit_account("s", DEV, 1, "w", 300, T0)  # loads the script on first use
        sent.clear()
        score, window = await store.hit_account("s", DEV, 1, "w", 300, T0 + 1)
        assert sent == ["EVALSHA"]
        assert (score.allowed, window.count) == (True, 2)
        await store.add_user_error("e", T0 + 1)
        sent.clear()
        score, window = await store.hit_account(
            "s", DEV, 1, "w", 300, T0 + 2, errors_key="e", per_error=Fraction(1, 1000)
        )
        assert sent == ["EVALSHA"]  # the user errors are read in the same script
        assert (score.allowed, window.count, window.pct) == (True, 3, round(3 * 100 / 299, 2))
    finally:
        client.execute_command = original  # type: ignore[method-assign]
        await store.reset()
        await store.aclose()


@pytest.mark.anyio
async def test_a_node_whose_clock_is_a_little_behind_is_not_blocked_by_a_new_score(
    store: LimiterStore,
) -> None:
    """A fresh score is never blocked: another node's first call a moment 'later' changes nothing."""
    assert (await store.hit_score("k", DEV, 1, T0)).allowed
    behind = await store.hit_score("k", DEV, 1, T0 - 0.4)
    assert behind.allowed
    assert behind.util_pct == round(2 * 100 / 60, 2)


@pytest.mark.anyio
async def test_sweeping_keeps_what_a_clock_a_little_behind_still_counts() -> None:
    store = SweepingStore()
    await store.hit_score("k", DEV, 30, T0)  # drains at 0.2 points a second: empty at T0 + 150
    await store.hit_score("other", DEV, 1, T0 + 180)  # a sweep, 30 s after: within the grace
    assert (await store.peek_score("k", DEV, T0 + 140)).util_pct == round(2 * 100 / 60, 2)
    await store.hit_score("other", DEV, 1, T0 + 150 + TTL_GRACE_SECONDS + 1)  # past it
    assert (await store.peek_score("k", DEV, T0 + 140)).util_pct == 0.0
    await store.hit_window("w", 5, 5, T0)  # the minute of T0 leaves the hour at its start + 60 min
    leaves = (T0 // 60 + 60) * 60
    await store.hit_score("other", DEV, 1, leaves + 30)
    assert (await store.peek_window("w", 5, leaves - 10)).count == 5
    await store.hit_score("other", DEV, 1, leaves + TTL_GRACE_SECONDS + 1)
    assert (await store.peek_window("w", 5, leaves - 10)).count == 0
