"""Reads kept in memory that never outlive a write of what they read (``docs/caching.md``).

The gate reads the same few records on every call: the token and what its validity depends on,
the caller's roles, the ad account. :class:`ReadCache` keeps such values, each with the *tags* it
depends on (derived from the statements its read executed, :mod:`adgate.store.dependencies`) and
stamped with the :class:`Generation` at the moment its read *began*. The database bumps the tags
a write transaction wrote once it is committed
(:meth:`adgate.store.sql.database.SqlDatabase.transaction`), and a value is handed out only while
none of its tags was bumped after its stamp, so:

- a value read before a write of any row it depends on committed is never used after that write
  returned: a revocation, password change, log-out, de-authorization, role change, level change
  or secret reset takes effect on the very next call;
- a read that overlapped such a write (began before the bump) is stamped before it and is never
  reused, whether it saw the write or not;
- with several server nodes, each node bumps the tags the other nodes' writes wrote as well,
  through the invalidation bus (:mod:`adgate.store.bus`); while the bus is down a node caches
  nothing (:meth:`Generation.suspend`), and a lost message is detected within a bounded time
  (the bus drops everything then).

A write of rows no cached value read (a new campaign, another account's token) leaves the cache
as it is. Only what a value *is* is cached, never a decision that depends on the time: expiry
and data-access expiry are judged on every call against ``now``.

Values must be immutable (frozen dataclasses, tuples, strings): every caller shares them.
"""

from __future__ import annotations

import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from itertools import islice
from typing import Any, TypeVar

from adgate.store.dependencies import ANY, EVERYTHING, Tag, Tags, collecting, report

T = TypeVar("T")

#: Entries kept, least recently used dropped first.
DEFAULT_CAPACITY = 100_000
#: Key tags (rows) whose last write is remembered; older ones are forgotten into one floor.
DEFAULT_KEY_CAPACITY = 200_000
#: What a value whose read was not seen depends on: any write.
_UNSEEN: Tags = frozenset({ANY})


