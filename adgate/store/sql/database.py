"""The SQL database: engine setup for SQLite (WAL) and PostgreSQL, and transactions.

SQLite: WAL journal, foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for every
:meth:`SqlDatabase.transaction` so that two writers queue on the lock instead of failing on
upgrade (the pattern SQLAlchemy's aiosqlite documentation recommends). :meth:`SqlDatabase.read` is
a plain deferred ``BEGIN``: under WAL, readers take no lock a writer waits for, and see the last
committed state. PostgreSQL: asyncpg, READ COMMITTED, with single-row atomic updates where a race
matters (codes); a read is an ordinary transaction there.

Every statement is watched (:mod:`adgate.store.sql.watch`): one that is not a ``SELECT`` marks
its transaction as a write (refused inside :meth:`SqlDatabase.read`) and adds what it may have
changed to the transaction's tags; a ``SELECT`` run while reads are being collected reports what
its result depends on. A transaction that wrote bumps those tags in
:attr:`SqlDatabase.generation` once committed, voiding the :attr:`SqlDatabase.cache` values
that read them (:mod:`adgate.store.cache`), and tells the other nodes (:attr:`SqlDatabase.on_write`).

On a SQLite file three more things keep the hot path off aiosqlite's thread round trips
(:mod:`adgate.store.sql.engines`): :meth:`SqlDatabase.cached` loads its point lookups through a
plain ``sqlite3`` connection on the event loop's thread; write transactions of this process queue
on an asyncio lock rather than in SQLite's sleeping busy handler (:meth:`SqlDatabase.transaction`);
and a write transaction that finds SQLite's write lock free runs on the loop's thread too, one held
by another process going through aiosqlite as before. On both, a statement built once runs on the
driver's cursor itself (:mod:`adgate.store.sql.direct`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from adgate.store import tables
from adgate.store.cache import DEFAULT_CAPACITY, Generation, ReadCache
from adgate.store.dependencies import EVERYTHING, Tags
from adgate.store.interfaces import DuplicateError, Repos
from adgate.store.sql.direct import Immediate
from adgate.store.sql.engines import Checkpointer, make_engine, make_point_reader, make_point_writer
from adgate.store.sql.repos import SqlRepos
from adgate.store.sql.watch import READ_ONLY, WRITES, WROTE

T = TypeVar("T")

#: How long a write transaction waits for this process's others before leaving it to SQLite.
WRITE_QUEUE_SECONDS = 10.0

_NOTIFY = text("SELECT pg_notify(:channel, :payload)")
#: ``meta`` key counting the writes committed without a bus number (:attr:`SqlDatabase.reserve`).
UNHEARD_KEY = "unheard_writes"
_COUNT_UNHEARD = text(
    "INSERT INTO meta (key, value) VALUES (:key, '1') ON CONFLICT (key) "
    "DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)"
).bindparams(key=UNHEARD_KEY)


class _Outcome:
    """What a write transaction did, taken off its connection before the connection goes back."""

    def __init__(self) -> None:
        self.wrote = False
        self.written: Tags = frozenset({EVERYTHING})
        #: The number the bus gave the write before its commit (:attr:`SqlDatabase.reserve`).
        self.number: int | None = None

    def took(self, info: dict[Any, Any]) -> None:
        self.wrote = bool(info.pop(WROTE, True))
        self.written = frozenset(info.pop(WRITES, None) or {EVERYTHING})


class SqlDatabase:
    def __init__(self, url: str, *, cache_capacity: int = DEFAULT_CAPACITY, caching: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        self._reader = self.engine.execution_options(**{READ_ONLY: True})
        self._point_reader = make_point_reader(url)
        self._point_writer = make_point_writer(url)
        #: The loop thread's connections, kept between uses (a pool checkout and check-in, with its
        #: reset, cost as much as the statements of a point read): :meth:`_loop_reader`,
        #: :meth:`_begin_on_loop`.
        self._reader_conn: Connection | None = None
        self._writer_conn: Connection | None = None
        self._writers = asyncio.Lock() if self.dialect == "sqlite" else None
        self._checkpointer = (
            Checkpointer(self._point_writer.url.database or "") if self._point_writer is not None else None
        )
        #: Bumped after every committed write by what it wrote (and by the bus, for other nodes' writes).
        #: ``caching=False``: no read cache, memo or held count keeps anything (a reference server).
        self.generation = Generation(enabled=caching)
        self.cache = ReadCache(self.generation, capacity=cache_capacity, name="reads")
        #: Awaited with what was written after each committed write and reset, once the
        #: generation is bumped: the invalidation bus publishes it to the other nodes
        #: (:mod:`adgate.store.bus`).
        self.on_write: list[Callable[[Tags, int | None], Awaitable[None]]] = []
        #: Awaited before a write transaction commits: the Redis bus numbers the write
        #: (:class:`adgate.store.bus.RedisBus`), so a write its peers never hear of is still counted
        #: where they look; its number goes to ``on_write``. ``None`` (Redis out of reach): the
        #: transaction counts itself in ``meta`` (:data:`UNHEARD_KEY`), which the peers read too.
        self.reserve: Callable[[], Awaitable[int | None]] | None = None
        #: ``(channel, encode)``: PostgreSQL ``NOTIFY`` of ``encode(tags written)`` sent inside each
        #: write transaction, so it is delivered exactly when the write commits
        #: (:class:`adgate.store.bus.PostgresBus`).
        self.notify: tuple[str, Callable[[Tags], str]] | None = None

    @asynccontextmanager
    async def transaction(self, *, invalidates: bool = True) -> AsyncIterator[SqlRepos]:
        outcome = _Outcome()
        queued = await self._queue_for_write_lock()
        try:
            on_loop = self._begin_on_loop() if queued else None
            body = (
                self._on_loop(on_loop, outcome, invalidates=invalidates)
                if on_loop is not None
                else self._through_driver(outcome, invalidates=invalidates)
            )
            async with body as repos:
                yield repos
        except IntegrityError as exc:
            raise DuplicateError(str(exc.orig)) from exc
        finally:
            if queued and self._writers is not None:
                self._writers.release()
            # After the commit, never before: a read that began before this point is stamped
            # with the old generation and never reused (adgate.store.cache).
            if outcome.wrote and invalidates:
                await self.written(outcome.written, outcome.number)

    @asynccontextmanager
    async def _through_driver(self, outcome: _Outcome, *, invalidates: bool) -> AsyncIterator[SqlRepos]:
        async with self.engine.begin() as conn:
            info = conn.info
            info[WROTE] = False
            info[WRITES] = set()
            try:
                yield SqlRepos(conn)
                if invalidates and info.get(WROTE, True) and self.reserve is not None:
                    outcome.number = await self.reserve()
                    if outcome.number is None:
                        await conn.execute(_COUNT_UNHEARD)
                if self.notify is not None and invalidates and info.get(WROTE, True):
                    channel, encode = self.notify
                    payload = encode(frozenset(info.get(WRITES) or {EVERYTHING}))
                    await conn.execute(_NOTIFY, {"channel": channel, "payload": payload})
            finally:
                outcome.took(info)

    def _begin_on_loop(self) -> Connection | None:
        """SQLite file: the write lock (``BEGIN IMMEDIATE``) on the event loop's thread, if free now.

        A write transaction through aiosqlite is a dozen round trips to its thread (most of the
        milliseconds of a campaign create or a code exchange); on the loop's own thread, under
        this process's write queue, each statement is a few tens of microseconds. Only if the
        lock is free at once: held by another process, the transaction goes through aiosqlite,
        whose busy handler waits off the loop (:func:`adgate.store.sql.engines.make_point_writer`).
        """
        if self._point_writer is None:
            return None
        conn = self._writer_conn
        if conn is None or conn.closed or conn.invalidated:
            conn = self._writer_conn = self._point_writer.connect()
        try:
            conn.begin()
        except OperationalError:
            self._writer_conn = None
            conn.close()
            return None
        return conn

    @asynccontextmanager
    async def _on_loop(
        self, conn: Connection, outcome: _Outcome, *, invalidates: bool
    ) -> AsyncIterator[SqlRepos]:
        info = conn.info
        info[WROTE] = False
        info[WRITES] = set()
        try:
            try:
                yield SqlRepos(cast(AsyncConnection, Immediate(conn)))
            finally:
                outcome.took(info)
            if invalidates and outcome.wrote and self.reserve is not None:
                outcome.number = await self.reserve()
                if outcome.number is None:
                    conn.execute(_COUNT_UNHEARD)
            conn.commit()
            if self._checkpointer is not None:
                self._checkpointer.committed()
        except BaseException:
            conn.rollback()
            raise
        finally:
            if conn.in_transaction():  # a failed commit or rollback: start from a new connection
                self._writer_conn = None
                conn.close()

    async def _queue_for_write_lock(self) -> bool:
        """SQLite: wait for this process's other write transactions in turn, on an asyncio lock.

        Every transaction takes SQLite's write lock (``BEGIN IMMEDIATE``); left to SQLite, writers
        that find it taken retry in the busy handler with growing sleeps (up to 100 ms each), so a
        burst of concurrent writes (code exchanges) sleeps more than it works. Queued here, each
        starts the moment the previous one ends. A wait longer than the busy timeout gives up the
        queue and leaves it to SQLite as before (a transaction opened inside another one would
        otherwise wait for ever, where SQLite reports "database is locked").
        """
        if self._writers is None:
            return False
        if not self._writers.locked():
            # Free: taken at once, without yielding (nor a timer: a nested transaction cannot be
            # waiting here, its enclosing one would hold the lock).
            await self._writers.acquire()
            return True
        try:
            # Not ``wait_for``: it wraps the acquire in a task, so a queued writer would start a
            # turn of the event loop or two after the previous one ends; under a load of reads
            # each turn serves dozens of them and the writes convoyed (300 ms a write at 1%).
            async with asyncio.timeout(WRITE_QUEUE_SECONDS):
                await self._writers.acquire()
        except TimeoutError:
            return False
        return True

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlRepos]:
        async with self._reader.begin() as conn:
            yield SqlRepos(conn)

    async def cached(self, key: Hashable, load: Callable[[Repos], Awaitable[T]]) -> T:
        found, value = self.cache.get(key)
        if found:
            self.cache.hits += 1
            return value  # type: ignore[no-any-return]

        async def read_it() -> T:
            if self._point_reader is not None:
                with self._loop_reader() as conn:
                    return await load(SqlRepos(cast(AsyncConnection, Immediate(conn))))
            async with self.read() as tx:
                return await load(tx)

        return await self.cache.load(key, read_it)

    @contextmanager
    def _loop_reader(self) -> Iterator[Connection]:
        """A read transaction on the loop thread's kept connection (a new one if it is in use:
        a load that reads another cached value)."""
        assert self._point_reader is not None
        conn = self._reader_conn
        if conn is None or conn.closed or conn.invalidated:
            conn = self._reader_conn = self._point_reader.connect()
        elif conn.in_transaction():
            with self._point_reader.begin() as nested:
                yield nested
            return
        try:
            with conn.begin():
                yield conn
        except BaseException:
            if conn.in_transaction() or conn.invalidated:
                self._reader_conn = None
                conn.close()
            raise

    async def written(self, tags: Tags = frozenset({EVERYTHING}), number: int | None = None) -> None:
        """``tags`` were committed (numbered ``number`` by the bus, if it reserved one): void the
        cached reads of them, here and on the other nodes."""
        self.generation.bump(tags)
        for hook in self.on_write:
            await hook(tags, number)

    async def reset(self) -> None:
        try:
            async with self.engine.begin() as conn:
                for table in reversed(tables.metadata.sorted_tables):
                    await conn.execute(table.delete())
        finally:
            await self.written()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        if self._checkpointer is not None:
            await self._checkpointer.wait()
        for conn in (self._reader_conn, self._writer_conn):
            if conn is not None:
                conn.close()
        self._reader_conn = self._writer_conn = None
        if self._point_reader is not None:
            self._point_reader.dispose()
        if self._point_writer is not None:
            self._point_writer.dispose()
        await self.engine.dispose()
