"""The services one server holds, built once by ``create_app`` (the composition root)."""

from __future__ import annotations

import asyncio
import logging
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from adgate.clock import SandboxClock
from adgate.services.context import Core
from adgate.services.tokens.callers import Tokens
from adgate.services.world.editor import World

if TYPE_CHECKING:
    from adgate.services.callbacks import Callbacks
    from adgate.services.faults import FaultInjector
    from adgate.services.gate.access import Enforcer
    from adgate.services.gate.router import Gate, GraphRouter
    from adgate.services.review.submissions import Review
    from adgate.settings import Settings

CLOCK_KEY = "clock_offset"
#: How often each node re-reads the sandbox clock's stored offset: the window within which a move
#: of the clock on one node reaches every other.
CLOCK_FOLLOW_SECONDS = 1.0
log = logging.getLogger("adgate.clock")


@dataclass(slots=True)
class Services:
    settings: Settings
    core: Core
    world: World
    #: The one reader of presented tokens (it keeps decrypted app secrets): every part shares it.
    tokens: Tokens
    router: GraphRouter
    gate: Gate
    #: The sandbox's fault rules (``/_sandbox/faults``), a step of the gate.
    faults: FaultInjector
    #: The calls made to apps: callbacks and Webhooks, and their delivery worker.
    callbacks: Callbacks
    #: The gate's access-level steps (account lists, rate limits, usage).
    enforcer: Enforcer
    #: The access review.
    review: Review
    start_hooks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    stop_hooks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: Called after a sandbox reset (caches, counters).
    reset_hooks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: Node kinds never change once an id exists, so the kinds found need no invalidation.
    _kinds: OrderedDict[str, str] = field(default_factory=OrderedDict)
    _clock_follower: asyncio.Task[None] | None = None
    _clock_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def node_kind(self, node_id: str) -> str | None:
        kind = self._kinds.get(node_id)
        if kind is not None:
            self._kinds.move_to_end(node_id)
            return kind
        # Through the read cache (on the loop's thread on a SQLite file): the first call on a new
        # node went through aiosqlite's thread, milliseconds under load. An id not found yet is
        # held too, until a write adds a node of that id.
        kind = await self.core.db.cached(("node_kind", node_id), lambda tx: tx.nodes.kind_of(node_id))
        if kind is not None:
            self._kinds[node_id] = kind
            if len(self._kinds) > 100_000:
                self._kinds.popitem(last=False)
        return kind

    def forget_nodes(self) -> None:
        self._kinds.clear()

    async def start(self) -> None:
        """Background work that lives as long as the server (flushers, subscribers)."""
        for hook in self.start_hooks:
            await hook()

    async def stop(self) -> None:
        """Graceful shutdown: flush what is kept in memory; nothing committed is lost.

        Every hook runs even if one before it fails (the usage flush must not be skipped because
        the invalidation bus failed to close); the first failure is raised afterwards.
        """
        failure: BaseException | None = None
        for hook in reversed(self.stop_hooks):
            try:
                await hook()
            except Exception as exc:
                failure = failure or exc
        if failure is not None:
            raise failure

    async def on_reset(self) -> None:
        """After the sandbox wiped the database: drop every cache that remembers it."""
        self.forget_nodes()
        for hook in self.reset_hooks:
            await hook()

    def sandbox_clock(self) -> SandboxClock:
        clock = self.core.clock
        if not isinstance(clock, SandboxClock):
            raise TypeError("this server runs on the system clock, which the sandbox cannot move")
        return clock

    # --- the sandbox clock: stored once in the database, followed by every node ---------------
    async def load_clock(self) -> None:
        """Take the stored offset (a restart keeps a moved clock; another node's move arrives)."""
        clock = self.core.clock
        if isinstance(clock, SandboxClock):
            async with self.core.db.read() as tx:
                stored = await tx.meta.get(CLOCK_KEY)
            offset = parse_offset(stored)
            if offset is not None:
                clock.offset = offset

    async def move_clock(self, change: Callable[[SandboxClock], None]) -> None:
        """Apply ``change`` to the clock as stored now (another node may have moved it a moment
        ago) and store the result; the follower does not read in between."""
        async with self._clock_lock:
            await self.load_clock()
            change(self.sandbox_clock())
            await self.save_clock()

    async def follow_clock(self) -> None:
        """Start re-reading the stored offset every :data:`CLOCK_FOLLOW_SECONDS`.

        The offset is one row of the database; each node reads it again on this period, so a move
        made on one node is followed by every other within that window (plus one read). It
        depends on nothing but the row, not on the read cache or the invalidation bus.
        """
        if isinstance(self.core.clock, SandboxClock) and self._clock_follower is None:
            self._clock_follower = asyncio.create_task(self._follow_clock(), name="adgate-clock-follower")

    async def stop_following_clock(self) -> None:
        task, self._clock_follower = self._clock_follower, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _follow_clock(self) -> None:
        while True:
            await asyncio.sleep(CLOCK_FOLLOW_SECONDS)
            try:
                async with self._clock_lock:
                    await self.load_clock()
            except Exception:  # the database may be briefly away; the next period tries again
                log.warning("could not read the sandbox clock", exc_info=True)

    async def save_clock(self) -> None:
        clock = self.core.clock
        if isinstance(clock, SandboxClock):
            async with self.core.db.transaction() as tx:
                await tx.meta.set(CLOCK_KEY, repr(clock.offset))


def parse_offset(stored: str | None) -> float | None:
    """The stored clock offset, or None if absent or not a finite number (a database written
    before the clock refused NaN and Infinity keeps working: the bad value is ignored)."""
    if stored is None:
        return None
    try:
        offset = float(stored)
    except ValueError:
        return None
    return offset if math.isfinite(offset) else None