class Generation:
    """Committed writes, local and (through the bus) of the other nodes, by what they wrote.

    :attr:`value` counts them. Each tag remembers the count at its last write; a read stamped
    with the count at which it began (:meth:`stamp`) is good while every tag it depends on was
    last written at or before its stamp (:meth:`holds`). A write whose tags cannot be named
    (:data:`adgate.store.dependencies.EVERYTHING`, a reset, a lost bus) raises :attr:`_floor`:
    everything stamped before it is void.
    """

    __slots__ = (
        "_enabled",
        "_floor",
        "_group_floor",
        "_groups",
        "_key_floor",
        "_keys",
        "_live",
        "_tags",
        "caches",
        "key_capacity",
        "max_age",
        "value",
    )

    def __init__(self, *, key_capacity: int = DEFAULT_KEY_CAPACITY, enabled: bool = True) -> None:
        self.value = 0
        #: False: nothing is ever cached on this generation (``ADGATE_READ_CACHE=off``).
        self._enabled = enabled
        self._live = enabled
        self._floor = 0
        #: table, column and :data:`ANY` tags -> count at their last write (a few hundred at most)
        self._tags: dict[Tag, int] = {}
        #: key tags -> count at their last write, least recently written first; bounded by
        #: ``key_capacity``: a forgotten one counts as written at :attr:`_key_floor`.
        self._keys: dict[Tag, int] = {}
        self._key_floor = 0
        self.key_capacity = key_capacity
        #: The same writes by *group* (:func:`group_of`: a key tag's table, column and value, a
        #: plain tag itself) -> count at their last write, bounded as :attr:`_keys` is: what
        #: :meth:`quiet` answers from, a few lookups where :meth:`holds` makes one per tag.
        self._groups: dict[str, int] = {}
        self._group_floor = 0
        #: Seconds (monotonic) a value read under this generation may be kept at most, by every
        #: cache on it; ``None``: until a write. The bus sets it, as a lost message could
        #: otherwise keep a value for ever.
        self.max_age: float | None = None
        #: The named caches on this generation, by name: what ``/metrics`` reports.
        self.caches: dict[str, ReadCache] = {}

    def bump(self, tags: Iterable[Tag] | None = None) -> None:
        """``tags`` were written (``None``: anything may have been): values that read them are void."""
        self.value += 1
        value = self.value
        if tags is None or EVERYTHING in (tags := frozenset(tags)):
            self._floor = value
            self._tags.clear()
            self._keys.clear()
            self._key_floor = 0
            self._groups.clear()
            self._group_floor = 0
            return
        keys, plain, groups = self._keys, self._tags, self._groups
        rows = set()  # the groups written, a row's columns once
        for tag in tags:
            if type(tag) is tuple:
                keys.pop(tag, None)  # keep the dict ordered by last write
                keys[tag] = value
                rows.add(tag[:3])
            else:
                plain[tag] = value
                group = _plain(tag)
                groups.pop(group, None)
                groups[group] = value
        for row in rows:
            group = _joined(row)
            groups.pop(group, None)
            groups[group] = value
        if len(keys) > self.key_capacity:
            self._key_floor = _forget(keys, self.key_capacity, self._key_floor)
        if len(groups) > self.key_capacity:
            self._group_floor = _forget(groups, self.key_capacity, self._group_floor)

    def holds(self, stamp: int, tags: Iterable[Tag]) -> bool:
        """Nothing in ``tags`` was written after ``stamp`` (the count a read began at)."""
        if stamp < self._floor:
            return False
        keys, plain, key_floor = self._keys, self._tags, self._key_floor
        for tag in tags:
            written = keys.get(tag, key_floor) if type(tag) is tuple else plain.get(tag, 0)
            if written > stamp:
                return False
        return True

    def quiet(self, groups: Iterable[str], since: int) -> bool:
        """Nothing in ``groups`` was written after ``since`` (a count at which a value held).

        A value whose tags' groups (:func:`group_of`) are quiet since it last held holds still: a
        write of any of its tags wrote that tag's group at the same count. Not quiet says nothing:
        :meth:`holds` decides then.
        """
        if since < self._floor:
            return False
        get, group_floor = self._groups.get, self._group_floor
        for group in groups:
            written = get(group, group_floor)  # a loop, not all(): no generator on the hot path
            if written > since:
                return False
        return True

    def stamp(self) -> int | None:
        """The count to stamp a read that begins now with; ``None`` while nothing may be cached."""
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
        self._live = self._enabled


def _forget(written: dict[Any, int], capacity: int, floor: int) -> int:
    """Forget the oldest eighth of ``written`` (the floor they count at from now on is returned).

    Their keys are taken in one pass and popped by key: popping the first key again and again
    walks the slots already emptied each time (100,000 of 200,000 took 4 s, the event loop held).
    """
    for key in _oldest(written, capacity):
        floor = max(floor, written.pop(key))
    return floor


