"""The invalidation bus: every node hears every other node's writes (docs/caching.md).

Each node keeps a read cache (:mod:`adgate.store.cache`) that its own committed writes void at
once. With several nodes sharing one database, a node must also void it when *another* node
writes: a revocation, password change or level change on one node takes effect on every node.

- :class:`RedisBus` (``ADGATE_REDIS_URL`` set): after each committed write the node publishes its
  id and what the write wrote (its tags, :mod:`adgate.store.dependencies`; the messages are
  :mod:`adgate.store.bus_messages`) on the
  channel :data:`CHANNEL`, and it is awaited before the write's caller goes on, so the HTTP
  answer to a password change leaves only once Redis has the message; every other node bumps
  those tags when the message arrives (pub/sub delivery: well under a millisecond on one
  network). A message that cannot be read voids everything. Each message is numbered: one Redis
  script increments the counter :data:`COUNTER` and publishes the message with the new number,
  atomically, so every subscriber receives the numbers in order with no gap; a gap means a lost
  message, and the node drops everything (:class:`adgate.store.bus_messages.Sequence`). Twice a
  second the node also reads the counter (on its ordinary connection, never on a request's
  path): a counter that stays ahead of the last number heard for :data:`LAG_SECONDS` means the
  last messages were lost, and the node drops everything too. A lost message therefore costs at
  most about :data:`LAG_SECONDS` + :data:`CHECK_SECONDS` of staleness.
- :class:`PostgresBus` (PostgreSQL without Redis): the same through ``LISTEN``/``NOTIFY``. The
  ``NOTIFY`` is issued inside the write transaction, so PostgreSQL delivers it exactly when, and
  only if, the write commits.
- SQLite without Redis: no bus. SQLite means one server process; several processes on one SQLite
  file need ``ADGATE_REDIS_URL``.

Failures never make a node serve what another node revoked, beyond a bounded time:

- while a node is not subscribed (starting, connection lost, Redis or PostgreSQL down, or no
  answer to a ping for :data:`DEAD_AFTER_SECONDS`), its generation is suspended: it caches nothing
  and reads everything from the database; it resumes (with a bump) once subscribed again;
- with Redis, every write transaction takes its number from a counter in Redis *before* it
  commits (:meth:`RedisBus.reserve`; a write that cannot reach Redis is rolled back and refused),
  and publishes it after. A node that heard every number up to the counter missed nothing; one
  whose heard numbers stay behind the counter for :data:`LAG_SECONDS` (a message lost, a publish
  that failed after the commit, a write rolled back after its number) drops its caches. So no
  committed write goes uncounted, and cached values need no age;
- PostgreSQL's ``NOTIFY`` cannot be lost that way either (it is part of the write's transaction,
  delivered if and only if it commits, to every listener whose connection is up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, cast

import asyncpg  # type: ignore[import-untyped]
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from adgate.store.bus_messages import LAG_SECONDS, Sequence, encode, read
from adgate.store.dependencies import Tags
from adgate.store.sql.database import UNHEARD_KEY, SqlDatabase

logger = logging.getLogger(__name__)

#: Redis pub/sub channel (global to the Redis server, whatever the database number) and
#: PostgreSQL ``NOTIFY`` channel. A message from another deployment sharing the server only
#: costs a cache refill.
CHANNEL = "adgate:invalidate"
PG_CHANNEL = "adgate_invalidate"
#: A subscription that stays silent this long, pings included, is taken for dead.
DEAD_AFTER_SECONDS = 3.0
PING_SECONDS = 1.0
RECONNECT_SECONDS = 0.5
#: How long ``start`` waits for the first subscription (the cache stays off until it is made).
START_WAIT_SECONDS = 2.0
TIMEOUT_SECONDS = 0.5
#: Redis key counting the messages published on :data:`CHANNEL` (per Redis database).
COUNTER = "adgate:invalidate:count"
#: How often a node reads :data:`COUNTER` (how long it may stay ahead of what the node heard:
#: :data:`adgate.store.bus_messages.LAG_SECONDS`).
CHECK_SECONDS = 0.5
#: Increments the counter and publishes the message with its number, as one atomic step: every
#: subscriber receives the numbers in order. ``ARGV``: channel, message (``{...}``), scope.
_PUBLISH_NUMBERED = """
local number = redis.call('INCR', KEYS[1])
local message = '{"s":' .. number .. ',"c":' .. ARGV[3] .. ',' .. string.sub(ARGV[2], 2)
redis.call('PUBLISH', ARGV[1], message)
return number
"""
_UNREAD = object()


class Bus(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class _Subscriber:
    """The loop both buses share: subscribe, resume the cache, listen, and on any failure suspend."""

    def __init__(self, db: SqlDatabase, name: str) -> None:
        self.db = db
        self.node = uuid.uuid4().hex
        self.name = name
        self.subscribed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._heard = 0.0
        #: The message numbers of this node's counter scope (only :class:`RedisBus` numbers them).
        self.sequence = Sequence()
        self.scope: int | None = None
        self.lost = 0

    async def start(self) -> None:
        self.db.generation.suspend()
        self._task = asyncio.create_task(self._run(), name=f"adgate-{self.name}-bus")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.subscribed.wait(), START_WAIT_SECONDS)
        if not self.subscribed.is_set():
            logger.warning("%s bus not subscribed yet: caching stays off until it is", self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.db.generation.suspend()

    def heard(self, message: str | None = None) -> None:
        """Anything came in (a pong, or a message): another node's write voids what it wrote."""
        self._heard = time.monotonic()
        if message is None:
            return
        sender, tags, scope, number = read(message)
        if number is not None and scope == self.scope:
            self.sequence.message(number)
        if sender != self.node:
            self.db.generation.bump(tags)

    def dropped(self, why: str) -> None:
        """A message was lost: whatever it wrote may be cached, so everything goes."""
        self.lost += 1
        if self.lost == 1 or self.lost % 1000 == 0:
            logger.warning(
                "%s bus lost a message (%s): the cache is dropped (%d so far)", self.name, why, self.lost
            )
        self.db.generation.bump()

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                if failures == 1:
                    logger.warning("%s bus lost (%s): caching off until it is back", self.name, exc)
            finally:
                self.subscribed.clear()
                self.db.generation.suspend()
            await asyncio.sleep(RECONNECT_SECONDS)

    def _on_subscribed(self) -> None:
        self._heard = time.monotonic()
        self.db.generation.resume()  # what was read while unsubscribed is void
        self.subscribed.set()

    def _silent(self) -> bool:
        return time.monotonic() - self._heard > DEAD_AFTER_SECONDS

    async def _listen(self) -> None:
        raise NotImplementedError


