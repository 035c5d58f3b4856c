"""The services one server holds, built once by ``create_app`` (the composition root)."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from adgate.clock import SandboxClock
from adgate.services.context import Core
from adgate.services.world import World

if TYPE_CHECKING:
    from adgate.services.enforce import Enforcer
    from adgate.services.review import Review
    from adgate.settings import Settings
    from adgate.web.graph import Gate, GraphRouter

CLOCK_KEY = "clock_offset"


@dataclass(slots=True)
class Services:
    settings: Settings
    core: Core
    world: World
    router: GraphRouter
    gate: Gate
    #: Node kinds never change once an id exists, so this cache needs no invalidation.
    start_hooks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    stop_hooks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: Called after a sandbox reset (caches, counters).
    reset_hooks: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: The gate's access-level services (account lists, rate limits, usage), set by
    #: ``adgate.services.enforce.build_gate_services``.
    enforcer: Enforcer | None = None
    #: The access review (issue 6), set by ``adgate.services.review_access.build_review``.
    review: Review | None = None
    _kinds: OrderedDict[str, str] = field(default_factory=OrderedDict)

    async def node_kind(self, node_id: str) -> str | None:
        kind = self._kinds.get(node_id)
        if kind is not None:
            self._kinds.move_to_end(node_id)
            return kind
        async with self.core.db.read() as tx:
            kind = await tx.nodes.kind_of(node_id)
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

    # --- the sandbox clock, persisted so that a restart keeps a moved clock -------------------
    async def load_clock(self) -> None:
        clock = self.core.clock
        if isinstance(clock, SandboxClock):
            async with self.core.db.read() as tx:
                stored = await tx.meta.get(CLOCK_KEY)
            offset = parse_offset(stored)
            if offset is not None:
                clock.offset = offset

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
