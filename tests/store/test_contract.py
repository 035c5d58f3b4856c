"""One contract suite for the SQL store, run on SQLite always and on PostgreSQL (CI)."""

from __future__ import annotations

import asyncio

import pytest

from adgate import records as r
from adgate.store.interfaces import DuplicateError
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000


def person(pid: str = "100000000000001", email: str = "ann@example.com") -> r.Person:
    return r.Person(pid, "Ann", email, "hash", 0, 0, False, NOW)


def app_record(aid: str = "200000000000001") -> r.App:
    return r.App(
        aid,
        "App",
        "enc",
        0,
        "https://a.example/",
        ("https://a.example/cb",),
        "development",
        "development",
        False,
        None,
        NOW,
    )


def token(digest: str, **kw: object) -> r.Token:
    values: dict[str, object] = dict(
        digest=digest,
        kind="user",
        app_id="200000000000001",
        person_id="100000000000001",
        page_id=None,
        system_user_id=None,
        scopes=("ads_read", "public_profile"),
        issued_at=NOW,
        expires_at=NOW + 60,
        long_lived=False,
        password_epoch=0,
        session_epoch=0,
        secret_version=0,
        code_digest=None,
        revoked_at=None,
        revoked_reason=None,
    )
    values.update(kw)
    return r.Token(**values)  # type: ignore[arg-type]


