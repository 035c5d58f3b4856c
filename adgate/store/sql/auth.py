"""SQL repositories for authorization: tokens, codes, grants, system users."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, select, update

from adgate import records as r
from adgate.store import tables as t
from adgate.store.interfaces import SealedToken
from adgate.store.sql import rows
from adgate.store.sql.world import _Repo, by_key_of

#: A person's grants to an app, every uncached gate call (built once, see ``by_key``).
_GRANTS_OF = by_key_of(t.grants, "app_id", "person_id").order_by(t.grants.c.permission)

#: Lock a business row for this transaction: ``FOR NO KEY UPDATE`` on PostgreSQL, nothing on SQLite.
_LOCK_BUSINESS = (
    select(t.businesses.c.id).where(t.businesses.c.id == bindparam("id")).with_for_update(key_share=True)
)


#: Built once: a statement built per call costs more than SQLite's work on it (see by_key).
_INSERT_TOKEN = insert(t.tokens)
_INSERT_CODE = insert(t.auth_codes)
_MARK_USED = (
    update(t.auth_codes)
    .where(t.auth_codes.c.digest == bindparam("code_digest"), t.auth_codes.c.used_at.is_(None))
    .values(used_at=bindparam("now"))
)
_USE = _MARK_USED.returning(*t.auth_codes.c)


#: A person and their authorization of an app (``LEFT JOIN``: None if they never authorized it).
_AUTHORIZATION_REST = ("authorized_at", "last_active_at", "deauthorized_at")
_AUTHORIZED_PERSON = (
    select(
        t.people,
        t.authorizations.c.app_id.label("authorized_app_id"),
        *(t.authorizations.c[name].label(f"authorized_{name}") for name in _AUTHORIZATION_REST),
    )
    .select_from(
        t.people.outerjoin(
            t.authorizations,
            (t.authorizations.c.person_id == t.people.c.id)
            & (t.authorizations.c.app_id == bindparam("app_id")),
        )
    )
    .where(t.people.c.id == bindparam("person_id"))
)


class SqlTokens(_Repo):
    async def add(self, token: r.Token) -> None:
        await self.conn.execute(_INSERT_TOKEN, rows.values_of(token))

    async def get(self, digest: str) -> r.Token | None:
        row = await self._one(by_key_of(t.tokens, "digest"), {"digest": digest})
        return None if row is None else rows.token(row)

    async def revoke(self, digest: str, now: int, reason: str) -> bool:
        done = await self.conn.execute(
            update(t.tokens)
            .where(t.tokens.c.digest == digest, t.tokens.c.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        )
        return bool(done.rowcount)

    async def revoke_where(
        self,
        now: int,
        reason: str,
        *,
        app_id: str | None = None,
        person_id: str | None = None,
        page_id: str | None = None,
        code_digest: str | None = None,
        kind: str | None = None,
    ) -> Sequence[str]:
        c = t.tokens.c
        conditions: list[ColumnElement[bool]] = [c.revoked_at.is_(None)]
        for column, value in (
            (c.app_id, app_id),
            (c.person_id, person_id),
            (c.page_id, page_id),
            (c.code_digest, code_digest),
            (c.kind, kind),
        ):
            if value is not None:
                conditions.append(column == value)
        if len(conditions) == 1:
            raise ValueError("revoke_where needs at least one filter")
        digests = [row["digest"] for row in await self._all(select(c.digest).where(*conditions))]
        if digests:
            await self.conn.execute(
                update(t.tokens)
                .where(c.digest.in_(digests), c.revoked_at.is_(None))
                .values(revoked_at=now, revoked_reason=reason)
            )
        return digests

    async def count(self) -> int:
        return int((await self.conn.execute(select(func.count()).select_from(t.tokens))).scalar_one())


class SqlSealedTokens(_Repo):
    async def add(self, token: SealedToken) -> None:
        values = rows.values_of(token)
        await self.conn.execute(insert(t.sealed_system_user_tokens).values(**values))

    async def matching(
        self, system_user_id: str, app_id: str, scopes: tuple[str, ...], assets: tuple[str, ...] | None
    ) -> Sequence[SealedToken]:
        c, tok = t.sealed_system_user_tokens.c, t.tokens.c
        stmt = (
            select(t.sealed_system_user_tokens)
            .join(t.tokens, tok.digest == c.digest)
            .where(
                c.system_user_id == system_user_id,
                c.app_id == app_id,
                c.scopes == ",".join(scopes),
                c.assets.is_(None) if assets is None else c.assets == ",".join(assets),
                tok.revoked_at.is_(None),
            )
            .order_by(c.issued_at.desc(), c.digest)
        )
        return [rows.sealed_token(row) for row in await self._all(stmt)]


class SqlCodes(_Repo):
    async def add(self, code: r.AuthCode) -> None:
        await self.conn.execute(_INSERT_CODE, rows.values_of(code))

    async def get(self, digest: str) -> r.AuthCode | None:
        row = await self._one(by_key_of(t.auth_codes, "digest"), {"digest": digest})
        return None if row is None else rows.code(row)

    async def mark_used(self, digest: str, now: int) -> bool:
        # One conditional UPDATE: of two concurrent exchanges of the same code, exactly one wins.
        done = await self.conn.execute(_MARK_USED, {"code_digest": digest, "now": now})
        return bool(done.rowcount)

    async def use(self, digest: str, now: int) -> r.AuthCode | None:
        # The conditional UPDATE of mark_used, returning the row: the SELECT before it is saved.
        row = await self._one(_USE, {"code_digest": digest, "now": now})
        return None if row is None else rows.code(row)

    async def expire_for(self, person_id: str, now: int, *, app_id: str | None = None) -> int:
        c = t.auth_codes.c
        stmt = (
            update(t.auth_codes)
            .where(c.person_id == person_id, c.used_at.is_(None), c.expires_at > now)
            .values(expires_at=now)
        )
        if app_id is not None:
            stmt = stmt.where(c.app_id == app_id)
        return int((await self.conn.execute(stmt)).rowcount)


class SqlGrants(_Repo):
    async def set(self, grant: r.Grant) -> None:
        c = t.grants.c
        done = await self.conn.execute(
            update(t.grants)
            .where(c.app_id == grant.app_id, c.person_id == grant.person_id, c.permission == grant.permission)
            .values(status=grant.status, updated_at=grant.updated_at)
        )
        if done.rowcount == 0:
            await self.conn.execute(insert(t.grants).values(**rows.values_of(grant)))

    async def for_person(self, app_id: str, person_id: str) -> Sequence[r.Grant]:
        found = await self.conn.execute(_GRANTS_OF, {"app_id": app_id, "person_id": person_id})
        return [rows.plain(r.Grant, row) for row in found.mappings().all()]

    async def remove(self, app_id: str, person_id: str, permission: str | None = None) -> int:
        c = t.grants.c
        stmt = delete(t.grants).where(c.app_id == app_id, c.person_id == person_id)
        if permission is not None:
            stmt = stmt.where(c.permission == permission)
        return int((await self.conn.execute(stmt)).rowcount)

    async def authorization(self, app_id: str, person_id: str) -> r.Authorization | None:
        stmt = by_key_of(t.authorizations, "app_id", "person_id")
        row = await self._one(stmt, {"app_id": app_id, "person_id": person_id})
        return None if row is None else rows.plain(r.Authorization, row)

    async def authorized_person(
        self, app_id: str, person_id: str
    ) -> tuple[r.Person, r.Authorization | None] | None:
        row = await self._one(_AUTHORIZED_PERSON, {"app_id": app_id, "person_id": person_id})
        if row is None:
            return None
        if row["authorized_app_id"] is None:
            return rows.person(row), None
        rest = (row[f"authorized_{name}"] for name in _AUTHORIZATION_REST)
        return rows.person(row), r.Authorization(app_id, person_id, *rest)

    async def set_authorization(self, authorization: r.Authorization) -> None:
        c = t.authorizations.c
        values = rows.values_of(authorization)
        done = await self.conn.execute(
            update(t.authorizations)
            .where(c.app_id == authorization.app_id, c.person_id == authorization.person_id)
            .values(**values)
        )
        if done.rowcount == 0:
            await self.conn.execute(insert(t.authorizations).values(**values))


class SqlSystemUsers(_Repo):
    async def add(self, user: r.SystemUser, *, limit: int | None = None) -> bool:
        if limit is not None:
            # Two creations at once must not both take the last place (count, then insert). The
            # business row is the lock, as the app row is for account lists (adgate.store.sql.gate):
            # PostgreSQL queues the second transaction on it until the first commits, and READ
            # COMMITTED then counts afresh; SQLite runs every transaction under BEGIN IMMEDIATE,
            # already one writer at a time, and ignores the clause. NO KEY UPDATE rather than UPDATE:
            # it queues the creators just the same, but not the inserts elsewhere whose foreign key
            # checks take KEY SHARE on the business row (its ad accounts, pages and apps).
            await self.conn.execute(_LOCK_BUSINESS, {"id": user.business_id})
            if await self.count(user.business_id, user.role) >= limit:
                return False
        await self.conn.execute(insert(t.system_users).values(**rows.values_of(user)))
        return True

    async def count(self, business_id: str, role: r.BusinessRole) -> int:
        c = t.system_users.c
        stmt = (
            select(func.count())
            .select_from(t.system_users)
            .where(c.business_id == business_id, c.role == role)
        )
        return int((await self.conn.execute(stmt)).scalar_one())

    async def get(self, system_user_id: str) -> r.SystemUser | None:
        row = await self._one(by_key_of(t.system_users, "id"), {"id": system_user_id})
        return None if row is None else rows.plain(r.SystemUser, row)

    async def rename(self, system_user_id: str, name: str) -> None:
        c = t.system_users.c
        await self.conn.execute(update(t.system_users).where(c.id == system_user_id).values(name=name))

    async def for_business(self, business_id: str) -> Sequence[r.SystemUser]:
        c = t.system_users.c
        stmt = select(t.system_users).where(c.business_id == business_id).order_by(c.created_at, c.id)
        return [rows.plain(r.SystemUser, row) for row in await self._all(stmt)]

    async def install_app(self, system_user_id: str, app_id: str, now: int) -> None:
        c = t.system_user_apps.c
        row = await self._one(select(c.app_id).where(c.system_user_id == system_user_id, c.app_id == app_id))
        if row is None:
            await self.conn.execute(
                insert(t.system_user_apps).values(
                    system_user_id=system_user_id, app_id=app_id, installed_at=now
                )
            )

    async def installed_apps(self, system_user_id: str) -> Sequence[str]:
        c = t.system_user_apps.c
        stmt = select(c.app_id).where(c.system_user_id == system_user_id).order_by(c.app_id)
        return [row["app_id"] for row in await self._all(stmt)]
