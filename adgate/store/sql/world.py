"""SQL repositories for the world: nodes, people, businesses, ad accounts, pages, apps, roles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adgate import records as r
from adgate.store import tables as t
from adgate.store.interfaces import SystemUserAdAccount
from adgate.store.sql import rows


def by_key(table: Table, *columns: str) -> Select[Any]:
    """``SELECT * FROM table WHERE column = :column AND …``, built once.

    For the point lookups the gate makes on every call its read cache misses: a statement built
    once keeps its SQLAlchemy cache key, which rebuilding it per call would compute again (about
    a third of the cost of a lookup).
    """
    return select(table).where(*(table.c[name] == bindparam(name) for name in columns))


_BY_KEY: dict[tuple[str, tuple[str, ...]], Select[Any]] = {}


def by_key_of(table: Table, *columns: str) -> Select[Any]:
    """:func:`by_key`, kept per table and columns."""
    key = (table.name, columns)
    stmt = _BY_KEY.get(key)
    if stmt is None:
        stmt = _BY_KEY[key] = by_key(table, *columns)
    return stmt


class _Repo:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _one(self, stmt: Any, params: dict[str, Any] | None = None) -> Any:
        return (await self.conn.execute(stmt, params)).mappings().first()

    async def _all(self, stmt: Any) -> Sequence[Any]:
        return (await self.conn.execute(stmt)).mappings().all()


#: Built once, as by_key's statements are.
_INSERT_NODE = insert(t.nodes)


class SqlNodes(_Repo):
    async def add(self, node_id: str, kind: str) -> None:
        await self.conn.execute(_INSERT_NODE, {"id": node_id, "kind": kind})

    async def kind_of(self, node_id: str) -> str | None:
        row = await self._one(select(t.nodes.c.kind).where(t.nodes.c.id == node_id))
        return None if row is None else str(row["kind"])


class SqlMeta(_Repo):
    async def get(self, key: str) -> str | None:
        row = await self._one(select(t.meta.c.value).where(t.meta.c.key == key))
        return None if row is None else str(row["value"])

    async def set(self, key: str, value: str) -> None:
        done = await self.conn.execute(update(t.meta).where(t.meta.c.key == key).values(value=value))
        if done.rowcount == 0:
            await self.conn.execute(insert(t.meta).values(key=key, value=value))


class SqlPeople(_Repo):
    async def add(self, person: r.Person) -> None:
        await self.conn.execute(insert(t.people).values(**rows.values_of(person)))

    async def get(self, person_id: str) -> r.Person | None:
        row = await self._one(by_key_of(t.people, "id"), {"id": person_id})
        return None if row is None else rows.person(row)

    async def by_email(self, email: str) -> r.Person | None:
        row = await self._one(select(t.people).where(t.people.c.email == email.strip().lower()))
        return None if row is None else rows.person(row)

    async def list(self) -> Sequence[r.Person]:
        return [rows.person(row) for row in await self._all(select(t.people).order_by(t.people.c.created_at))]

    async def set_password(self, person_id: str, password_hash: str) -> r.Person | None:
        await self.conn.execute(
            update(t.people)
            .where(t.people.c.id == person_id)
            .values(password_hash=password_hash, password_epoch=t.people.c.password_epoch + 1)
        )
        return await self.get(person_id)

    async def rehash(self, person_id: str, old_hash: str, new_hash: str) -> None:
        await self.conn.execute(
            update(t.people)
            .where(t.people.c.id == person_id, t.people.c.password_hash == old_hash)
            .values(password_hash=new_hash)
        )

    async def bump_session(self, person_id: str) -> r.Person | None:
        await self.conn.execute(
            update(t.people)
            .where(t.people.c.id == person_id)
            .values(session_epoch=t.people.c.session_epoch + 1)
        )
        return await self.get(person_id)

    async def set_reviewer(self, person_id: str, is_reviewer: bool) -> None:
        await self.conn.execute(
            update(t.people).where(t.people.c.id == person_id).values(is_reviewer=is_reviewer)
        )


class SqlRoles(_Repo):
    def __init__(self, conn: AsyncConnection, table: Table) -> None:
        super().__init__(conn)
        self.table = table

    async def set(self, role: r.Role) -> None:
        c = self.table.c
        done = await self.conn.execute(
            update(self.table)
            .where(c.object_id == role.object_id, c.person_id == role.person_id)
            .values(role=role.role)
        )
        if done.rowcount == 0:
            await self.conn.execute(insert(self.table).values(**rows.values_of(role)))

    async def remove(self, object_id: str, person_id: str) -> bool:
        c = self.table.c
        done = await self.conn.execute(
            delete(self.table).where(c.object_id == object_id, c.person_id == person_id)
        )
        return bool(done.rowcount)

    async def get(self, object_id: str, person_id: str) -> r.Role | None:
        stmt = by_key_of(self.table, "object_id", "person_id")
        row = await self._one(stmt, {"object_id": object_id, "person_id": person_id})
        return None if row is None else rows.plain(r.Role, row)

    async def for_object(self, object_id: str) -> Sequence[r.Role]:
        stmt = select(self.table).where(self.table.c.object_id == object_id).order_by(self.table.c.person_id)
        return [rows.plain(r.Role, row) for row in await self._all(stmt)]

    async def for_person(self, person_id: str) -> Sequence[r.Role]:
        stmt = select(self.table).where(self.table.c.person_id == person_id).order_by(self.table.c.object_id)
        return [rows.plain(r.Role, row) for row in await self._all(stmt)]


class _Entities(_Repo):
    """Add/get/list for a table whose rows map one to one onto a record."""

    table: Table
    record: type

    async def add(self, item: Any) -> None:
        await self.conn.execute(insert(self.table).values(**rows.values_of(item)))

    async def get(self, item_id: str) -> Any:
        row = await self._one(by_key_of(self.table, "id"), {"id": item_id})
        return None if row is None else rows.plain(self.record, row)

    async def list(self) -> Sequence[Any]:
        stmt = select(self.table).order_by(self.table.c.created_at, self.table.c.id)
        return [rows.plain(self.record, row) for row in await self._all(stmt)]


class SqlBusinesses(_Entities):
    table = t.businesses
    record = r.Business


class SqlPages(_Entities):
    table = t.pages
    record = r.Page

    async def set_business(self, page_id: str, business_id: str | None) -> bool:
        done = await self.conn.execute(
            update(t.pages).where(t.pages.c.id == page_id).values(business_id=business_id)
        )
        return bool(done.rowcount)


class SqlAdAccounts(_Entities):
    table = t.ad_accounts
    record = r.AdAccount

    async def list(self, business_id: str | None = None) -> Sequence[r.AdAccount]:
        stmt = select(t.ad_accounts).order_by(t.ad_accounts.c.created_at, t.ad_accounts.c.id)
        if business_id is not None:
            stmt = stmt.where(t.ad_accounts.c.business_id == business_id)
        return [rows.plain(r.AdAccount, row) for row in await self._all(stmt)]

    async def rename(self, account_id: str, name: str) -> bool:
        done = await self.conn.execute(
            update(t.ad_accounts).where(t.ad_accounts.c.id == account_id).values(name=name)
        )
        return bool(done.rowcount)

    async def set_business(self, account_id: str, business_id: str | None) -> bool:
        done = await self.conn.execute(
            update(t.ad_accounts).where(t.ad_accounts.c.id == account_id).values(business_id=business_id)
        )
        return bool(done.rowcount)


class SqlSystemUserAdAccounts(_Repo):
    """Ad accounts assigned to system users (:class:`adgate.store.interfaces.SystemUserAdAccountRepo`)."""

    async def set(self, assignment: SystemUserAdAccount) -> None:
        c = t.system_user_ad_accounts.c
        done = await self.conn.execute(
            update(t.system_user_ad_accounts)
            .where(c.ad_account_id == assignment.ad_account_id, c.system_user_id == assignment.system_user_id)
            .values(role=assignment.role)
        )
        if done.rowcount == 0:
            await self.conn.execute(insert(t.system_user_ad_accounts).values(**rows.values_of(assignment)))

    async def get(self, ad_account_id: str, system_user_id: str) -> SystemUserAdAccount | None:
        stmt = by_key_of(t.system_user_ad_accounts, "ad_account_id", "system_user_id")
        row = await self._one(stmt, {"ad_account_id": ad_account_id, "system_user_id": system_user_id})
        return None if row is None else rows.plain(SystemUserAdAccount, row)

    async def remove(self, ad_account_id: str, system_user_id: str) -> bool:
        c = t.system_user_ad_accounts.c
        done = await self.conn.execute(
            delete(t.system_user_ad_accounts).where(
                c.ad_account_id == ad_account_id, c.system_user_id == system_user_id
            )
        )
        return bool(done.rowcount)

    async def for_account(self, ad_account_id: str) -> Sequence[SystemUserAdAccount]:
        c = t.system_user_ad_accounts.c
        stmt = (
            select(t.system_user_ad_accounts)
            .where(c.ad_account_id == ad_account_id)
            .order_by(c.system_user_id)
        )
        return [rows.plain(SystemUserAdAccount, row) for row in await self._all(stmt)]

    async def for_system_user(self, system_user_id: str) -> Sequence[SystemUserAdAccount]:
        c = t.system_user_ad_accounts.c
        stmt = (
            select(t.system_user_ad_accounts)
            .where(c.system_user_id == system_user_id)
            .order_by(c.ad_account_id)
        )
        return [rows.plain(SystemUserAdAccount, row) for row in await self._all(stmt)]

    async def remove_for_account(self, ad_account_id: str) -> int:
        c = t.system_user_ad_accounts.c
        done = await self.conn.execute(
            delete(t.system_user_ad_accounts).where(c.ad_account_id == ad_account_id)
        )
        return int(done.rowcount or 0)


class SqlApps(_Repo):
    async def add(self, app: r.App) -> None:
        await self.conn.execute(insert(t.apps).values(**rows.app_values(app)))

    async def get(self, app_id: str) -> r.App | None:
        row = await self._one(by_key_of(t.apps, "id"), {"id": app_id})
        return None if row is None else rows.app(row)

    async def list(self) -> Sequence[r.App]:
        return [rows.app(row) for row in await self._all(select(t.apps).order_by(t.apps.c.created_at))]

    async def update(self, app: r.App) -> None:
        values = rows.app_values(app)
        values.pop("id")
        await self.conn.execute(update(t.apps).where(t.apps.c.id == app.id).values(**values))
