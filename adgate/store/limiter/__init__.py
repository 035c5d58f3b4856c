"""Rate-limit counters: where the state of ``adgate.policy.ratelimit`` lives.

This module is the contract: one small interface, :class:`LimiterStore`, that both backends keep
(tests/store/test_counters.py runs every case against both). The backends:

- :mod:`adgate.store.limiter.memory` — in this process (the default): exact under asyncio, lost on
  restart, not shared between processes;
- :mod:`adgate.store.limiter.redis` — several server nodes share one count.

The composition root picks one by URL (:func:`adgate.app.limiter_store`). Both apply a decision
atomically: the memory store never awaits between reading and writing a counter, the Redis store
runs one Lua script per decision (EVALSHA, one round trip) that performs the very transition of
the pure functions.

``now`` comes from the caller (the one clock). Redis key TTLs are wall-clock seconds derived from
it; the sandbox clock is the system clock plus an offset, so they agree in practice, and a grace
period covers small drift. A key is only dropped once its state could no longer change a decision.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal, Protocol

from adgate.policy.ratelimit import WINDOW_MINUTES, ScoreDecision, ScoreTier, WindowDecision

FailureMode = Literal["open", "closed"]

# Extra wall-clock seconds a key outlives the moment its state stops mattering (clock drift between
# nodes, a request that started just before). Longer only costs a little memory.
TTL_GRACE_SECONDS = 60

#: Wall-clock seconds an hour window's key lives after its last counted call.
WINDOW_TTL_SECONDS = (WINDOW_MINUTES + 1) * 60 + TTL_GRACE_SECONDS
#: The limit of a window that only counts (user errors): never reached.
UNLIMITED = 2**52


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
        """One Marketing call, in one atomic step (one round trip): :meth:`hit_score`, then, if
        the score let it through, one call counted by :meth:`hit_window`; else the window as
        :meth:`peek_window` sees it (a refused call counts nowhere).

        With ``errors_key``, the window's limit is ``limit`` less ``per_error`` for each user error
        counted in that hour window (:meth:`add_user_error`), read in the same step
        (:func:`adgate.policy.ratelimit.limit_after_user_errors`)."""
        ...

    async def add_user_error(self, key: str, now: float) -> None:
        """Count one user error in the hour window at ``key`` (no limit: it only counts)."""
        ...

    async def reset(self) -> None:
        """Forget every counter this store holds (sandbox reset, tests)."""
        ...

    async def aclose(self) -> None: ...
