"""The rate-limit decision alone, in process and with Redis: decisions per second.

.venv/bin/python bench/limiter.py [--seconds 3] [--redis redis://127.0.0.1:6379/15]

Three levels, each against the in-process store (``MemoryLimiterStore``) and Redis
(``RedisLimiterStore``: one Lua script, one round trip per decision; a unique key prefix, deleted
at the end):

- ``hit_score``: the per-(app, ad account) score alone;
- ``hit_window``: one business-use-case hour window alone;
- ``account_call``: what the gate does per ad-account call (score, window, both usage headers),
  one caller at a time and with 64 callers at once (Redis round trips overlap then).

Keys spread over 500 ad accounts at Standard, so nothing is refused. Prints figures; asserts
nothing. Redis unreachable: its lines are skipped with the reason.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

from adgate.app import limiter_store_from_url
from adgate.clock import SandboxClock
from adgate.policy.levels import load_policy
from adgate.policy.ratelimit import SCORE_TIERS, buc_key, score_key
from adgate.services.gate.limits import ActiveCounts, RateLimits
from adgate.store.limiter import LimiterStore
from adgate.store.limiter.memory import MemoryLimiterStore

ACCOUNTS = 500
APP = "100000000000001"


async def rate(seconds: float, work: Callable[[int], Awaitable[object]], callers: int = 1) -> float:
    """Decisions per second of ``work(i)`` run by ``callers`` tasks for ``seconds``."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def caller(offset: int) -> None:
        nonlocal done
        i = offset
        while time.perf_counter() < deadline:
            await work(i)
            done += 1
            i += callers

    started = time.perf_counter()
    await asyncio.gather(*(caller(n) for n in range(callers)))
    return done / (time.perf_counter() - started)


class NoObjects:
    """Ad accounts with no active ads or audiences: the decision alone, without the world."""

    async def get(self, account_id: str, now: float) -> ActiveCounts:
        return ActiveCounts()


async def measure(name: str, store: LimiterStore, seconds: float) -> None:
    clock = SandboxClock()
    tier = SCORE_TIERS["standard"]
    limits = RateLimits(store, clock, None, NoObjects())  # type: ignore[arg-type]  # no app-level calls here
    level = load_policy(None).limits_for("standard")

    async def score(i: int) -> object:
        return await store.hit_score(score_key(APP, str(i % ACCOUNTS)), tier, 1, clock.now())

    async def window(i: int) -> object:
        key = buc_key(APP, str(i % ACCOUNTS), "ads_management")
        return await store.hit_window(key, 10**9, 1, clock.now())

    async def call(i: int) -> object:
        headers: dict[str, str] = {}
        account = str(i % ACCOUNTS)
        await limits.account_call(APP, account, level, write=False, product="ads_read", headers=headers)
        return headers

    for label, work, callers in (
        ("hit_score", score, 1),
        ("hit_window", window, 1),
        ("account_call (the gate's step)", call, 1),
        ("account_call, 64 callers at once", call, 64),
    ):
        per_second = await rate(seconds, work, callers)
        print(f"{name:<8} {label:<36} {per_second:>10,.0f} decisions/s  {1e6 / per_second:>8.1f} us each")


async def main_async(seconds: float, redis_url: str) -> None:
    memory = MemoryLimiterStore()
    await measure("memory", memory, seconds)
    prefix = f"adgate-bench:{uuid.uuid4().hex}:"
    store = limiter_store_from_url(redis_url, prefix=prefix, failure_mode="closed")
    try:
        await measure("redis", store, seconds)
    except Exception as exc:  # unreachable, or refused: say so rather than fail the whole run
        print(f"redis    skipped: {exc}")
    finally:
        try:
            await store.reset()  # this run's keys, and only them
        except Exception as exc:
            print(f"redis    could not clean up the prefix {prefix}: {exc}")
        await store.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    asyncio.run(main_async(args.seconds, args.redis))


if __name__ == "__main__":
    main()
