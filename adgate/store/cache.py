"""Reads kept in memory that never outlive a write (DESIGN.md, "Storage").

The gate reads the same few records on every call: the token and what its validity depends on,
the caller's roles, the ad account. :class:`ReadCache` keeps such values, each stamped with the
:class:`Generation` of the database at the moment its read *began*, and hands one out only while
the generation is still that stamp. The database bumps the generation after every committed
write transaction (:meth:`adgate.store.sql.database.SqlDatabase.transaction`), so:

- a value read before a write committed is never used after that write returned: a revocation,
  password change, log-out, de-authorization, role change, level change or secret reset takes
  effect on the very next call;
- a read that overlapped a write (began before the bump) is stamped with the old generation and is
  never reused, whether it saw the write or not;
- with several server nodes, each node bumps its generation on the other nodes' writes as well,
  through the invalidation bus (:mod:`adgate.store.bus`); while the bus is down a node caches
  nothing (:meth:`Generation.suspend`), and every entry also ages out after ``max_age`` seconds,
  bounding what a lost message could cost.

Coarse on purpose: any write empties the whole cache. Reads outnumber writes by orders of
magnitude on this API, and a finer scheme (which write touches which entry) would be one more
thing to get wrong. Only what a value *is* is cached, never a decision that depends on the time:
expiry and data-access expiry are judged on every call against ``now``.

Values must be immutable (frozen dataclasses, tuples, strings): every caller shares them.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

#: Entries kept, least recently used dropped first.
DEFAULT_CAPACITY = 100_000


class Generation:
    """A counter of committed writes, local and (through the bus) of the other nodes."""

    __slots__ = ("_live", "max_age", "value")

    def __init__(self) -> None:
        self.value = 0
        self._live = True
        #: Seconds (monotonic) a value read under this generation may be kept at most, by every
        #: cache on it; ``None``: until the next write. The bus sets it, as a lost message could
        #: otherwise keep a value for ever.
        self.max_age: float | None = None

    def bump(self) -> None:
        """Something was written: every value read before now is void."""
        self.value += 1

    def stamp(self) -> int | None:
        """The generation to stamp a read that begins now with; ``None`` while nothing may be cached."""
        return self.value if self._live else None

    @property
    def live(self) -> bool:
        return self._live

    def suspend(self) -> None:
        """Writes of other nodes may go unheard (the bus is down): cache nothing until :meth:`resume`."""
        self._live = False
        self.bump()

    def resume(self) -> None:
        """The bus hears every other node again; what was read meanwhile is void."""
        self.bump()
        self._live = True


class ReadCache:
    """Values read from the database, keyed by the caller, void after the next write.

    Every entry held belongs to one generation (:attr:`_holds`): the first value kept after a
    bump empties the cache, since all older values are void anyway.

    ``max_age`` (seconds, monotonic): ``None`` keeps an entry until a write or eviction, or for
    the generation's :attr:`Generation.max_age` if it has one (set when other nodes write too, see
    the module docstring); a number also drops it after that long.
    """

    def __init__(
        self,
        generation: Generation,
        *,
        capacity: int = DEFAULT_CAPACITY,
        max_age: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.generation = generation
        self.capacity = capacity
        self.max_age = max_age
        self._monotonic = monotonic
        #: key -> (monotonic time it was read, value)
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._holds = generation.value
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` for a value still good, else ``(False, None)``."""
        generation = self.generation
        if self._holds != generation.value or not generation.live:
            return False, None
        entry = self._entries.get(key)
        if entry is None:
            return False, None
        max_age = self.max_age if self.max_age is not None else generation.max_age
        if max_age is not None and self._monotonic() - entry[0] > max_age:
            del self._entries[key]
            return False, None
        self._entries.move_to_end(key)
        return True, entry[1]

    def put(self, key: Hashable, value: Any, stamp: int | None) -> None:
        """Keep ``value``, read by a read that began at generation ``stamp``, if it is still current."""
        generation = self.generation
        if stamp is None or stamp != generation.value or not generation.live:
            return  # a write committed while it was read (or nothing may be cached now)
        entries = self._entries
        if self._holds != stamp:
            entries.clear()
            self._holds = stamp
        entries[key] = (self._monotonic(), value)
        entries.move_to_end(key)
        if len(entries) > self.capacity:
            entries.popitem(last=False)

    async def get_or_load(self, key: Hashable, load: Callable[[], Awaitable[T]], *, keep: bool = True) -> T:
        """The value at ``key``, or what ``load()`` reads (kept if ``keep`` and nothing was written)."""
        found, value = self.get(key)
        if found:
            self.hits += 1
            return value  # type: ignore[no-any-return]
        self.misses += 1
        stamp = self.generation.stamp()  # before the read begins: see the module docstring
        loaded = await load()
        if keep:
            self.put(key, loaded, stamp)
        return loaded

    def clear(self) -> None:
        self._entries.clear()
