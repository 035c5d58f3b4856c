"""What statements read and write, derived from the statements as the database runs them
(adgate.store.dependencies, docs/caching.md)."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adgate.store import tables as t
from adgate.store.dependencies import ANY, EVERYTHING, Tag, collecting, everything_of
from adgate.store.keys import keyable
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio


async def reads(db: SqlDatabase, run: Callable[[AsyncConnection], Awaitable[Any]]) -> set[Tag]:
    with collecting() as tags:
        async with db.engine.connect() as conn:
            await run(conn)
    return tags


async def writes(db: SqlDatabase, run: Callable[[AsyncConnection], Awaitable[Any]]) -> set[Tag]:
    written: list[frozenset[Tag]] = []

    async def hook(tags: frozenset[Tag], _number: int | None) -> None:
        written.append(tags)

    db.on_write.append(hook)
    try:
        async with db.transaction() as tx:
            await run(tx.campaigns.conn)
    finally:
        db.on_write.remove(hook)
    assert len(written) == 1
    return set(written[0])


async def seed(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        conn = tx.campaigns.conn
        app = {"name": "app", "secret_encrypted": "s", "access_level": "development", "mode": "live"}
        await conn.execute(insert(t.apps).values(id="9", created_at=0, **app))
        account = {"name": "a", "currency": "USD", "timezone_name": "UTC", "account_status": 1}
        for account_id in ("1", "2"):
            await conn.execute(insert(t.ad_accounts).values(id=account_id, created_at=0, **account))


def test_keyable_columns_are_keys_foreign_keys_and_indexed_ones() -> None:
    assert keyable(t.tokens)[0] == "digest"
    assert {"id", "account_id"} <= set(keyable(t.campaigns))
    assert "name" not in keyable(t.campaigns)
    assert "status" not in keyable(t.campaigns)


async def test_a_point_read_depends_on_its_row_alone(db: SqlDatabase) -> None:
    tags = await reads(db, lambda c: c.execute(select(t.campaigns).where(t.campaigns.c.id == "42")))
    assert tags == {"campaigns.id", ("campaigns", "id", "42")}


async def test_values_come_from_the_execution_not_from_a_cached_compiled_statement(db: SqlDatabase) -> None:
    # SQLAlchemy compiles equal statements once: the second one's value must still be its own.
    for value in ("1", "2", "3"):
        stmt = select(t.campaigns).where(t.campaigns.c.id == value)
        tags = await reads(db, lambda c, s=stmt: c.execute(s))  # type: ignore[misc]
        assert tags == {"campaigns.id", ("campaigns", "id", value)}
    by_param = select(t.tokens).where(t.tokens.c.digest == bindparam("d"))
    for value in ("a", "b"):
        tags = await reads(db, lambda c, v=value: c.execute(by_param, {"d": v}))  # type: ignore[misc]
        assert tags == {"tokens.digest", ("tokens", "digest", value)}


async def test_an_in_list_depends_on_each_of_its_rows(db: SqlDatabase) -> None:
    stmt = select(t.campaigns).where(t.campaigns.c.id.in_(["1", "2"]), t.campaigns.c.status == "ACTIVE")
    tags = await reads(db, lambda c: c.execute(stmt))
    assert tags == {"campaigns.id", ("campaigns", "id", "1"), ("campaigns", "id", "2")}


async def test_an_unrestricted_or_disjunctive_read_depends_on_the_whole_table(db: SqlDatabase) -> None:
    c = t.campaigns.c
    assert await reads(db, lambda conn: conn.execute(select(t.campaigns))) == {"campaigns"}
    either = select(t.campaigns).where((c.id == "1") | (c.id == "2"))
    assert await reads(db, lambda conn: conn.execute(either)) == {"campaigns"}
    by_name = select(t.campaigns).where(c.name == "x")  # not a keyable column
    assert await reads(db, lambda conn: conn.execute(by_name)) == {"campaigns"}


async def test_a_join_keys_each_table_by_its_own_terms(db: SqlDatabase) -> None:
    a, s = t.ads, t.ad_sets
    stmt = (
        select(func.count())
        .select_from(a.join(s, s.c.id == a.c.adset_id))
        .where(a.c.account_id == "7", a.c.status == "ACTIVE")
    )
    tags = await reads(db, lambda c: c.execute(stmt))
    used = ("+", "account_id", "adset_id", "status")  # count(*) and the columns it names
    assert tags == {"ads.account_id", "ad_sets", *(("ads", "account_id", "7", part) for part in used)}


async def test_key_tags_are_exact_strings_the_garbage_collector_never_scans(db: SqlDatabase) -> None:
    # SQLAlchemy names tables and columns with quoted_name, a str subclass the collector tracks: a
    # tuple holding one stays tracked, and a busy server's generation keeps hundreds of thousands.
    c, m = t.campaigns.c, t.meta.c
    read = await reads(db, lambda conn: conn.execute(select(c.account_id).where(c.id == "42")))
    written = await writes(db, lambda conn: conn.execute(insert(t.meta).values(key="k", value="1")))
    renamed = await writes(
        db, lambda conn: conn.execute(update(t.meta).where(m.key == "k").values(value="2"))
    )
    keys = [tag for tag in read | written | renamed if isinstance(tag, tuple)]
    assert {len(tag) for tag in keys} == {3, 4}
    assert all(type(part) is str for tag in keys for part in tag)
    gc.collect()
    assert not any(gc.is_tracked(tag) for tag in keys)


async def test_a_read_of_some_columns_depends_on_those_and_on_the_number_of_rows(db: SqlDatabase) -> None:
    c = t.campaigns.c
    narrow = select(c.account_id).where(c.id == "42")
    tags = await reads(db, lambda conn: conn.execute(narrow))
    assert tags == {"campaigns.id", *(("campaigns", "id", "42", part) for part in ("+", "account_id", "id"))}
    ordered = select(c.id).where(c.account_id == "1").order_by(c.created_at)
    tags = await reads(db, lambda conn: conn.execute(ordered))
    assert ("campaigns", "account_id", "1", "created_at") in tags
    # A column named by text cannot be told: the read depends on the whole rows.
    by_text = select(c.id).where(c.account_id == "1").order_by("name")
    tags = await reads(db, lambda conn: conn.execute(by_text))
    assert tags == {"campaigns.account_id", ("campaigns", "account_id", "1")}


async def test_an_update_voids_the_reads_of_the_columns_it_sets_and_no_other(db: SqlDatabase) -> None:
    c = t.campaigns.c
    rename = update(t.campaigns).where(c.id == "5", c.account_id == "1").values(name="new", updated_at=3)
    written = await writes(db, lambda conn: conn.execute(rename))
    reads_of = {
        "its account": select(c.account_id).where(c.id == "5"),
        "its status": select(c.status).where(c.id == "5"),
        "the account's count": select(func.count()).select_from(t.campaigns).where(c.account_id == "1"),
        "its name": select(c.name).where(c.id == "5"),
        "its row": select(t.campaigns).where(c.id == "5"),
        "the account's names": select(c.name).where(c.account_id == "1"),
    }
    voided = set()
    for what, stmt in reads_of.items():
        if await reads(db, lambda conn, s=stmt: conn.execute(s)) & written:  # type: ignore[misc]
            voided.add(what)
    assert voided == {"its name", "its row", "the account's names"}


async def test_an_insert_or_delete_voids_every_keyed_read_of_its_rows(db: SqlDatabase) -> None:
    await seed(db)
    c = t.campaigns.c
    count = select(func.count()).select_from(t.campaigns).where(c.account_id == "1")
    read = await reads(db, lambda conn: conn.execute(count))
    gone = delete(t.campaigns).where(c.id == "5", c.account_id == "1")
    assert read & await writes(db, lambda conn: conn.execute(gone))
    other = delete(t.campaigns).where(c.id == "5", c.account_id == "2")
    assert not read & await writes(db, lambda conn: conn.execute(other))


async def test_an_inserted_null_writes_no_tag_of_its_column(db: SqlDatabase) -> None:
    """No read keyed on a column selects a row holding NULL there: a token minted with no Page
    or system user leaves the reads of Page and system-user tokens standing."""
    await seed(db)
    c = t.tokens.c
    by_page = select(c.digest).where(c.page_id == "77")
    read = await reads(db, lambda conn: conn.execute(by_page))
    assert ("tokens", "page_id", "77", "+") in read
    row = {"digest": "d1", "kind": "app", "app_id": "9", "person_id": None, "page_id": None, "issued_at": 0}
    tags = await writes(db, lambda conn: conn.execute(insert(t.tokens).values(**row, system_user_id=None)))
    assert {("tokens", "digest", "d1"), ("tokens", "app_id", "9")} <= tags
    nulls = ("person_id", "page_id", "system_user_id")
    assert not [tag for tag in tags if any(name in str(tag) for name in nulls)]
    assert not read & tags
    # Several rows given as parameters: the NULLs drop out, the values stay keyed.
    rows = [{**row, "digest": "d2", "system_user_id": None}, {**row, "digest": "d3", "system_user_id": None}]
    tags = await writes(db, lambda conn: conn.execute(insert(t.tokens), rows))
    assert {("tokens", "digest", "d2"), ("tokens", "digest", "d3")} <= tags
    assert not read & tags


def test_a_null_is_kept_only_where_the_column_stores_it() -> None:
    from adgate.store.dependencies import _stores_null

    assert _stores_null(t.tokens.c.page_id)
    assert not _stores_null(t.tokens.c.app_id)  # NOT NULL: the insert fails, or a default fills it
    assert not _stores_null(t.deliveries.c.id)  # INTEGER PRIMARY KEY: SQLite makes NULL a new id


async def test_a_subquery_makes_every_table_whole(db: SqlDatabase) -> None:
    c = t.campaigns.c
    inner = select(t.ad_sets.c.campaign_id).where(t.ad_sets.c.account_id == "7")
    stmt = select(t.campaigns).where(c.id == "1", c.id.in_(inner))
    assert await reads(db, lambda conn: conn.execute(stmt)) == {"campaigns", "ad_sets"}


async def test_text_depends_on_any_write(db: SqlDatabase) -> None:
    assert await reads(db, lambda c: c.execute(text("SELECT 1"))) == {ANY}


async def test_an_insert_writes_the_keys_of_its_row(db: SqlDatabase) -> None:
    await seed(db)
    row = {
        "id": "5",
        "account_id": "1",
        "app_id": "9",
        "name": "c",
        "objective": "OUTCOME_TRAFFIC",
        "special_ad_categories": "[]",
        "buying_type": "AUCTION",
        "status": "PAUSED",
        "created_at": 0,
        "updated_at": 0,
    }
    tags = await writes(db, lambda c: c.execute(insert(t.campaigns).values(**row)))
    assert {ANY, "campaigns", ("campaigns", "id", "5"), ("campaigns", "account_id", "1")} <= tags
    assert "campaigns.id" not in tags
    assert "campaigns.account_id" not in tags
    assert not any(isinstance(tag, str) and tag.startswith("ad_sets") for tag in tags)


async def test_an_insert_given_its_row_as_parameters_writes_the_keys_of_its_row(db: SqlDatabase) -> None:
    await seed(db)
    row = {"id": "6", "kind": "campaign"}
    tags = await writes(db, lambda c: c.execute(insert(t.nodes), row))
    assert tags == {ANY, "nodes", ("nodes", "id", "6"), ("nodes", "id", "6", "+")}
    many = [{"id": "7", "kind": "campaign"}, {"id": "8", "kind": "campaign"}]
    tags = await writes(db, lambda c: c.execute(insert(t.nodes), many))
    assert tags == {ANY, "nodes", *(("nodes", "id", n, *part) for n in "78" for part in ((), ("+",)))}


async def test_an_update_by_key_writes_that_row_and_any_value_of_the_other_columns(db: SqlDatabase) -> None:
    c = t.campaigns.c
    stmt = update(t.campaigns).where(c.id == "5").values(name="new")
    tags = await writes(db, lambda conn: conn.execute(stmt))
    assert {("campaigns", "id", "5"), "campaigns.account_id", "campaigns"} <= tags
    assert "campaigns.id" not in tags
    moved = update(t.campaigns).where(c.id == "5", c.account_id == "1").values(account_id="2")
    tags = await writes(db, lambda conn: conn.execute(moved))
    assert {("campaigns", "id", "5"), "campaigns.account_id"} <= tags  # the value changed: any


async def test_an_update_returning_its_row_writes_what_the_update_alone_writes(db: SqlDatabase) -> None:
    from adgate.store.sql.auth import _MARK_USED, _USE

    params = {"code_digest": "d1", "now": 5}
    alone = await writes(db, lambda conn: conn.execute(_MARK_USED, params))
    returning = await writes(db, lambda conn: conn.execute(_USE, params))
    assert returning == alone
    assert ("auth_codes", "digest", "d1") in returning
    assert "auth_codes.digest" not in returning


async def test_a_delete_writes_every_row_its_cascades_reach(db: SqlDatabase) -> None:
    stmt = delete(t.campaigns).where(t.campaigns.c.id == "5")
    tags = await writes(db, lambda conn: conn.execute(stmt))
    assert ("campaigns", "id", "5") in tags
    assert {"ad_sets", "ad_sets.id", "ads", "ads.id", "ads.account_id"} <= tags  # ON DELETE CASCADE
    people = delete(t.people).where(t.people.c.id == "3")
    tags = await writes(db, lambda conn: conn.execute(people))
    assert {"grants", "authorizations", "tokens", "tokens.digest", "app_roles"} <= tags


async def test_an_upsert_writes_whatever_row_it_conflicts_with(db: SqlDatabase) -> None:
    dialect_insert = sqlite_insert if db.dialect == "sqlite" else postgresql_insert
    stmt = dialect_insert(t.meta).values(key="k", value="v").on_conflict_do_nothing()
    tags = await writes(db, lambda conn: conn.execute(stmt))
    assert "meta.key" in tags
    assert ("meta", "key", "k") not in tags


async def test_a_statement_that_cannot_be_analysed_writes_everything(db: SqlDatabase) -> None:
    tags = await writes(db, lambda conn: conn.execute(text("DELETE FROM meta")))
    assert EVERYTHING in tags


async def test_the_schema_has_no_trigger_or_view_that_would_write_behind_the_statements(
    db: SqlDatabase,
) -> None:
    # docs/caching.md: a row changed by the database itself must be a foreign key's action.
    if db.dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'view')"
    else:
        query = (
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema() "
            "UNION ALL SELECT viewname FROM pg_views WHERE schemaname = current_schema()"
        )
    async with db.engine.connect() as conn:
        assert (await conn.execute(text(query))).all() == []


def test_cascades_are_followed_through_a_cycle_of_foreign_keys() -> None:
    from sqlalchemy import Column, ForeignKey, MetaData, String, Table

    metadata = MetaData()
    a = Table("a", metadata, Column("id", String, primary_key=True), Column("b_id", String))
    b = Table("b", metadata, Column("id", String, primary_key=True))
    b.append_column(Column("a_id", String, ForeignKey("a.id", ondelete="CASCADE")))
    a.c.b_id.append_foreign_key(ForeignKey("b.id", ondelete="CASCADE"))
    c = Table(
        "c", metadata, Column("id", String, primary_key=True), Column("b_id", String, ForeignKey("b.id"))
    )
    assert everything_of(a) == {ANY, "a", "a.id", "a.b_id", "b", "b.id", "b.a_id"}
    assert "c" not in everything_of(b)  # no ON DELETE action: a delete of b is refused, not cascaded
    assert everything_of(c) == {ANY, "c", "c.id", "c.b_id"}