async def test_a_person_round_trips_and_email_lookup_ignores_case(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.people.add(person())
    async with db.transaction() as tx:
        assert await tx.people.get("100000000000001") == person()
        assert (await tx.people.by_email("ANN@example.com ")) == person()
        assert await tx.people.get("999") is None


async def test_a_second_person_with_the_same_email_is_a_duplicate(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.people.add(person())
    with pytest.raises(DuplicateError):
        async with db.transaction() as tx:
            await tx.people.add(person(pid="100000000000002"))


async def test_a_password_change_and_a_logout_bump_their_epochs(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.people.add(person())
        changed = await tx.people.set_password("100000000000001", "new-hash")
        logged_out = await tx.people.bump_session("100000000000001")
    assert changed is not None and changed.password_epoch == 1 and changed.password_hash == "new-hash"
    assert logged_out is not None and logged_out.session_epoch == 1


async def test_a_failed_transaction_leaves_nothing_behind(db: SqlDatabase) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.people.add(person())
            raise RuntimeError("crash mid-way")
    async with db.transaction() as tx:
        assert await tx.people.list() == []


async def test_roles_are_set_replaced_listed_and_removed(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.people.add(person())
        await tx.businesses.add(r.Business("300000000000001", "Biz", NOW))
        await tx.business_people.set(r.Role("300000000000001", "100000000000001", "EMPLOYEE"))
        await tx.business_people.set(r.Role("300000000000001", "100000000000001", "ADMIN"))
        assert await tx.business_people.for_object("300000000000001") == [
            r.Role("300000000000001", "100000000000001", "ADMIN")
        ]
        assert len(await tx.business_people.for_person("100000000000001")) == 1
        assert await tx.business_people.remove("300000000000001", "100000000000001")
        assert not await tx.business_people.remove("300000000000001", "100000000000001")
        assert await tx.business_people.get("300000000000001", "100000000000001") is None


async def test_apps_keep_their_redirect_uris_and_update(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.apps.add(app_record())
        await tx.nodes.add("200000000000001", "app")
    async with db.transaction() as tx:
        app = await tx.apps.get("200000000000001")
        assert app == app_record()
        from dataclasses import replace

        await tx.apps.update(replace(app, access_level="basic", redirect_uris=("https://b.example/",)))
    async with db.transaction() as tx:
        updated = await tx.apps.get("200000000000001")
        assert updated is not None
        assert updated.access_level == "basic"
        assert updated.redirect_uris == ("https://b.example/",)
        assert await tx.nodes.kind_of("200000000000001") == "app"
        assert await tx.nodes.kind_of("200000000000009") is None


async def test_ad_accounts_list_by_business(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.businesses.add(r.Business("300000000000001", "Biz", NOW))
        await tx.ad_accounts.add(r.AdAccount("1", "A", "300000000000001", "USD", "UTC", 1, NOW))
        await tx.ad_accounts.add(r.AdAccount("2", "B", None, "EUR", "UTC", 1, NOW + 1))
        assert [a.id for a in await tx.ad_accounts.list()] == ["1", "2"]
        assert [a.id for a in await tx.ad_accounts.list(business_id="300000000000001")] == ["1"]


async def _token_world(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        await tx.people.add(person())
        await tx.apps.add(app_record())


async def test_tokens_are_found_by_digest_and_revoked_once(db: SqlDatabase) -> None:
    await _token_world(db)
    async with db.transaction() as tx:
        await tx.tokens.add(token("d1"))
        assert (await tx.tokens.get("d1")) == token("d1")
        assert await tx.tokens.revoke("d1", NOW + 5, "logout")
        assert not await tx.tokens.revoke("d1", NOW + 6, "logout")
        revoked = await tx.tokens.get("d1")
        assert revoked is not None and revoked.revoked_at == NOW + 5 and revoked.revoked_reason == "logout"


async def test_revoke_where_takes_only_the_matching_live_tokens(db: SqlDatabase) -> None:
    await _token_world(db)
    async with db.transaction() as tx:
        await tx.tokens.add(token("a", code_digest="c1"))
        await tx.tokens.add(token("b", code_digest="c1", kind="page"))
        await tx.tokens.add(token("c", code_digest="c2"))
        assert sorted(await tx.tokens.revoke_where(NOW, "replay", code_digest="c1")) == ["a", "b"]
        assert await tx.tokens.revoke_where(NOW, "replay", code_digest="c1") == []
        assert await tx.tokens.revoke_where(NOW, "x", person_id="100000000000001", kind="user") == ["c"]
        assert await tx.tokens.count() == 3
        with pytest.raises(ValueError):
            await tx.tokens.revoke_where(NOW, "everything")


async def test_a_code_can_be_marked_used_only_once_even_concurrently(db: SqlDatabase) -> None:
    await _token_world(db)
    code = r.AuthCode(
        "code1",
        "200000000000001",
        "100000000000001",
        "https://a.example/cb",
        ("ads_read",),
        NOW,
        NOW + 600,
        None,
        None,
        None,
    )
    async with db.transaction() as tx:
        await tx.codes.add(code)

    async def use() -> bool:
        async with db.transaction() as tx:
            return await tx.codes.mark_used("code1", NOW + 1)

    results = await asyncio.gather(*(use() for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]
    async with db.transaction() as tx:
        stored = await tx.codes.get("code1")
    assert stored is not None and stored.used_at == NOW + 1 and stored.scopes == ("ads_read",)


async def test_grants_and_authorizations_are_upserted(db: SqlDatabase) -> None:
    await _token_world(db)
    app_id, pid = "200000000000001", "100000000000001"
    async with db.transaction() as tx:
        await tx.grants.set(r.Grant(app_id, pid, "ads_read", "granted", NOW))
        await tx.grants.set(r.Grant(app_id, pid, "ads_read", "declined", NOW + 1))
        await tx.grants.set(r.Grant(app_id, pid, "email", "granted", NOW))
        assert [(g.permission, g.status) for g in await tx.grants.for_person(app_id, pid)] == [
            ("ads_read", "declined"),
            ("email", "granted"),
        ]
        assert await tx.grants.remove(app_id, pid, "email") == 1
        assert await tx.grants.remove(app_id, pid) == 1
        await tx.grants.set_authorization(r.Authorization(app_id, pid, NOW, NOW, None))
        await tx.grants.set_authorization(r.Authorization(app_id, pid, NOW, NOW + 9, NOW + 10))
        assert await tx.grants.authorization(app_id, pid) == r.Authorization(
            app_id, pid, NOW, NOW + 9, NOW + 10
        )


async def test_a_person_is_read_with_their_authorization_of_one_app(db: SqlDatabase) -> None:
    await _token_world(db)
    app_id, pid = "200000000000001", "100000000000001"
    async with db.transaction() as tx:
        who = await tx.people.get(pid)
        assert who is not None
        assert await tx.grants.authorized_person(app_id, pid) == (who, None)
        assert await tx.grants.authorized_person(app_id, "999") is None
        await tx.grants.set_authorization(r.Authorization(app_id, pid, NOW, NOW + 9, None))
        assert await tx.grants.authorized_person(app_id, pid) == (
            who,
            r.Authorization(app_id, pid, NOW, NOW + 9, None),
        )
        assert await tx.grants.authorized_person("200000000000002", pid) == (who, None)


async def test_system_users_belong_to_a_business_and_install_apps_once(db: SqlDatabase) -> None:
    await _token_world(db)
    async with db.transaction() as tx:
        await tx.businesses.add(r.Business("300000000000001", "Biz", NOW))
        su = r.SystemUser("400000000000001", "300000000000001", "Bot", "EMPLOYEE", NOW)
        await tx.system_users.add(su)
        await tx.system_users.install_app(su.id, "200000000000001", NOW)
        await tx.system_users.install_app(su.id, "200000000000001", NOW)
        assert await tx.system_users.get(su.id) == su
        assert await tx.system_users.for_business("300000000000001") == [su]
        assert await tx.system_users.installed_apps(su.id) == ["200000000000001"]


async def test_meta_values_are_set_and_replaced(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        assert await tx.meta.get("k") is None
        await tx.meta.set("k", "1")
        await tx.meta.set("k", "2")
        assert await tx.meta.get("k") == "2"


async def test_reset_empties_every_table(db: SqlDatabase) -> None:
    await _token_world(db)
    await db.reset()
    async with db.transaction() as tx:
        assert await tx.people.list() == []
        assert await tx.apps.list() == []
