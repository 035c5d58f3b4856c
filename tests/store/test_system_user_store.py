"""Contract suite for the system users' store limit (seed, "Limits: System User"): SQLite always,
PostgreSQL in CI."""

from __future__ import annotations

import asyncio

import pytest

from adgate import records as r
from adgate.store.interfaces import SealedToken
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000
BUSINESS = "300000000000001"
OTHER_BUSINESS = "300000000000002"


@pytest.fixture
async def db(db: SqlDatabase) -> SqlDatabase:
    """The shared empty database (conftest.py) with two businesses."""
    async with db.transaction() as tx:
        for business_id in (BUSINESS, OTHER_BUSINESS):
            await tx.businesses.add(r.Business(business_id, "Biz", NOW))
    return db


def system_user(n: int, role: r.BusinessRole = "EMPLOYEE", business_id: str = BUSINESS) -> r.SystemUser:
    return r.SystemUser(str(400_000_000_000_000 + n), business_id, f"Bot {n}", role, NOW)


async def test_a_business_at_its_limit_refuses_another_system_user_of_that_role_only(
    db: SqlDatabase,
) -> None:
    async with db.transaction() as tx:
        assert await tx.system_users.add(system_user(1), limit=1)
        assert not await tx.system_users.add(system_user(2), limit=1)
        assert await tx.system_users.add(system_user(3, "ADMIN"), limit=1)
        assert await tx.system_users.add(system_user(4, business_id=OTHER_BUSINESS), limit=1)
        assert await tx.system_users.add(system_user(5), limit=None)
        assert await tx.system_users.count(BUSINESS, "EMPLOYEE") == 2
        assert await tx.system_users.count(BUSINESS, "ADMIN") == 1
        assert await tx.system_users.count(OTHER_BUSINESS, "EMPLOYEE") == 1


async def test_concurrent_adds_never_exceed_the_limit(db: SqlDatabase) -> None:
    async def add(n: int) -> bool:
        async with db.transaction() as tx:
            return await tx.system_users.add(system_user(n), limit=3)

    outcomes = await asyncio.gather(*(add(n) for n in range(1, 11)))
    assert outcomes.count(True) == 3
    async with db.transaction() as tx:
        assert await tx.system_users.count(BUSINESS, "EMPLOYEE") == 3


async def test_sealed_tokens_are_found_by_exact_scopes_and_assets_newest_first_unless_revoked(
    db: SqlDatabase,
) -> None:
    app_id = "200000000000001"
    user = system_user(1)
    key = ("ads_management", "ads_read")

    def issued(digest: str, at: int, assets: tuple[str, ...] | None) -> tuple[r.Token, SealedToken]:
        token = r.Token(
            digest,
            "system_user",
            app_id,
            None,
            None,
            user.id,
            key,
            at,
            None,
            True,
            0,
            0,
            0,
            None,
            None,
            None,
            assets=assets,
        )
        return token, SealedToken(digest, user.id, app_id, key, assets, f"sealed-{digest}", at)

    made = [
        issued("a" * 64, NOW, None),
        issued("b" * 64, NOW + 5, None),
        issued("c" * 64, NOW + 9, ("500000000000001",)),
        issued("d" * 64, NOW + 7, None),
    ]
    async with db.transaction() as tx:
        await tx.apps.add(
            r.App(
                app_id,
                "App",
                "enc",
                0,
                "https://a.example/",
                (),
                "development",
                "development",
                False,
                None,
                NOW,
            )
        )
        await tx.system_users.add(user)
        for token, sealed in made:
            await tx.tokens.add(token)
            await tx.sealed_tokens.add(sealed)
        await tx.tokens.revoke("d" * 64, NOW + 8, "test")
    async with db.transaction() as tx:
        assert (await tx.tokens.get("c" * 64)) == made[2][0]  # the assets round-trip on the token
        every = await tx.sealed_tokens.matching(user.id, app_id, key, None)
        assert [s.digest for s in every] == ["b" * 64, "a" * 64]
        assert every[0] == made[1][1]
        limited = await tx.sealed_tokens.matching(user.id, app_id, key, ("500000000000001",))
        assert limited == [made[2][1]]
        assert await tx.sealed_tokens.matching(user.id, app_id, ("ads_read",), None) == []
        assert await tx.sealed_tokens.matching(user.id, "200000000000002", key, None) == []
