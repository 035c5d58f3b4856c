"""Contract suite for the gate's stores (account lists, daily usage): SQLite always, PostgreSQL in CI."""

from __future__ import annotations

import asyncio

import pytest

from adgate import records as r
from adgate.store.interfaces import ListedAccount, UsageCount
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000
APP = "200000000000001"
OTHER_APP = "200000000000002"


@pytest.fixture
async def db(db: SqlDatabase) -> SqlDatabase:
    """The shared empty database (conftest.py) with two apps and thirty ad accounts."""
    async with db.transaction() as tx:
        for app_id in (APP, OTHER_APP):
            await tx.apps.add(
                r.App(app_id, "App", "enc", 0, None, (), "development", "development", False, None, NOW)
            )
        for n in range(1, 31):
            await tx.ad_accounts.add(r.AdAccount(str(n), f"Account {n}", None, "USD", "UTC", 1, NOW))
    return db


async def test_an_account_list_keeps_its_accounts_oldest_first_with_their_source(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        assert await tx.account_lists.add(APP, "2", source="manual", now=NOW + 5, limit=5) == "added"
        assert await tx.account_lists.add(APP, "1", source="auto", now=NOW, limit=5) == "added"
        assert await tx.account_lists.add(OTHER_APP, "3", source="auto", now=NOW, limit=5) == "added"
    async with db.transaction() as tx:
        assert await tx.account_lists.list(APP) == [
            ListedAccount(APP, "1", "auto", NOW),
            ListedAccount(APP, "2", "manual", NOW + 5),
        ]
        assert await tx.account_lists.count(APP) == 2
        assert await tx.account_lists.contains(APP, "1")
        assert not await tx.account_lists.contains(APP, "3")


async def test_adding_a_listed_account_again_changes_nothing(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.account_lists.add(APP, "1", source="auto", now=NOW, limit=1)
        assert await tx.account_lists.add(APP, "1", source="manual", now=NOW + 9, limit=1) == "present"
        assert await tx.account_lists.list(APP) == [ListedAccount(APP, "1", "auto", NOW)]


async def test_a_full_list_refuses_another_account_and_no_limit_never_does(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        for n in range(1, 6):
            assert await tx.account_lists.add(APP, str(n), source="auto", now=NOW, limit=5) == "added"
        assert await tx.account_lists.add(APP, "6", source="auto", now=NOW, limit=5) == "full"
        assert await tx.account_lists.add(APP, "6", source="auto", now=NOW, limit=None) == "added"
        assert await tx.account_lists.count(APP) == 6


async def test_a_removed_account_leaves_room_and_removing_twice_says_so(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.account_lists.add(APP, "1", source="auto", now=NOW, limit=1)
        assert await tx.account_lists.remove(APP, "1")
        assert not await tx.account_lists.remove(APP, "1")
        assert await tx.account_lists.add(APP, "2", source="manual", now=NOW, limit=1) == "added"


async def test_concurrent_adds_never_exceed_the_limit(db: SqlDatabase) -> None:
    async def add(n: int) -> str:
        async with db.transaction() as tx:
            return await tx.account_lists.add(APP, str(n), source="auto", now=NOW, limit=5)

    outcomes = await asyncio.gather(*(add(n) for n in range(1, 21)))
    assert outcomes.count("added") == 5
    assert outcomes.count("full") == 15
    async with db.transaction() as tx:
        assert await tx.account_lists.count(APP) == 5


async def test_usage_counts_add_up_per_app_day_and_class(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        written = await tx.usage.add_counts(
            [
                UsageCount(APP, 100, "calls", 3),
                UsageCount(APP, 100, "calls", 2),
                UsageCount(APP, 100, "errors", 1),
                UsageCount(APP, 101, "calls", 7),
                UsageCount(OTHER_APP, 100, "calls", 1),
            ]
        )
        assert written == 4
    async with db.transaction() as tx:
        await tx.usage.add_counts([UsageCount(APP, 100, "calls", 10)])
    async with db.transaction() as tx:
        assert await tx.usage.for_app(APP, 100, 101) == [
            UsageCount(APP, 100, "calls", 15),
            UsageCount(APP, 100, "errors", 1),
            UsageCount(APP, 101, "calls", 7),
        ]
        assert await tx.usage.for_app(APP, 101, 200) == [UsageCount(APP, 101, "calls", 7)]


async def test_concurrent_flushes_of_the_same_count_all_add_up(db: SqlDatabase) -> None:
    async def flush() -> None:
        async with db.transaction() as tx:
            await tx.usage.add_counts([UsageCount(APP, 5, "calls", 1)])

    await asyncio.gather(*(flush() for _ in range(20)))
    async with db.transaction() as tx:
        assert await tx.usage.for_app(APP, 5, 5) == [UsageCount(APP, 5, "calls", 20)]


async def test_counts_of_an_app_that_no_longer_exists_are_dropped(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        written = await tx.usage.add_counts(
            [UsageCount("999999999999999", 1, "calls", 1), UsageCount(APP, 1, "calls", 1)]
        )
        assert written == 1
        assert await tx.usage.add_counts([]) == 0


async def test_app_users_are_the_people_still_authorizing_the_app(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        for n, deauthorized in ((1, None), (2, None), (3, NOW)):
            pid = f"10000000000000{n}"
            await tx.people.add(r.Person(pid, "P", f"p{n}@example.com", "h", 0, 0, False, NOW))
            await tx.grants.set_authorization(r.Authorization(APP, pid, NOW, NOW, deauthorized))
        assert await tx.usage.app_users(APP) == 2
        assert await tx.usage.app_users(OTHER_APP) == 0
