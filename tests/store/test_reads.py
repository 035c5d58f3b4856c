"""Read transactions and the read cache, on SQLite always and on PostgreSQL (CI).

``Database.read`` sees what is committed and never holds up a writer; ``Database.cached`` keeps a
value until the next committed write, and never keeps one whose read overlapped a write.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable

import pytest

from adgate import records as r
from adgate.store.interfaces import ReadOnlyError, Repos
from adgate.store.sql import engines
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000


def person(n: int = 1, name: str = "Ann") -> r.Person:
    return r.Person(f"10000000000000{n}", name, f"p{n}@example.com", "hash", 0, 0, False, NOW)


async def add(db: SqlDatabase, who: r.Person) -> None:
    async with db.transaction() as tx:
        await tx.people.add(who)


async def test_a_read_sees_what_was_committed(db: SqlDatabase) -> None:
    await add(db, person())
    async with db.read() as tx:
        assert await tx.people.get(person().id) == person()


async def test_a_write_inside_a_read_is_refused_and_nothing_is_written(db: SqlDatabase) -> None:
    with pytest.raises(ReadOnlyError):
        async with db.read() as tx:
            await tx.people.add(person())
    async with db.read() as tx:
        assert await tx.people.get(person().id) is None


async def test_an_open_read_does_not_hold_up_a_writer(db: SqlDatabase) -> None:
    await add(db, person(1))
    async with db.read() as tx:
        assert await tx.people.get(person(1).id) is not None  # the read holds its snapshot now
        # On SQLite a BEGIN IMMEDIATE read would make this wait for the busy timeout (10 s).
        await asyncio.wait_for(add(db, person(2)), timeout=3)
    async with db.read() as tx:
        assert await tx.people.get(person(2).id) == person(2)


async def test_reads_run_side_by_side(db: SqlDatabase) -> None:
    await add(db, person())

    async def read() -> r.Person | None:
        async with db.read() as tx:
            found = await tx.people.get(person().id)
            await asyncio.sleep(0.05)  # every read is open at once
            return found

    found = await asyncio.wait_for(asyncio.gather(*(read() for _ in range(4))), timeout=5)
    assert found == [person()] * 4


async def test_a_committed_write_bumps_the_generation_and_a_read_does_not(db: SqlDatabase) -> None:
    before = db.generation.value
    async with db.read() as tx:
        await tx.people.get(person().id)
    async with db.transaction() as tx:  # a transaction that only reads changes nothing either
        await tx.people.get(person().id)
    assert db.generation.value == before
    await add(db, person())
    assert db.generation.value == before + 1


async def test_a_write_that_opts_out_leaves_the_cache_alone(db: SqlDatabase) -> None:
    before = db.generation.value
    async with db.transaction(invalidates=False) as tx:
        await tx.meta.set("k", "v")
    assert db.generation.value == before


class Loads:
    """A loader that counts its reads, optionally running something in the middle of one."""

    def __init__(self, during: Callable[[], Awaitable[None]] | None = None) -> None:
        self.count = 0
        self.during = during

    async def __call__(self, tx: Repos) -> str | None:
        self.count += 1
        found = await tx.people.get(person().id)
        if self.during is not None:
            await self.during()
        return found.name if found else None


async def test_a_cached_value_is_read_once_and_reread_after_a_write(db: SqlDatabase) -> None:
    await add(db, person())
    load = Loads()
    assert await db.cached(("name", 1), load) == "Ann"
    assert await db.cached(("name", 1), load) == "Ann"
    assert load.count == 1
    async with db.transaction() as tx:
        await tx.people.set_password(person().id, "new hash")  # any write at all
    assert await db.cached(("name", 1), load) == "Ann"
    assert load.count == 2


async def test_a_value_whose_read_overlapped_a_write_is_never_reused(db: SqlDatabase) -> None:
    await add(db, person(1, "Ann"))

    async def rename() -> None:
        async with db.transaction() as tx:
            await tx.people.set_reviewer(person(1).id, True)

    racing = Loads(during=rename)
    await db.cached(("name", 1), racing)
    plain = Loads()
    await db.cached(("name", 1), plain)
    assert plain.count == 1  # the racing read was not kept: this one had to read again
    await db.cached(("name", 1), plain)
    assert plain.count == 1


async def test_nothing_is_cached_while_the_generation_is_suspended(db: SqlDatabase) -> None:
    await add(db, person())
    load = Loads()
    db.generation.suspend()
    await db.cached(("name", 1), load)
    await db.cached(("name", 1), load)
    assert load.count == 2
    db.generation.resume()
    await db.cached(("name", 1), load)
    await db.cached(("name", 1), load)
    assert load.count == 3


async def test_a_reset_voids_the_cache(db: SqlDatabase) -> None:
    await add(db, person())
    load = Loads()
    assert await db.cached(("name", 1), load) == "Ann"
    await db.reset()
    assert await db.cached(("name", 1), load) is None


async def test_a_cached_load_cannot_write_either(db: SqlDatabase) -> None:
    async def writes(tx: Repos) -> None:
        await tx.people.add(person())

    with pytest.raises(ReadOnlyError):
        await db.cached(("write",), writes)
    async with db.read() as tx:
        assert await tx.people.get(person().id) is None


async def test_concurrent_write_transactions_all_commit(db: SqlDatabase) -> None:
    async def write(n: int) -> None:
        async with db.transaction() as tx:
            await tx.people.add(person(n))
            await asyncio.sleep(0)  # hand the loop to the others while holding the transaction

    await asyncio.wait_for(asyncio.gather(*(write(n) for n in range(1, 10))), timeout=20)
    async with db.read() as tx:
        assert len(await tx.people.list()) == 9


async def test_a_write_waits_off_the_event_loop_while_another_process_holds_the_lock(
    sqlite_db: SqlDatabase,
) -> None:
    # Writes run on the loop's thread only when SQLite's write lock is free at once; held by
    # another process (here a plain connection), the write waits in aiosqlite's thread.
    db = sqlite_db
    path = db.engine.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def release_later() -> None:
        await asyncio.sleep(0.3)
        other.execute("COMMIT")

    ticking = asyncio.create_task(tick())
    releasing = asyncio.create_task(release_later())
    try:
        await asyncio.wait_for(add(db, person()), timeout=5)
    finally:
        ticking.cancel()
        await releasing
        other.close()
    assert ticks >= 10  # the loop went on while the write waited for the lock
    async with db.read() as tx:
        assert await tx.people.get(person().id) == person()


async def test_a_write_with_the_lock_free_starts_without_waiting_a_turn_of_the_loop(
    sqlite_db: SqlDatabase,
) -> None:
    # Under a load of reads each turn of the loop serves dozens of them: a write that waited even
    # one turn before starting made the writes of a 99/1 mix queue behind each other.
    db = sqlite_db
    others_ran = False

    async def other() -> None:
        nonlocal others_ran
        others_ran = True

    task = asyncio.create_task(other())
    async with db.transaction() as tx:
        assert not others_ran  # nothing else ran between asking for the transaction and getting it
        await tx.people.add(person())
    await task


async def test_queued_writes_start_in_the_order_they_asked(sqlite_db: SqlDatabase) -> None:
    db = sqlite_db
    started: list[int] = []

    async def write(n: int) -> None:
        async with db.transaction() as tx:
            started.append(n)
            await tx.people.add(person(n))
            await asyncio.sleep(0)  # hold the lock across a turn: the others queue

    await asyncio.gather(*(write(n) for n in range(1, 8)))
    assert started == list(range(1, 8))


async def test_the_loops_writer_never_checkpoints_and_a_thread_does_it_every_so_many_commits(
    sqlite_db: SqlDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite's automatic checkpoint runs in the commit that crosses its threshold: on the loop's
    # thread it stalled every request for up to 150 ms. The loop's writer never checkpoints; a
    # worker thread does, every CHECKPOINT_EVERY commits.
    db = sqlite_db
    monkeypatch.setattr(engines, "CHECKPOINT_EVERY", 5)
    checkpointer = db._checkpointer
    assert checkpointer is not None and db._point_writer is not None
    with db._point_writer.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    for n in range(1, 5):
        await add(db, person(n))
    await checkpointer.wait()
    assert checkpointer.done == 0
    await add(db, person(5))
    await checkpointer.wait()
    assert checkpointer.done == 1
    path = db.engine.url.database
    assert path is not None
    other = sqlite3.connect(path)
    try:
        _busy, log, checkpointed = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert log == checkpointed  # everything committed so far is in the database file
        assert other.execute("SELECT count(*) FROM people").fetchone() == (5,)
    finally:
        other.close()
