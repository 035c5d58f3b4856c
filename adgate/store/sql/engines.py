"""The engines of a :class:`adgate.store.sql.database.SqlDatabase`: the async one for SQLite (WAL)
or PostgreSQL, and for a SQLite file the plain ``sqlite3`` point reader and writer the event loop's
thread uses, with the checkpointer that copies the writer's WAL off that thread.

Every engine is watched (:func:`adgate.store.sql.watch.watch`): there is no other way to the
database.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adgate.store.sql.watch import READ_ONLY, watch


def _configure_sqlite(engine: Engine, *, busy_ms: int = 10_000, autocheckpoint: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A read takes no lock until it reads, and then only a WAL snapshot: writers go on. On the
        # driver's own cursor: through exec_driver_sql it cost a third of a statement's overhead.
        begin = "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        dbapi = conn.dialect.loaded_dbapi
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(begin)
        except dbapi.Error as exc:  # as SQLAlchemy raises a statement's ("database is locked")
            raise DBAPIError.instance(begin, None, exc, dbapi.Error, dialect=conn.dialect) from exc
        finally:
            cursor.close()


def _is_memory(url: str) -> bool:
    return ":memory:" in url or url.rstrip("/").endswith(("sqlite+aiosqlite:", "sqlite:"))


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, poolclass=NullPool) if _is_memory(url) else create_async_engine(url)
        _configure_sqlite(engine.sync_engine)
    else:
        engine = create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    watch(engine.sync_engine)
    return engine


def make_point_reader(url: str) -> Engine | None:
    """For a SQLite file: a plain ``sqlite3`` engine ``SqlDatabase.cached`` reads through.

    A cached value is a handful of primary-key lookups. Through aiosqlite each statement is several
    round trips to the connection's thread (about a millisecond a read on a small machine); on the
    event loop's own thread the same read takes tens of microseconds, and under WAL a reader never
    waits for a writer, so it cannot stall the loop. Reads of any size keep to ``SqlDatabase.read()``.
    """
    if not url.startswith("sqlite") or _is_memory(url):
        return None
    engine = create_engine(url.replace("+aiosqlite", ""), pool_size=4, max_overflow=4)
    _configure_sqlite(engine, busy_ms=1_000)
    watch(engine)
    return engine.execution_options(**{READ_ONLY: True})


def make_point_writer(url: str) -> Engine | None:
    """For a SQLite file: one plain ``sqlite3`` connection for write transactions on the event
    loop's thread (``SqlDatabase._begin_on_loop``). No busy wait: the loop must never sleep
    in SQLite's busy handler, so a lock held elsewhere sends the transaction through aiosqlite."""
    if not url.startswith("sqlite") or _is_memory(url):
        return None
    engine = create_engine(url.replace("+aiosqlite", ""), pool_size=1, max_overflow=0)
    # Its commits never checkpoint: copying the WAL into the database file (and syncing it) took
    # up to 150 ms on the loop's thread. :class:`_Checkpointer` does it on a thread of its own.
    _configure_sqlite(engine, busy_ms=0, autocheckpoint=False)
    watch(engine)
    return engine


class Checkpointer:
    """Checkpoints a SQLite file's WAL off the event loop, every :data:`CHECKPOINT_EVERY` commits
    of the loop's writer (whose own commits never do, :func:`make_point_writer`).

    ``PRAGMA wal_checkpoint(PASSIVE)`` on a plain connection of its own in a worker thread (the
    ``sqlite3`` module lets go of the GIL while SQLite works): it copies what no reader still
    needs, waits for no lock and holds up no writer, and syncs the database file as SQLite's own
    automatic checkpoint does. A plain connection, not an engine's: the statement watch would take
    a ``PRAGMA`` for a write of everything.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.commits = 0
        self.running: asyncio.Future[None] | None = None
        self.done = 0

    def committed(self) -> None:
        self.commits += 1
        if self.commits >= CHECKPOINT_EVERY and (self.running is None or self.running.done()):
            self.commits = 0
            self.running = asyncio.get_running_loop().run_in_executor(None, self._checkpoint)

    def _checkpoint(self) -> None:
        conn = sqlite3.connect(self.path, timeout=0)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.done += 1
        except sqlite3.OperationalError:
            pass  # busy (another checkpoint, a reset): the next one copies what this one left
        finally:
            conn.close()

    async def wait(self) -> None:
        if self.running is not None:
            await self.running


#: Commits of the loop's writer between two checkpoints: SQLite's own default is every 1000 pages
#: of WAL, and a campaign create writes a handful.
CHECKPOINT_EVERY = 200