class RedisBus(_Subscriber):
    def __init__(self, db: SqlDatabase, url: str, *, channel: str = CHANNEL) -> None:
        super().__init__(db, "redis")
        self.channel = channel
        # No retries, no silent reconnects: a lost connection must surface, so the cache goes off.
        self._redis = aioredis.Redis.from_url(
            url,
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )
        self._publish_failed = False
        #: The last value of the database's count of unnumbered writes (:meth:`check`).
        self._unheard: str | object | None = _UNREAD
        #: The counter numbering this channel's messages, and the Redis database it lives in
        #: (channels are shared by every database of a server, counters are not).
        self.counter = f"{channel}:count"
        self.scope = int(self._redis.connection_pool.connection_kwargs.get("db") or 0)
        self._publish_numbered = self._redis.register_script(_PUBLISH_NUMBERED)

    async def start(self) -> None:
        self.db.on_write.append(self.publish)
        self.db.reserve = self.reserve
        await super().start()

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.db.on_write.remove(self.publish)
        if self.db.reserve == self.reserve:
            self.db.reserve = None
        await super().stop()
        await self._redis.aclose()

    async def reserve(self) -> int | None:
        """The number of a write about to commit; ``None`` if Redis is out of reach, and the write
        counts itself in the database instead (:data:`adgate.store.sql.database.UNHEARD_KEY`),
        where the other nodes' checks find it."""
        try:
            return int(await self._redis.incr(self.counter))
        except (aioredis.RedisError, OSError) as exc:
            if not self._publish_failed:
                logger.warning(
                    "cannot number a write for the other nodes (%s): it is counted in the database, "
                    "so they drop their caches within %.1f s",
                    exc,
                    LAG_SECONDS + CHECK_SECONDS,
                )
            self._publish_failed = True
            return None

    async def publish(self, tags: Tags, number: int | None = None) -> None:
        try:
            if number is None:  # a write made without a number (a reset): count and send at once
                await self._publish_numbered(
                    keys=[self.counter], args=[self.channel, encode(self.node, tags), self.scope or 0]
                )
            else:
                message = encode(self.node, tags)
                await self._redis.publish(self.channel, f'{{"s":{number},"c":{self.scope or 0},{message[1:]}')
        except (aioredis.RedisError, OSError) as exc:
            if not self._publish_failed:
                logger.warning(
                    "cannot publish a write to the other nodes (%s): it is counted, so they drop "
                    "their caches within %.1f s",
                    exc,
                    LAG_SECONDS + CHECK_SECONDS,
                )
            self._publish_failed = True
        else:
            self._publish_failed = False

    async def read_counter(self) -> int:
        return int(await self._redis.get(self.counter) or 0)

    async def check(self) -> None:
        """Read the counter: if it stayed ahead of what this node heard, messages were lost. And
        the database's count of writes no node could number: if it moved, one was committed."""
        counter = await self.read_counter()
        heard = self.sequence.heard
        if self.sequence.check(counter, time.monotonic()):
            self.dropped(f"the counter at {counter} for {self.sequence.lag} s, heard up to {heard}")
        async with self.db.read() as tx:
            unheard = await tx.meta.get(UNHEARD_KEY)
        if self._unheard is not _UNREAD and unheard != self._unheard:
            self.dropped(f"a write committed without a number ({UNHEARD_KEY} {unheard})")
        self._unheard = unheard

    async def _listen(self) -> None:
        pubsub = self._redis.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            next_check = 0.0
            while True:
                message = await pubsub.get_message(timeout=CHECK_SECONDS)
                if message is not None:
                    kind = message.get("type")
                    if kind == "subscribe":
                        # Every message from now on is heard, and numbered above the counter.
                        self.sequence.start(await self.read_counter())
                        self._on_subscribed()
                        next_check = time.monotonic() + CHECK_SECONDS
                    elif kind == "message":
                        self.heard(_text(message.get("data")) or "")
                    else:  # a pong
                        self.heard()
                if self.subscribed.is_set() and time.monotonic() >= next_check:
                    await self.check()
                    next_check = time.monotonic() + CHECK_SECONDS
                if message is None:
                    if self._silent():
                        raise ConnectionError(f"no answer from Redis for {DEAD_AFTER_SECONDS} s")
                    await pubsub.ping()
        finally:
            with contextlib.suppress(Exception):
                # redis-py types aclose() in some releases and not in others: a cast holds for all.
                aclose = cast("Callable[[], Awaitable[None]]", pubsub.aclose)
                await aclose()


