"""SQL repositories for the gate: the app's account list and its daily usage counts.

The account list is the seed's "Managing Account Lists"; the daily counts feed the Basic review
("at least 1000 API calls with an error rate of less than 10% in the last 30 days") and the
consoles. Both tables come from migration 0002.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from adgate.store import tables as t
from adgate.store.interfaces import AddOutcome, ListedAccount, UsageCount
from adgate.store.sql.world import _Repo

#: Is this account in the app's list: every uncached gate call at a level with a list.
_LISTED = select(t.account_lists.c.app_id).where(
    t.account_lists.c.app_id == bindparam("app_id"),
    t.account_lists.c.ad_account_id == bindparam("ad_account_id"),
)


class SqlAccountLists(_Repo):
    async def list(self, app_id: str) -> Sequence[ListedAccount]:
        c = t.account_lists.c
        stmt = select(t.account_lists).where(c.app_id == app_id).order_by(c.added_at, c.ad_account_id)
        return [
            ListedAccount(row["app_id"], row["ad_account_id"], row["source"], int(row["added_at"]))
            for row in await self._all(stmt)
        ]

    async def count(self, app_id: str) -> int:
        c = t.account_lists.c
        stmt = select(func.count()).select_from(t.account_lists).where(c.app_id == app_id)
        return int((await self.conn.execute(stmt)).scalar_one())

    async def contains(self, app_id: str, ad_account_id: str) -> bool:
        return await self._one(_LISTED, {"app_id": app_id, "ad_account_id": ad_account_id}) is not None

    async def add(
        self, app_id: str, ad_account_id: str, *, source: str, now: int, limit: int | None
    ) -> AddOutcome:
        # Two calls against two new accounts at once must not both take the last place. The app row
        # is the lock: PostgreSQL queues the second transaction on FOR UPDATE until the first
        # commits (READ COMMITTED then re-reads the count); SQLite runs every transaction under
        # BEGIN IMMEDIATE, already one writer at a time, and ignores FOR UPDATE.
        await self.conn.execute(select(t.apps.c.id).where(t.apps.c.id == app_id).with_for_update())
        if await self.contains(app_id, ad_account_id):
            return "present"
        if limit is not None and await self.count(app_id) >= limit:
            return "full"
        await self.conn.execute(
            insert(t.account_lists).values(
                app_id=app_id, ad_account_id=ad_account_id, source=source, added_at=now
            )
        )
        return "added"

    async def remove(self, app_id: str, ad_account_id: str) -> bool:
        c = t.account_lists.c
        done = await self.conn.execute(
            delete(t.account_lists).where(c.app_id == app_id, c.ad_account_id == ad_account_id)
        )
        return bool(done.rowcount)


class SqlUsage(_Repo):
    async def add_counts(self, counts: Sequence[UsageCount]) -> int:
        merged: dict[tuple[str, int, str], int] = {}
        for item in counts:
            key = (item.app_id, item.day, item.klass)
            merged[key] = merged.get(key, 0) + item.count
        if not merged:
            return 0
        app_ids = sorted({key[0] for key in merged})
        known = {row["id"] for row in await self._all(select(t.apps.c.id).where(t.apps.c.id.in_(app_ids)))}
        values = [
            {"app_id": app_id, "day": day, "klass": klass, "count": count}
            for (app_id, day, klass), count in sorted(merged.items())
            if app_id in known and count
        ]
        if not values:
            return 0
        # One statement, an increment on conflict: several server nodes flushing the same
        # (app, day, class) add up instead of overwriting each other.
        stmt: Any = (pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert)(t.usage_daily)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.usage_daily.c.app_id, t.usage_daily.c.day, t.usage_daily.c.klass],
            set_={"count": t.usage_daily.c.count + stmt.excluded["count"]},
        )
        await self.conn.execute(stmt, values)
        return len(values)

    async def for_app(self, app_id: str, first_day: int, last_day: int) -> Sequence[UsageCount]:
        c = t.usage_daily.c
        stmt = (
            select(t.usage_daily)
            .where(c.app_id == app_id, c.day >= first_day, c.day <= last_day)
            .order_by(c.day, c.klass)
        )
        return [
            UsageCount(row["app_id"], int(row["day"]), row["klass"], int(row["count"]))
            for row in await self._all(stmt)
        ]

    async def app_users(self, app_id: str) -> int:
        c = t.authorizations.c
        stmt = (
            select(func.count())
            .select_from(t.authorizations)
            .where(c.app_id == app_id, c.deauthorized_at.is_(None))
        )
        return int((await self.conn.execute(stmt)).scalar_one())
