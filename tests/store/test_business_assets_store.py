"""Contract suite for Business Manager's store: who owns an ad account or a Page, and the ad accounts
assigned to system users. SQLite always, PostgreSQL in CI."""

from __future__ import annotations

import pytest

from adgate import records as r
from adgate.store.interfaces import SystemUserAdAccount
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000
BUSINESS = "300000000000001"
ACCOUNTS = ("500000000000001", "500000000000002")
BOTS = ("400000000000001", "400000000000002")
PAGE = "600000000000001"


@pytest.fixture
async def db(db: SqlDatabase) -> SqlDatabase:
    """The shared empty database (conftest.py) with a business, two ad accounts no business owns,
    a Page and two system users of the business."""
    async with db.transaction() as tx:
        await tx.businesses.add(r.Business(BUSINESS, "Biz", NOW))
        for account_id in ACCOUNTS:
            await tx.ad_accounts.add(r.AdAccount(account_id, "Acc", None, "USD", "UTC", 1, NOW))
        await tx.pages.add(r.Page(PAGE, "Page", "Brand", None, NOW))
        for bot in BOTS:
            await tx.system_users.add(r.SystemUser(bot, BUSINESS, "Bot", "EMPLOYEE", NOW))
    return db


async def test_an_ad_account_and_a_page_change_hands(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        assert await tx.ad_accounts.set_business(ACCOUNTS[0], BUSINESS)
        assert await tx.pages.set_business(PAGE, BUSINESS)
        assert not await tx.ad_accounts.set_business("599999999999999", BUSINESS)
        assert not await tx.pages.set_business("699999999999999", BUSINESS)
    async with db.read() as tx:
        assert [a.id for a in await tx.ad_accounts.list(business_id=BUSINESS)] == [ACCOUNTS[0]]
        page = await tx.pages.get(PAGE)
        assert page is not None and page.business_id == BUSINESS
    async with db.transaction() as tx:
        assert await tx.ad_accounts.set_business(ACCOUNTS[0], None)
    async with db.read() as tx:
        assert await tx.ad_accounts.list(business_id=BUSINESS) == []


async def test_system_user_assignments_are_set_changed_listed_and_removed(db: SqlDatabase) -> None:
    first, second = ACCOUNTS
    async with db.transaction() as tx:
        assigned = tx.system_user_ad_accounts
        await assigned.set(SystemUserAdAccount(first, BOTS[1], "advertiser"))
        await assigned.set(SystemUserAdAccount(first, BOTS[0], "admin"))
        await assigned.set(SystemUserAdAccount(second, BOTS[0], "analyst"))
        await assigned.set(SystemUserAdAccount(first, BOTS[1], "analyst"))  # a new role, not a second row
    async with db.read() as tx:
        assigned = tx.system_user_ad_accounts
        assert await assigned.get(first, BOTS[1]) == SystemUserAdAccount(first, BOTS[1], "analyst")
        assert await assigned.get(second, BOTS[1]) is None
        assert [a.system_user_id for a in await assigned.for_account(first)] == list(BOTS)
        assert [(a.ad_account_id, a.role) for a in await assigned.for_system_user(BOTS[0])] == [
            (first, "admin"),
            (second, "analyst"),
        ]
    async with db.transaction() as tx:
        assigned = tx.system_user_ad_accounts
        assert await assigned.remove(second, BOTS[0])
        assert not await assigned.remove(second, BOTS[0])
        assert await assigned.remove_for_account(first) == 2
    async with db.read() as tx:
        assert await tx.system_user_ad_accounts.for_system_user(BOTS[0]) == []
