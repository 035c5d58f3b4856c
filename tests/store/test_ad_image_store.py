"""Contract suite for the ad image store: SQLite always, PostgreSQL in CI."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from adgate import ad_objects as o
from adgate import records as r
from adgate.store.interfaces import DuplicateError
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000
APP = "300000000000001"
ACCOUNT, OTHER_ACCOUNT = "400000000000001", "400000000000002"


def image(data: bytes, n: int = 0, account: str = ACCOUNT, **changes: object) -> o.AdImage:
    base = o.AdImage(
        account_id=account,
        hash=hashlib.md5(data).hexdigest(),
        app_id=APP,
        name=f"image-{n}.png",
        status="ACTIVE",
        content_type="image/png",
        width=10 + n,
        height=20 + n,
        size=len(data),
        created_at=NOW + n,
        updated_at=NOW + n,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def db(db: SqlDatabase) -> SqlDatabase:
    async with db.transaction() as tx:
        await tx.apps.add(r.App(APP, "App", "enc", 0, None, (), "standard", "live", False, None, NOW))
        for account_id in (ACCOUNT, OTHER_ACCOUNT):
            await tx.ad_accounts.add(r.AdAccount(account_id, "Acct", None, "USD", "UTC", 1, NOW))
    return db


async def test_an_image_comes_back_with_its_bytes_per_account(db: SqlDatabase) -> None:
    data = bytes(range(256)) * 40  # binary, NULs included
    stored = image(data)
    async with db.transaction() as tx:
        await tx.ad_images.add(stored, data)
        await tx.ad_images.add(replace(stored, account_id=OTHER_ACCOUNT, name="other.png"), data)
    async with db.read() as tx:
        assert await tx.ad_images.get(ACCOUNT, stored.hash) == stored
        assert await tx.ad_images.content(ACCOUNT, stored.hash) == data
        other = await tx.ad_images.get(OTHER_ACCOUNT, stored.hash)
        assert other is not None and other.name == "other.png"
        assert await tx.ad_images.get(ACCOUNT, "0" * 32) is None
        assert await tx.ad_images.content(ACCOUNT, "0" * 32) is None


async def test_the_same_bytes_twice_in_one_account_are_refused(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.ad_images.add(image(b"one"), b"one")
    with pytest.raises(DuplicateError):
        async with db.transaction() as tx:
            await tx.ad_images.add(image(b"one", 1), b"one")


async def test_lists_are_newest_first_and_filter_by_hash(db: SqlDatabase) -> None:
    images = [image(bytes([n]) * 8, n) for n in (1, 3, 2)]
    async with db.transaction() as tx:
        for one in images:
            await tx.ad_images.add(one, bytes([one.width - 10]) * 8)
        await tx.ad_images.add(image(b"elsewhere", 9, account=OTHER_ACCOUNT), b"elsewhere")
    async with db.read() as tx:
        listed = await tx.ad_images.for_account(ACCOUNT)
        some = await tx.ad_images.for_account(ACCOUNT, [images[0].hash, images[2].hash, "f" * 32])
        none = await tx.ad_images.for_account(ACCOUNT, [])
    assert [i.name for i in listed] == ["image-3.png", "image-2.png", "image-1.png"]
    assert [i.name for i in some] == ["image-2.png", "image-1.png"]
    assert none == []


async def test_an_update_changes_name_and_status_only(db: SqlDatabase) -> None:
    stored = image(b"pixels")
    async with db.transaction() as tx:
        await tx.ad_images.add(stored, b"pixels")
        await tx.ad_images.update(replace(stored, name="renamed.png", status="DELETED", updated_at=NOW + 50))
    async with db.read() as tx:
        assert await tx.ad_images.get(ACCOUNT, stored.hash) == replace(
            stored, name="renamed.png", status="DELETED", updated_at=NOW + 50
        )
        assert await tx.ad_images.content(ACCOUNT, stored.hash) == b"pixels"


async def test_a_reset_takes_the_images(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.ad_images.add(image(b"a"), b"a")
    await db.reset()
    async with db.read() as tx:
        assert await tx.ad_images.for_account(ACCOUNT) == []
