"""System users of a business, their apps and their tokens (seed, "Limits: System User"; docs/graph-facts.md
§7).

- ``POST /{business_id}/system_users`` (``name``, ``role`` ADMIN|EMPLOYEE, default EMPLOYEE) by a
  person who is an ADMIN of the business or by one of its admin system users → ``{"id"}``.
  How many a business may have follows the access level of the **calling app** (seed: "Can create
  1 system user and 1 admin system user" at Development, 3 + 1 at Basic, 10 + 1 at Standard):
  ``LevelLimits.system_users`` EMPLOYEE system users plus ``LevelLimits.admin_system_users`` ADMIN
  ones. One more is refused with the catalog's ``system_user_limit`` (code 100; Graph's own error
  for this is not documented).
- ``GET /{business_id}/system_users`` by anyone with a role in the business (or its system users).
- ``POST /{system_user_id}/applications`` (``business_app``) installs an app → ``{"success": true}``.
- ``POST /{system_user_id}/access_tokens`` (``business_app``, ``scope``,
  ``set_token_expires_in_60_days``), with ``appsecret_proof`` **required**, by a business admin,
  an admin system user or the system user itself → ``{"access_token"}``. The token never expires,
  or lasts 60 days on request. The proof is checked by the gate against the secret of the
  access token's app, so ``business_app`` must be that app. The app must be installed first.
- ``POST /{business_id}/system_user_access_tokens`` (``system_user_id``, ``scope``, …): the same,
  for the calling app.
- Both token edges take ``asset`` (``asset[]``, a JSON array or a comma list: the ad accounts and
  Pages of the business the token may touch; the gate refuses any other ad account with 200) and
  ``fetch_only`` (the newest valid token already made for the same app, scopes and assets, kept
  sealed for this, instead of a new one). An unknown permission in ``scope`` is 3962.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adgate import ids
from adgate import records as r
from adgate.policy.permissions import parse_scope, unknown_permissions
from adgate.policy.tokens import SYSTEM_USER_60_DAYS_SECONDS
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens.callers import Caller, find_by_digest
from adgate.store.interfaces import Repos, SealedToken


def _denied(detail: str) -> GraphError:
    return GraphError.of("permissions_error", detail=detail)


class SystemUsers:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def create(self, caller: Caller, business_id: str, name: str | None, role: str | None) -> str:
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise GraphError.invalid("name must be 1 to 200 characters")
        wanted = (role or "EMPLOYEE").upper()
        if wanted not in r.BUSINESS_ROLES:
            raise GraphError.invalid(f"role must be one of {', '.join(r.BUSINESS_ROLES)}")
        role_name: r.BusinessRole = "ADMIN" if wanted == "ADMIN" else "EMPLOYEE"
        limits = self.core.policy.limits_for(caller.app.access_level)
        cap = limits.admin_system_users if role_name == "ADMIN" else limits.system_users
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            await self._business(tx, business_id)
            await self._need_admin(tx, caller, business_id)
            user = r.SystemUser(ids.new_id(), business_id, name, role_name, now)
            # The store counts and adds in one step, so two creations at once cannot both take the
            # last place.
            if not await tx.system_users.add(user, limit=cap):
                count = await tx.system_users.count(business_id, role_name)
                what = "admin system user(s)" if role_name == "ADMIN" else "system user(s)"
                raise GraphError.of(
                    "system_user_limit", business_id=business_id, count=count, what=what, level=limits.title
                )
            await tx.nodes.add(user.id, "system_user")
        return user.id

    async def get(self, caller: Caller, system_user_id: str) -> r.SystemUser:
        """A system user, for an admin of its business (or the system user itself)."""
        async with self.core.db.transaction() as tx:
            user = await tx.system_users.get(system_user_id)
            if user is None:
                raise GraphError.of("unsupported_get", node=system_user_id)
            if caller.system_user is None or caller.system_user.id != user.id:
                await self._need_admin(tx, caller, user.business_id)
        return user

    async def rename(
        self, caller: Caller, system_user_id: str, name: str | None, *, business_id: str | None = None
    ) -> None:
        """A business admin renames a system user: ``POST /{business-id}/system_users`` with
        ``system_user_id`` and ``name`` (``business_id`` given: the user must be one of its), or
        ``POST /{system-user-id}`` with ``name``."""
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise GraphError.invalid("name must be 1 to 200 characters")
        if business_id is not None:
            await self.in_business(system_user_id, business_id)
        async with self.core.db.transaction() as tx:
            user = await self._system_user(tx, system_user_id)
            await self._need_admin(tx, caller, user.business_id)
            await tx.system_users.rename(user.id, name)

    async def list(self, caller: Caller, business_id: str) -> Sequence[r.SystemUser]:
        async with self.core.db.transaction() as tx:
            await self._business(tx, business_id)
            member = caller.system_user is not None and caller.system_user.business_id == business_id
            if not member and caller.kind == "user" and caller.person is not None:
                member = await tx.business_people.get(business_id, caller.person.id) is not None
            if not member:
                raise _denied(
                    f"Only people and system users of business {business_id} can list its system users"
                )
            return await tx.system_users.for_business(business_id)

    async def install(self, caller: Caller, system_user_id: str, app_id: str | None) -> None:
        async with self.core.db.transaction() as tx:
            user = await self._system_user(tx, system_user_id)
            await self._need_admin(tx, caller, user.business_id)
            app = await self._app(tx, app_id)
            await tx.system_users.install_app(user.id, app.id, self.core.now())

    async def issue_token(
        self,
        caller: Caller,
        system_user_id: str,
        app_id: str | None,
        scope: str | None,
        sixty_days: bool,
        *,
        assets: Sequence[str] | None = None,
        fetch_only: bool = False,
    ) -> str:
        """A token of the system user for the app (module docstring).

        ``assets``: the ad accounts and Pages of the business the token may touch (numeric ids,
        ``act_`` accepted; none given: every asset the system user reaches). ``fetch_only``: the
        system user's newest valid token for the same app, scopes and assets instead of a new one;
        none → code 100 (docs/graph-facts.md §7, our choice).
        """
        if not caller.proven:
            raise GraphError.of("proof_required")
        scopes = tuple(parse_scope(scope))
        if not scopes:
            raise GraphError.invalid("The parameter scope is required")
        unknown = unknown_permissions(scopes)
        if unknown:
            raise GraphError.of("invalid_permission", names=", ".join(unknown))
        wanted = _asset_ids(assets)
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            user = await self._system_user(tx, system_user_id)
            if caller.system_user_id != user.id:
                await self._need_admin(tx, caller, user.business_id)
            app = await self._app(tx, app_id)
            if app.id != caller.app.id:
                raise GraphError.invalid(
                    f"business_app must be the app of the access token ({caller.app.id}): the "
                    "appsecret_proof is made with that app's secret"
                )
            if app.id not in await tx.system_users.installed_apps(user.id):
                raise GraphError.invalid(
                    f"App {app.id} is not installed for system user {user.id}: "
                    f"POST /{user.id}/applications with business_app={app.id} first"
                )
            if wanted is not None:
                await self._assets_of_business(tx, wanted, user.business_id)
            key = tuple(sorted(scopes))
            if fetch_only:
                return await self._fetch(tx, user, app, key, wanted, now)
            raw, token = await self.core.issuer.issue(
                tx,
                kind="system_user",
                app=app,
                now=now,
                expires_at=now + SYSTEM_USER_60_DAYS_SECONDS if sixty_days else None,
                scopes=scopes,
                system_user_id=user.id,
                long_lived=True,
                assets=wanted,
            )
            sealed = self.core.keyring.seal_token(raw)
            await tx.sealed_tokens.add(SealedToken(token.digest, user.id, app.id, key, wanted, sealed, now))
        return raw

    async def _fetch(
        self,
        tx: Repos,
        user: r.SystemUser,
        app: r.App,
        scopes: tuple[str, ...],
        assets: tuple[str, ...] | None,
        now: int,
    ) -> str:
        for kept in await tx.sealed_tokens.matching(user.id, app.id, scopes, assets):
            presented = await find_by_digest(tx, kept.digest)
            if presented is not None and presented.verdict(now) is None:
                return self.core.keyring.unseal_token(kept.sealed)
        what = f"scope {','.join(scopes)}" + (f" and asset {','.join(assets)}" if assets else "")
        raise GraphError.invalid(
            f"System user {user.id} has no valid token for app {app.id} with {what} to fetch: "
            "ask without fetch_only to make one"
        )

    @staticmethod
    async def _assets_of_business(tx: Repos, assets: tuple[str, ...], business_id: str) -> None:
        """Each asset must be an ad account or a Page of the system user's business (200 otherwise,
        naming only the id: whether it exists elsewhere is not the caller's to learn)."""
        for asset in assets:
            account = await tx.ad_accounts.get(asset)
            owner = account.business_id if account is not None else None
            if account is None:
                page = await tx.pages.get(asset)
                owner = page.business_id if page is not None else None
            if owner != business_id:
                raise _denied(f"Asset {asset} is not an ad account or Page of business {business_id}")

    async def in_business(self, system_user_id: str, business_id: str) -> None:
        """``POST /{business_id}/system_user_access_tokens`` names one of the business's system users."""
        async with self.core.db.transaction() as tx:
            user = await tx.system_users.get(system_user_id) if ids.is_numeric_id(system_user_id) else None
        if user is None or user.business_id != business_id:
            raise GraphError.invalid(
                f"{system_user_id[:32]!r} is not a system user of business {business_id}"
            )

    # --- checks ---------------------------------------------------------------------------------
    @staticmethod
    async def _business(tx: Repos, business_id: str) -> r.Business:
        business = await tx.businesses.get(business_id)
        if business is None:
            raise GraphError.of("unsupported_get", node=business_id)
        return business

    @staticmethod
    async def _system_user(tx: Repos, system_user_id: str) -> r.SystemUser:
        user = await tx.system_users.get(system_user_id)
        if user is None:
            raise GraphError.of("unsupported_post", node=system_user_id)
        return user

    @staticmethod
    async def _app(tx: Repos, app_id: str | None) -> r.App:
        if not app_id:
            raise GraphError.invalid("The parameter business_app is required")
        app = await tx.apps.get(app_id) if ids.is_numeric_id(app_id) else None
        if app is None:
            raise GraphError.invalid(f"business_app {app_id[:32]!r} is not an app")
        return app

    @staticmethod
    async def _need_admin(tx: Repos, caller: Caller, business_id: str) -> None:
        """docs/graph-facts.md §7: a business admin (a person) or an admin system user of the business."""
        user = caller.system_user
        if user is not None and user.business_id == business_id and user.role == "ADMIN":
            return
        if caller.kind == "user" and caller.person is not None:
            role = await tx.business_people.get(business_id, caller.person.id)
            if role is not None and role.role == "ADMIN":
                return
        raise _denied(f"Only an admin of business {business_id} or one of its admin system users can do this")


def _asset_ids(assets: Sequence[str] | None) -> tuple[str, ...] | None:
    """``asset`` as given (``act_`` accepted) → sorted numeric ids; none given → ``None``."""
    if not assets:
        return None
    found: set[str] = set()
    for raw in assets:
        asset = raw.strip()
        asset = asset[4:] if asset.lower().startswith("act_") else asset
        if not ids.is_numeric_id(asset):
            raise GraphError.invalid(
                f"Param asset must be an array of ad account or Page ids, got {raw[:32]!r}"
            )
        found.add(asset)
    return tuple(sorted(found))


def system_user_json(user: r.SystemUser) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "role": user.role}