class PostgresBus(_Subscriber):
    #: A ``NOTIFY`` is lost only with the listener's connection, which suspends the cache.

    def __init__(self, db: SqlDatabase, dsn: str, *, channel: str = PG_CHANNEL) -> None:
        super().__init__(db, "postgresql")
        self.channel = channel
        self.dsn = dsn

    async def start(self) -> None:
        node = self.node
        self.db.notify = (self.channel, lambda tags: encode(node, tags))
        await super().start()

    async def stop(self) -> None:
        self.db.notify = None
        await super().stop()

    async def _listen(self) -> None:
        conn = await asyncpg.connect(self.dsn, timeout=TIMEOUT_SECONDS * 4)
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(self.channel, self._on_notify)
            self._on_subscribed()
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), PING_SECONDS)
                    break
                await conn.fetchval("SELECT 1", timeout=DEAD_AFTER_SECONDS)
                self.heard()
            raise ConnectionError("the LISTEN connection to PostgreSQL was closed")
        finally:
            with contextlib.suppress(Exception):
                await conn.close(timeout=TIMEOUT_SECONDS)

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self.heard(payload)


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode()
    return None if value is None else str(value)


def bus_for(db: SqlDatabase, redis_url: str | None) -> Bus | None:
    """Redis when configured, else PostgreSQL's own LISTEN/NOTIFY, else none (SQLite: one process)."""
    if redis_url:
        return RedisBus(db, redis_url)
    if db.dialect == "postgresql":
        return PostgresBus(db, db.engine.url.set(drivername="postgresql").render_as_string(False))
    return None
