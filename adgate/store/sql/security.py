"""The login throttle's failures and the browser sessions, in SQL (see :mod:`adgate.store.tables`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select

from adgate.store import tables as t
from adgate.store.interfaces import BrowserSession
from adgate.store.sql.world import _Repo


class SqlLoginFailures(_Repo):
    async def since(self, keys: Sequence[str], after: int) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {key: [] for key in keys}
        table = t.login_failures
        rows = await self._all(
            select(table.c.key, table.c.failed_at)
            .where(table.c.key.in_(list(keys)), table.c.failed_at > after)
            .order_by(table.c.failed_at, table.c.id)
        )
        for row in rows:
            found[row["key"]].append(int(row["failed_at"]))
        return found

    async def add(self, keys: Sequence[str], at: int) -> None:
        await self.conn.execute(insert(t.login_failures), [{"key": key, "failed_at": at} for key in keys])

    async def forget(self, key: str) -> None:
        await self.conn.execute(delete(t.login_failures).where(t.login_failures.c.key == key))

    async def prune(self, before: int) -> None:
        await self.conn.execute(delete(t.login_failures).where(t.login_failures.c.failed_at <= before))

    async def clear(self) -> None:
        await self.conn.execute(delete(t.login_failures))


class SqlBrowserSessions(_Repo):
    async def add(self, id_digest: str, person_id: str | None, created_at: int, expires_at: int) -> None:
        await self.conn.execute(
            insert(t.browser_sessions).values(
                id_digest=id_digest, person_id=person_id, created_at=created_at, expires_at=expires_at
            )
        )

    async def find(self, id_digest: str, now: int) -> BrowserSession | None:
        table = t.browser_sessions
        row = await self._one(
            select(table.c.person_id).where(table.c.id_digest == id_digest, table.c.expires_at > now)
        )
        return None if row is None else BrowserSession(row["person_id"])

    async def end(self, id_digests: Sequence[str]) -> None:
        table = t.browser_sessions
        await self.conn.execute(delete(table).where(table.c.id_digest.in_(list(id_digests))))

    async def end_all(self, person_id: str) -> None:
        await self.conn.execute(delete(t.browser_sessions).where(t.browser_sessions.c.person_id == person_id))

    async def prune(self, now: int) -> None:
        await self.conn.execute(delete(t.browser_sessions).where(t.browser_sessions.c.expires_at <= now))
