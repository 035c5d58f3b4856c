"""Usage accounting: counted in memory, flushed as increments, kept when a flush fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest

from adgate import records as r
from adgate.clock import SandboxClock
from adgate.protocol.errors import ErrorName, GraphError
from adgate.services.gate.usage import UsageMeter, classify, date_of, day_of
from adgate.settings import normalize_database_url
from adgate.store.interfaces import Repos
from adgate.store.migrate import upgrade
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000
APP = "200000000000001"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqlDatabase]:
    database = SqlDatabase(normalize_database_url(f"sqlite:///{tmp_path / 'usage.db'}"))
    await upgrade(database.engine)
    async with database.transaction() as tx:
        await tx.apps.add(
            r.App(APP, "App", "enc", 0, None, (), "development", "development", False, None, NOW)
        )
    yield database
    await database.close()


@pytest.mark.parametrize(
    ("name", "params", "klass"),
    [
        ("user_limit", {}, "throttled"),
        ("buc_ads_management", {}, "throttled"),
        ("app_limit", {}, "throttled"),
        ("token_expired", {"expired": "x", "now": "y"}, "auth_errors"),
        ("proof_invalid", {}, "auth_errors"),
        ("development_access", {}, "permission_errors"),
        ("ads_management_required", {}, "permission_errors"),
        ("permission_denied", {}, "permission_errors"),
        ("service", {}, "server_errors"),
        ("invalid_parameter", {"detail": "x"}, "client_errors"),
        ("not_found", {"node": "x"}, "client_errors"),
    ],
)
def test_an_error_counts_as_a_call_an_error_and_its_class(
    name: ErrorName, params: dict[str, str], klass: str
) -> None:
    assert classify(GraphError.of(name, **params)) == ("calls", "errors", klass)


def test_a_success_is_only_a_call_and_a_crash_is_a_server_error() -> None:
    assert classify(None) == ("calls",)
    assert classify(None, crashed=True) == ("calls", "errors", "server_errors")


def test_days_are_utc_days_since_the_epoch() -> None:
    assert day_of(86_400 * 3 - 1) == 2
    assert date_of(day_of(NOW)) == "2026-09-21"


async def test_counts_stay_in_memory_until_a_flush_adds_them_up(db: SqlDatabase) -> None:
    meter = UsageMeter(db, SandboxClock(frozen_at=NOW))
    for _ in range(3):
        meter.record(APP, ("calls",))
    meter.record(APP, ("calls", "errors", "throttled"))
    async with db.transaction() as tx:
        assert await tx.usage.for_app(APP, 0, 10**6) == []
    assert meter.pending() == 4
    assert await meter.flush() == 3
    assert await meter.flush() == 0
    meter.record(APP, ("calls",))
    await meter.flush()
    report = await meter.daily(APP, 1)
    assert report["totals"]["calls"] == 5
    assert report["totals"]["errors"] == 1
    assert report["totals"]["error_rate"] == 0.2


async def test_a_failed_flush_keeps_its_counts_for_the_next(db: SqlDatabase, tmp_path: Path) -> None:
    meter = UsageMeter(db, SandboxClock(frozen_at=NOW))
    meter.record(APP, ("calls",))
    await db.close()
    broken = SqlDatabase(normalize_database_url(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}"))
    meter.db = broken
    with pytest.raises(Exception):  # whatever the driver raises
        await meter.flush()
    await broken.close()
    meter.db = db
    assert meter.pending() == 1
    assert await meter.flush() == 1


async def test_the_daily_report_merges_stored_and_pending_counts_per_day(db: SqlDatabase) -> None:
    clock = SandboxClock(frozen_at=NOW)
    meter = UsageMeter(db, clock)
    meter.record(APP, ("calls", "errors", "client_errors"))
    await meter.flush()
    clock.advance(86_400)
    meter.record(APP, ("calls",))
    meter.record(APP, ("calls",))
    report = await meter.daily(APP, 3)
    assert [row["calls"] for row in report["data"]] == [0, 1, 2]
    assert report["data"][1]["error_rate"] == 1.0
    assert report["data"][2]["date"] == date_of(day_of(NOW) + 1)
    assert report["totals"]["calls"] == 3


async def test_a_reset_drops_unflushed_counts(db: SqlDatabase) -> None:
    meter = UsageMeter(db, SandboxClock(frozen_at=NOW))
    meter.record(APP, ("calls",))
    await meter.reset()
    assert meter.pending() == 0


async def test_stop_flushes_what_is_left(db: SqlDatabase) -> None:
    meter = UsageMeter(db, SandboxClock(frozen_at=NOW), flush_seconds=3600)
    await meter.start()
    meter.record(APP, ("calls",))
    await meter.stop()
    async with db.transaction() as tx:
        assert [c.count for c in await tx.usage.for_app(APP, 0, 10**6)] == [1]


class SlowWrites:
    """The database, with every write transaction held open until ``release`` is set."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self.writing = anyio.Event()
        self.release = anyio.Event()

    @asynccontextmanager
    async def transaction(self, *, invalidates: bool = True) -> AsyncIterator[Repos]:
        async with self.db.transaction(invalidates=invalidates) as tx:
            self.writing.set()
            await self.release.wait()
            yield tx


async def test_a_shutdown_during_a_flush_loses_nothing(db: SqlDatabase) -> None:
    slow = SlowWrites(db)
    meter = UsageMeter(slow, SandboxClock(frozen_at=NOW), flush_seconds=0.01)  # type: ignore[arg-type]
    await meter.start()
    for _ in range(5):
        meter.record(APP, ("calls",))
    await slow.writing.wait()  # the periodic flush has taken the 5 counts and is writing them
    meter.record(APP, ("calls",))
    async with anyio.create_task_group() as tg:
        tg.start_soon(meter.stop)
        await anyio.sleep(0.05)  # stop() is waiting for the write in progress, not cancelling it
        slow.release.set()
    async with db.transaction() as tx:
        assert [c.count for c in await tx.usage.for_app(APP, 0, 10**6)] == [6]
    assert meter.pending() == 0
