"""Usage accounting: calls and errors per app and day, by class.

The Basic review reads these counts (seed: "at least 1000 API calls with an error rate of less
than 10% in the last 30 days"), and the consoles chart them. Counting must not add a database
write to every call, so calls are counted in memory and flushed periodically (every
``flush_seconds``) and on graceful shutdown, as one upsert-increment per (app, day, class). A
flush that fails keeps its counts for the next one. A crash loses at most one interval's counts.

Classes (a call counts in ``calls`` and, when it failed, in ``errors`` and one finer class):

| class | codes |
|---|---|
| ``throttled`` | 4, 17, 32, 341, 613, 80000-80014 |
| ``auth_errors`` | 102, 104, 190; appsecret_proof problems |
| ``permission_errors`` | 3, 10, 200-299 (270, 273, 294 …) |
| ``server_errors`` | 1, 2, any HTTP 5xx, and handler crashes |
| ``client_errors`` | everything else (100 invalid parameter, 803 …) |

Days are whole UTC days since the Unix epoch on the server clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from adgate.clock import Clock
from adgate.protocol.errors import GraphError
from adgate.store.interfaces import Database, UsageCount

#: The logger operators watch (docs/operations.md): its name predates this module's path.
logger = logging.getLogger("adgate.services.usage")

DAY_SECONDS = 86_400
CALLS = "calls"
ERRORS = "errors"
CLASSES: tuple[str, ...] = (
    CALLS,
    ERRORS,
    "throttled",
    "auth_errors",
    "permission_errors",
    "server_errors",
    "client_errors",
)
THROTTLING_CODES = frozenset({4, 17, 32, 341, 613})
AUTH_CODES = frozenset({102, 104, 190})


def classify(error: GraphError | None, *, crashed: bool = False) -> tuple[str, ...]:
    """The classes one call counts in."""
    if crashed:
        return (CALLS, ERRORS, "server_errors")
    if error is None:
        return (CALLS,)
    code = error.code
    if code in THROTTLING_CODES or 80000 <= code <= 80014:
        klass = "throttled"
    elif code in AUTH_CODES or _is_proof(error):
        klass = "auth_errors"
    elif code in (3, 10) or 200 <= code <= 299:
        klass = "permission_errors"
    elif code in (1, 2) or error.spec.status >= 500:
        klass = "server_errors"
    else:
        klass = "client_errors"
    return (CALLS, ERRORS, klass)


def _is_proof(error: GraphError) -> bool:
    """appsecret_proof problems: code 100 with GraphMethodException, told apart by their message."""
    return error.code == 100 and error.spec.type == "GraphMethodException" and "appsecret" in error.message


def day_of(now: float) -> int:
    return int(now // DAY_SECONDS)


def date_of(day: int) -> str:
    return datetime.fromtimestamp(day * DAY_SECONDS, tz=UTC).date().isoformat()


class UsageMeter:
    def __init__(self, db: Database, clock: Clock, *, flush_seconds: float = 10.0) -> None:
        self.db = db
        self.clock = clock
        self.flush_seconds = flush_seconds
        self._pending: dict[tuple[str, int, str], int] = {}
        self._task: asyncio.Task[None] | None = None
        self._flushing = asyncio.Lock()
        self._stopping = asyncio.Event()

    def record(self, app_id: str, classes: Iterable[str]) -> None:
        """Count one call of ``app_id`` now: in memory, no IO."""
        day = day_of(self.clock.now())
        for klass in classes:
            key = (app_id, day, klass)
            self._pending[key] = self._pending.get(key, 0) + 1

    def pending(self) -> int:
        """Counts waiting for the next flush (calls, summed over apps and days)."""
        return sum(n for (_app, _day, klass), n in self._pending.items() if klass == CALLS)

    async def flush(self) -> int:
        """Write what was counted since the last flush; returns the rows written."""
        async with self._flushing:
            batch, self._pending = self._pending, {}
            if not batch:
                return 0
            counts = [UsageCount(app, day, klass, n) for (app, day, klass), n in batch.items()]
            try:
                # No cached read depends on the counts: this write voids nothing.
                async with self.db.transaction(invalidates=False) as tx:
                    return await tx.usage.add_counts(counts)
            except Exception:
                # Keep the counts for the next flush rather than lose them with a database hiccup.
                for key, n in batch.items():
                    self._pending[key] = self._pending.get(key, 0) + n
                raise

    async def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="adgate-usage-flush")

    async def stop(self) -> None:
        """Graceful shutdown: let the periodic flush finish (never cancel a batch in the middle of
        its write: it is out of memory then, and would be lost), then flush what is left."""
        task, self._task = self._task, None
        if task is not None:
            self._stopping.set()
            await task
        await self.flush()

    async def reset(self) -> None:
        """Sandbox reset: the apps are gone, and so are their counts."""
        async with self._flushing:
            self._pending.clear()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.flush_seconds)
                return  # stopping: stop() flushes what is left
            try:
                await self.flush()
            except Exception:
                logger.exception("usage flush failed; the counts are kept for the next try")

    async def daily(self, app_id: str, days: int) -> dict[str, Any]:
        """The last ``days`` days of ``app_id`` (today included, stored and not yet flushed)."""
        last = day_of(self.clock.now())
        first = last - days + 1
        async with self.db.read() as tx:
            if await tx.apps.get(app_id) is None:
                raise GraphError.of("not_found", node=app_id)
            stored = await tx.usage.for_app(app_id, first, last)
        table: dict[int, dict[str, int]] = {d: dict.fromkeys(CLASSES, 0) for d in range(first, last + 1)}
        for item in stored:
            row = table[item.day]
            row[item.klass] = row.get(item.klass, 0) + item.count
        for (app, day, klass), n in self._pending.items():
            if app == app_id and first <= day <= last:
                table[day][klass] = table[day].get(klass, 0) + n
        rows = [{"date": date_of(d), **counts, "error_rate": _rate(counts)} for d, counts in table.items()]
        totals = {k: sum(counts.get(k, 0) for counts in table.values()) for k in CLASSES}
        return {
            "app_id": app_id,
            "days": days,
            "data": rows,
            "totals": {**totals, "error_rate": _rate(totals)},
        }


def _rate(counts: dict[str, int]) -> float:
    calls = counts.get(CALLS, 0)
    return round(counts.get(ERRORS, 0) / calls, 4) if calls else 0.0
