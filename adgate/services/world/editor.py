"""The world: people, businesses, ad accounts, pages, apps and the roles between them.

Used by the sandbox control API and CLI, the demo seed, the pytest fixture and the consoles.
Every input is validated here and refused with a code-100 Graph error that says what is wrong.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from adgate import ids
from adgate import records as r
from adgate.policy.urls import url_problem
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.dialog.browser_sessions import BrowserSessions
from adgate.services.dialog.login_throttle import Lock, LoginThrottle
from adgate.store.interfaces import DuplicateError, Repos, RoleRepo

T = TypeVar("T")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _name(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > 200:
        raise GraphError.invalid(f"{what} must be 1 to 200 characters")
    return value


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise GraphError.invalid(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def new_app_secret() -> str:
    """32 hexadecimal characters, like a Graph app secret."""
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class SignedIn:
    person: r.Person


@dataclass(frozen=True, slots=True)
class WrongPassword:
    pass


SignInResult = SignedIn | WrongPassword | Lock


class World:
    def __init__(self, core: Core) -> None:
        self.core = core
        #: The one login throttle: every password check goes through :meth:`sign_in`.
        self.throttle = LoginThrottle(core.db, core.keyring)
        #: Browser sessions on the server: a password change and a log-out everywhere end them.
        self.sessions = BrowserSessions(core)

    # --- people ---------------------------------------------------------------------------
    async def create_person(
        self, name: str, email: str, password: str, *, is_reviewer: bool = False
    ) -> r.Person:
        email = (email or "").strip().lower()
        if not _EMAIL.match(email) or len(email) > 320:
            raise GraphError.invalid(f"email must be an e-mail address, got {email!r}")
        if not password or len(password) < 8 or len(password) > 1024:
            raise GraphError.invalid("password must be 8 to 1024 characters")
        person = r.Person(
            id=ids.new_id(),
            name=_name(name, "name"),
            email=email,
            password_hash=await self.core.passwords.hash(password),
            password_epoch=0,
            session_epoch=0,
            is_reviewer=is_reviewer,
            created_at=self.core.now(),
        )
        try:
            async with self.core.db.transaction() as tx:
                if await tx.people.by_email(email):
                    raise GraphError.of("conflict", detail=f"A person with e-mail {email} already exists")
                await tx.people.add(person)
                await tx.nodes.add(person.id, "person")
        except DuplicateError:
            raise GraphError.of("conflict", detail=f"A person with e-mail {email} already exists") from None
        return person

    async def change_password(self, person_id: str, new_password: str) -> r.Person:
        """A new password: every user and page token the person had dies with 190/460."""
        if not new_password or len(new_password) < 8 or len(new_password) > 1024:
            raise GraphError.invalid("password must be 8 to 1024 characters")
        password_hash = await self.core.passwords.hash(new_password)
        async with self.core.db.transaction() as tx:
            person = await tx.people.set_password(person_id, password_hash)
            await tx.browser_sessions.end_all(person_id)
            # A code handed out before the change must not mint a token under the new password.
            await tx.codes.expire_for(person_id, self.core.now())
        if person is None:
            raise GraphError.of("not_found", node=person_id)
        return person

    async def log_out(self, person_id: str) -> r.Person:
        """Log the person out everywhere: their user and page tokens die with 190/467."""
        async with self.core.db.transaction() as tx:
            person = await tx.people.bump_session(person_id)
            await tx.browser_sessions.end_all(person_id)
            await tx.codes.expire_for(person_id, self.core.now())
        if person is None:
            raise GraphError.of("not_found", node=person_id)
        return person

    async def sign_in(self, email: str, password: str, client: str | None) -> SignInResult:
        """Check a password, within the login throttle: a locked e-mail or client gets the
        :class:`Lock` without its password being checked at all."""
        now = self.core.now()
        lock = await self.throttle.locked(email, client, now)
        if lock is not None:
            return lock
        person = await self.authenticate(email, password) if email and password else None
        if person is None:
            await self.throttle.failed(email, client, now)
            return WrongPassword()
        await self.throttle.succeeded(email)
        return SignedIn(person)

    async def authenticate(self, email: str, password: str) -> r.Person | None:
        """The person whose e-mail and password these are, or None.

        Sign-in forms call :meth:`sign_in`, which throttles, rather than this. A
        stored hash made with older parameters is replaced, on a successful check, by one made with
        the current ones (argon2's ``check_needs_rehash``); the password epoch stays, so no token dies.
        """
        passwords = self.core.passwords
        async with self.core.db.read() as tx:
            person = await tx.people.by_email((email or "").strip().lower())
        if person is None:
            # Spend the same time as a real check so that timing does not reveal which e-mails exist.
            await passwords.verify(await _DUMMY_HASH.get(self.core), password or "")
            return None
        if not await passwords.verify(person.password_hash, password or ""):
            return None
        if passwords.needs_rehash(person.password_hash):
            upgraded = await passwords.hash(password)
            async with self.core.db.transaction() as tx:
                await tx.people.rehash(person.id, person.password_hash, upgraded)
        return person

    # --- businesses, ad accounts, pages ---------------------------------------------------
    async def create_business(self, name: str, admin_id: str | None = None) -> r.Business:
        business = r.Business(id=ids.new_id(), name=_name(name, "name"), created_at=self.core.now())
        async with self.core.db.transaction() as tx:
            await tx.businesses.add(business)
            await tx.nodes.add(business.id, "business")
            if admin_id is not None:
                await self._need_person(tx, admin_id)
                await tx.business_people.set(r.Role(business.id, admin_id, "ADMIN"))
        return business

    async def create_ad_account(
        self,
        name: str,
        *,
        business_id: str | None = None,
        currency: str = "USD",
        timezone_name: str = "America/Los_Angeles",
        account_id: str | None = None,
    ) -> r.AdAccount:
        if not _CURRENCY.match(currency or ""):
            raise GraphError.invalid(f"currency must be a three-letter ISO 4217 code, got {currency!r}")
        if account_id is not None and not ids.is_numeric_id(account_id):
            raise GraphError.invalid(f"account id must be numeric (without act_), got {account_id!r}")
        account = r.AdAccount(
            id=account_id or ids.new_id(),
            name=_name(name, "name"),
            business_id=business_id,
            currency=currency,
            timezone_name=timezone_name or "America/Los_Angeles",
            account_status=1,
            created_at=self.core.now(),
        )
        try:
            async with self.core.db.transaction() as tx:
                if business_id is not None:
                    await self._need(tx.businesses.get(business_id), business_id)
                await tx.ad_accounts.add(account)
                await tx.nodes.add(account.id, "ad_account")
        except DuplicateError:
            raise GraphError.of("conflict", detail=f"Ad account {account.id} already exists") from None
        return account

    async def create_page(
        self, name: str, *, category: str = "Brand", business_id: str | None = None
    ) -> r.Page:
        page = r.Page(
            id=ids.new_id(),
            name=_name(name, "name"),
            category=_name(category, "category"),
            business_id=business_id,
            created_at=self.core.now(),
        )
        async with self.core.db.transaction() as tx:
            if business_id is not None:
                await self._need(tx.businesses.get(business_id), business_id)
            await tx.pages.add(page)
            await tx.nodes.add(page.id, "page")
        return page

    # --- apps -----------------------------------------------------------------------------
    async def create_app(
        self,
        name: str,
        *,
        site_url: str | None = None,
        redirect_uris: Sequence[str] = (),
        admin_id: str | None = None,
        business_id: str | None = None,
        mode: str = "development",
        require_app_secret: bool = False,
    ) -> tuple[r.App, str]:
        """A new app, always at the first access level whatever its owner's other apps have.

        Returns the app and its secret in clear: the only moment the secret is shown unasked.
        """
        secret = new_app_secret()
        app = r.App(
            id=ids.new_id(),
            name=_name(name, "name"),
            secret_encrypted=self.core.keyring.encrypt(secret),
            secret_version=0,
            site_url=self._checked_url(site_url, "site_url") if site_url else None,
            redirect_uris=tuple(self._checked_url(u, "redirect_uri") for u in redirect_uris),
            access_level=self.core.policy.default_level,
            mode=_one_of(mode, r.APP_MODES, "mode"),  # type: ignore[arg-type]
            require_app_secret=require_app_secret,
            business_id=business_id,
            created_at=self.core.now(),
        )
        async with self.core.db.transaction() as tx:
            if business_id is not None:
                await self._need(tx.businesses.get(business_id), business_id)
            await tx.apps.add(app)
            await tx.nodes.add(app.id, "app")
            if admin_id is not None:
                await self._need_person(tx, admin_id)
                await tx.app_roles.set(r.Role(app.id, admin_id, "administrator"))
        return app, secret

    async def update_app(
        self,
        app_id: str,
        *,
        name: str | None = None,
        site_url: str | None = None,
        redirect_uris: Sequence[str] | None = None,
        mode: str | None = None,
        require_app_secret: bool | None = None,
    ) -> r.App:
        async with self.core.db.transaction() as tx:
            app = await self._need(tx.apps.get(app_id), app_id)
            changes: dict[str, object] = {}
            if name is not None:
                changes["name"] = _name(name, "name")
            if site_url is not None:
                changes["site_url"] = self._checked_url(site_url, "site_url") if site_url else None
            if redirect_uris is not None:
                changes["redirect_uris"] = tuple(self._checked_url(u, "redirect_uri") for u in redirect_uris)
            if mode is not None:
                changes["mode"] = _one_of(mode, r.APP_MODES, "mode")
            if require_app_secret is not None:
                changes["require_app_secret"] = require_app_secret
            app = replace(app, **changes)  # type: ignore[arg-type]
            await tx.apps.update(app)
        return app

    async def set_access_level(self, app_id: str, level: str) -> r.App:
        """Set the level directly (the sandbox's shortcut; the review is the real path)."""
        if not self.core.policy.is_level(level):
            raise GraphError.invalid(
                f"level must be one of {', '.join(self.core.policy.order)}; got {level!r}"
            )
        async with self.core.db.transaction() as tx:
            app = await self._need(tx.apps.get(app_id), app_id)
            app = replace(app, access_level=level)
            await tx.apps.update(app)
        return app

    async def reset_app_secret(self, app_id: str) -> tuple[r.App, str]:
        """A new secret: app tokens and appsecret_proofs made with the old one stop working."""
        secret = new_app_secret()
        async with self.core.db.transaction() as tx:
            app = await self._need(tx.apps.get(app_id), app_id)
            app = replace(
                app,
                secret_encrypted=self.core.keyring.encrypt(secret),
                secret_version=app.secret_version + 1,
            )
            await tx.apps.update(app)
            await tx.tokens.revoke_where(self.core.now(), "app_secret_reset", app_id=app_id, kind="app")
        return app, secret

    def app_secret(self, app: r.App) -> str:
        return self.core.keyring.decrypt(app.secret_encrypted)

    # --- roles ----------------------------------------------------------------------------
    async def assign_role(self, kind: str, object_id: str, person_id: str, role: str) -> r.Role:
        """Give a person a role on a business, ad account, page or app."""
        allowed, repo_name, getter = _ROLE_KINDS.get(kind, ((), "", ""))
        if not repo_name:
            raise GraphError.invalid(f"kind must be one of {', '.join(_ROLE_KINDS)}; got {kind!r}")
        _one_of(role, allowed, "role")
        async with self.core.db.transaction() as tx:
            await self._need(getattr(tx, getter).get(object_id), object_id)
            await self._need_person(tx, person_id)
            grant = r.Role(object_id, person_id, role)
            repo: RoleRepo = getattr(tx, repo_name)
            await repo.set(grant)
        return grant

    async def remove_role(self, kind: str, object_id: str, person_id: str) -> bool:
        _allowed, repo_name, _getter = _ROLE_KINDS.get(kind, ((), "", ""))
        if not repo_name:
            raise GraphError.invalid(f"kind must be one of {', '.join(_ROLE_KINDS)}; got {kind!r}")
        async with self.core.db.transaction() as tx:
            repo: RoleRepo = getattr(tx, repo_name)
            removed = await repo.remove(object_id, person_id)
            if removed and kind == "page":
                # Page tokens the person took for this page die with 190/492.
                await tx.tokens.revoke_where(
                    self.core.now(), "page_role_removed", page_id=object_id, person_id=person_id
                )
        return removed

    # --- helpers ----------------------------------------------------------------------------
    def _checked_url(self, url: str, what: str) -> str:
        problem = url_problem(url, what=what)
        if problem:
            raise GraphError.invalid(problem)
        return url

    @staticmethod
    async def _need(awaitable: Awaitable[T | None], node_id: str) -> T:
        value = await awaitable
        if value is None:
            raise GraphError.of("not_found", node=node_id)
        return value

    async def _need_person(self, tx: Repos, person_id: str) -> r.Person:
        person = await tx.people.get(person_id)
        if person is None:
            raise GraphError.of("not_found", node=person_id)
        return person


_ROLE_KINDS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "business": (r.BUSINESS_ROLES, "business_people", "businesses"),
    "ad_account": (r.AD_ACCOUNT_ROLES, "ad_account_roles", "ad_accounts"),
    "page": (r.PAGE_ROLES, "page_roles", "pages"),
    "app": (r.APP_ROLES, "app_roles", "apps"),
}


class _DummyHash:
    """One hash per password profile, made lazily, to verify against when the e-mail is unknown."""

    def __init__(self) -> None:
        self._hashes: dict[int, str] = {}

    async def get(self, core: Core) -> str:
        key = id(core.passwords)
        if key not in self._hashes:
            self._hashes[key] = await core.passwords.hash(secrets.token_hex(8))
        return self._hashes[key]


_DUMMY_HASH = _DummyHash()
