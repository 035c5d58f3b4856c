"""Tokens minted by the sandbox without the login dialog, for tests and scripts.

A minted user token is exactly what the dialog and the code exchange would have produced: the
grants and the authorization are recorded the same way (:func:`record_authorization`), so every
invalidation, permission and access-level rule applies to it unchanged. A minted page token is
what ``/me/accounts`` hands out after such a login; a minted system-user token is what
``POST /{system_user}/access_tokens`` gives once the app is installed for the system user.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adgate import records as r
from adgate.policy.permissions import DEFAULT_PERMISSIONS, unknown_permissions
from adgate.policy.tokens import SYSTEM_USER_60_DAYS_SECONDS, expires_in, page_token_expires_at
from adgate.policy.validity import PAGE_TOKEN_ROLES
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens.callers import issue_long_lived_user_token, issue_short_lived_user_token
from adgate.services.tokens.grants import record_authorization
from adgate.store.interfaces import Repos


class Minting:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def user_token(
        self, app_id: str, person_id: str, scopes: Sequence[str], *, long_lived: bool = True
    ) -> dict[str, Any]:
        _known(scopes)
        granted = tuple(dict.fromkeys((*DEFAULT_PERMISSIONS, *scopes)))
        now = self.core.now()
        issue = issue_long_lived_user_token if long_lived else issue_short_lived_user_token
        async with self.core.db.transaction() as tx:
            app, person = await _app_and_person(tx, app_id, person_id)
            await record_authorization(tx, app.id, person.id, dict.fromkeys(granted, "granted"), now)
            raw, lifetime = await issue(tx, app, person, granted, now, issuer=self.core.issuer)
        return {"access_token": raw, "token_type": "bearer", "expires_in": lifetime}

    async def page_token(
        self,
        app_id: str,
        person_id: str,
        page_id: str,
        *,
        long_lived: bool = True,
        scopes: Sequence[str] = (),
    ) -> dict[str, Any]:
        """A page token as ``/me/accounts`` hands it out; the person needs a role on the page.

        ``scopes`` are granted first, as a login that asked for them would; the page token carries
        every permission the person has granted the app.
        """
        _known(scopes)
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            app, person = await _app_and_person(tx, app_id, person_id)
            if await tx.pages.get(page_id) is None:
                raise GraphError.of("not_found", node=page_id)
            role = await tx.page_roles.get(page_id, person.id)
            if role is None or role.role not in PAGE_TOKEN_ROLES:
                raise GraphError.invalid(
                    f"Person {person.id} has no role on page {page_id} that can take a page token"
                )
            authorization = await tx.grants.authorization(app.id, person.id)
            if scopes or authorization is None or authorization.deauthorized_at is not None:
                granted: dict[str, r.GrantStatus] = dict.fromkeys((*DEFAULT_PERMISSIONS, *scopes), "granted")
                await record_authorization(tx, app.id, person.id, granted, now)
            scopes = tuple(
                g.permission for g in await tx.grants.for_person(app.id, person.id) if g.status == "granted"
            )
            expires_at = page_token_expires_at(long_lived, now)
            raw, _token = await self.core.issuer.issue(
                tx,
                kind="page",
                app=app,
                person=person,
                page_id=page_id,
                now=now,
                expires_at=expires_at,
                scopes=scopes,
                long_lived=long_lived,
            )
        body: dict[str, Any] = {"access_token": raw, "token_type": "bearer"}
        left = expires_in(expires_at, now)
        if left is not None:
            body["expires_in"] = left
        return body

    async def system_user_token(
        self, app_id: str, system_user_id: str, scopes: Sequence[str], *, sixty_days: bool = False
    ) -> dict[str, Any]:
        """A system user's token for the app, installing the app for it first if it is not yet.

        It never expires, or lasts 60 days with ``sixty_days`` (Graph's
        ``set_token_expires_in_60_days``).
        """
        if not scopes:
            raise GraphError.invalid("scopes must name at least one permission")
        _known(scopes)
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            app = await tx.apps.get(app_id)
            if app is None:
                raise GraphError.of("not_found", node=app_id)
            user = await tx.system_users.get(system_user_id)
            if user is None:
                raise GraphError.of("not_found", node=system_user_id)
            await tx.system_users.install_app(user.id, app.id, now)
            expires_at = now + SYSTEM_USER_60_DAYS_SECONDS if sixty_days else None
            raw, _token = await self.core.issuer.issue(
                tx,
                kind="system_user",
                app=app,
                now=now,
                expires_at=expires_at,
                scopes=tuple(dict.fromkeys(scopes)),
                system_user_id=user.id,
                long_lived=True,
            )
        body: dict[str, Any] = {"access_token": raw, "token_type": "bearer"}
        left = expires_in(expires_at, now)
        if left is not None:
            body["expires_in"] = left
        return body


def _known(scopes: Sequence[str]) -> None:
    unknown = unknown_permissions(scopes)
    if unknown:
        raise GraphError.invalid(f"Unknown permission(s): {', '.join(unknown)}")


async def _app_and_person(tx: Repos, app_id: str, person_id: str) -> tuple[r.App, r.Person]:
    app = await tx.apps.get(app_id)
    if app is None:
        raise GraphError.of("not_found", node=app_id)
    person = await tx.people.get(person_id)
    if person is None:
        raise GraphError.of("not_found", node=person_id)
    return app, person