def _oldest(entries: dict[Any, Any], capacity: int) -> list[Any]:
    """The first keys of ``entries``, as many as put it an eighth of ``capacity`` below it."""
    return list(islice(entries, len(entries) - capacity + max(1, capacity // 8)))


def group_of(tag: Tag) -> str:
    """A key tag's table, column and value, as one string; any other tag itself (a string).

    The rows a keyed read reads are written under their group whatever column a write sets, so
    a value whose groups were not written since it last held holds still. Strings hash once,
    where a tuple hashes on every lookup; interned, so the values of one row share them. Worked
    out once per tag (held in a bounded memo: building one cost 0.8 µs, finding it 0.1).
    """
    group = _groups_of.get(tag)
    if group is None:
        group = sys.intern(_joined(tag[:3])) if type(tag) is tuple else _plain(tag)
        _groups_of[tag] = group
        if len(_groups_of) > DEFAULT_KEY_CAPACITY:
            for old in _oldest(_groups_of, DEFAULT_KEY_CAPACITY):
                del _groups_of[old]
    return group


def _plain(tag: Tag) -> str:
    """A plain tag's group: the same string whether it came as a str subclass (SQLAlchemy's
    ``quoted_name``, a table's name) or as the plain str the bus decodes."""
    if type(tag) is str:
        return tag
    return str(tag) if isinstance(tag, str) else repr(tag)


def _joined(row: tuple[Any, ...]) -> str:
    try:
        return "\x00".join(row)
    except TypeError:  # a part that is no string (key tags hold exact strings: never so far)
        return "\x00".join(map(str, row))


#: Tag -> its group (:func:`group_of`), the oldest eighth dropped when full.
_groups_of: dict[Tag, str] = {}


class _Entry:
    __slots__ = ("checked", "groups", "read_at", "stamp", "tags", "value")

    def __init__(self, read_at: float, value: Any, stamp: int, tags: Tags, checked: int) -> None:
        self.read_at = read_at
        self.value = value
        self.stamp = stamp
        self.tags = tags
        self.groups = tuple({group_of(tag) for tag in tags})
        #: The generation's count when the entry was last found good (nothing to check until it moves).
        self.checked = checked


class ReadCache:
    """Values read from the database, keyed by the caller, void once what they read is written.

    ``max_age`` (seconds, monotonic): ``None`` keeps an entry until a write or eviction, or for
    the generation's :attr:`Generation.max_age` if it has one; a number also drops it after that
    long. ``name``: reported at ``/metrics`` (its :attr:`hits`, :attr:`misses` and size), counted
    by its callers: :meth:`get` alone does not count, as a caller may still turn a value down.

    A value found (:meth:`get`) reports its tags to the reads being collected
    (:func:`adgate.store.dependencies.collecting`): a value computed from it depends on them too.
    """

    def __init__(
        self,
        generation: Generation,
        *,
        capacity: int = DEFAULT_CAPACITY,
        max_age: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        name: str | None = None,
    ) -> None:
        self.generation = generation
        if name is not None:
            generation.caches[name] = self
        self.capacity = capacity
        self.max_age = max_age
        self._monotonic = monotonic
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` for a value still good, else ``(False, None)``."""
        generation = self.generation
        if not generation.live:
            return False, None
        entry = self._entries.get(key)
        if entry is None:
            return False, None
        if entry.checked != generation.value:
            if not generation.quiet(entry.groups, entry.checked) and not generation.holds(
                entry.stamp, entry.tags
            ):
                del self._entries[key]
                return False, None
            entry.checked = generation.value
        max_age = self.max_age if self.max_age is not None else generation.max_age
        if max_age is not None and self._monotonic() - entry.read_at > max_age:
            del self._entries[key]
            return False, None
        self._entries.move_to_end(key)
        report(entry.tags)
        return True, entry.value

    def put(self, key: Hashable, value: Any, stamp: int | None, tags: Iterable[Tag] | None = None) -> None:
        """Keep ``value``, read by a read that began at ``stamp`` and depends on ``tags``, if still good.

        ``tags`` ``None`` or empty (no read was seen): the value depends on any write.
        """
        generation = self.generation
        depends = frozenset(tags) if tags else _UNSEEN
        if stamp is None or not generation.live or not generation.holds(stamp, depends):
            return  # a write of what it read committed meanwhile (or nothing may be cached now)
        entries = self._entries
        entries[key] = _Entry(self._monotonic(), value, stamp, depends, generation.value)
        entries.move_to_end(key)
        if len(entries) > self.capacity:
            entries.popitem(last=False)

    async def get_or_load(self, key: Hashable, load: Callable[[], Awaitable[T]], *, keep: bool = True) -> T:
        """The value at ``key``, or what ``load()`` reads (kept if ``keep`` and not written since)."""
        found, value = self.get(key)
        if found:
            self.hits += 1
            return value  # type: ignore[no-any-return]
        return await self.load(key, load, keep=keep)

    async def load(self, key: Hashable, load: Callable[[], Awaitable[T]], *, keep: bool = True) -> T:
        """A miss of ``key`` (its caller looked it up): what ``load()`` reads, kept as above."""
        self.misses += 1
        stamp = self.generation.stamp()  # before the read begins: see the module docstring
        with collecting() as tags:
            loaded = await load()
        if keep:
            self.put(key, loaded, stamp, tags)
        return loaded

    def clear(self) -> None:
        self._entries.clear()
