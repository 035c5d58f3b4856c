"""The developer's app dashboard: My apps, create an app, its secret, its settings and its roles.

Seed, "Permissions to Manage Ads": "Note the following values from your App Summary: App ID, App
Secret (keep this value secret), Site URL"; "When inputting the YOUR_URL field, put a trailing /".

Rules the console follows (choices where the seed is silent):

- A person sees the apps they have any role on; only administrators change settings, roles or
  the secret. The account configuration tool is open to administrators and developers (the same
  roles the configuration API accepts, :data:`adgate.policy.access.CALLING_APP_ROLES`).
- The secret is never shown unasked: revealing it, and resetting it, both need the person's
  password entered again (checked with the same argon2id verification as the login dialog).
- An app that would be left without an administrator keeps its last one.
- An app someone has no role on answers "not found", so the console never reveals which ids exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from adgate import records as r
from adgate.policy.access import CALLING_APP_ROLES
from adgate.protocol.errors import GraphError
from adgate.services.account_list import AccountLists, AccountListView
from adgate.services.context import Core
from adgate.services.dialog.authorize import MAX_EMAIL, MAX_PASSWORD, Visitor, locked_message
from adgate.services.dialog.browser_sessions import SESSION_SECONDS
from adgate.services.dialog.login_throttle import Lock
from adgate.services.world.editor import SignedIn, World, WrongPassword

ADMIN_ROLES: frozenset[str] = frozenset({"administrator"})
MAX_REDIRECT_URIS = 100


@dataclass(frozen=True, slots=True)
class MyApp:
    app: r.App
    role: str


@dataclass(frozen=True, slots=True)
class Member:
    person: r.Person
    role: str


def parse_redirect_uris(text: str) -> list[str]:
    """One URI a line (blank lines ignored, duplicates dropped, order kept)."""
    uris = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(uris) > MAX_REDIRECT_URIS:
        raise GraphError.invalid(f"at most {MAX_REDIRECT_URIS} redirect URIs, got {len(uris)}")
    return list(dict.fromkeys(uris))


class SignInLocked(GraphError):
    """A password check refused by the login throttle (the console answers 429)."""

    __slots__ = ()

    @classmethod
    def because(cls, lock: Lock) -> SignInLocked:
        error = GraphError.invalid(locked_message(lock))
        return cls(error.spec, error.message)


class Dashboard:
    def __init__(self, core: Core, world: World) -> None:
        self.core = core
        self.world = world
        self.account_lists = AccountLists(core)

    # --- who is signed in -----------------------------------------------------------------------
    async def person(self, visitor: Visitor | None) -> r.Person | None:
        """The session's person while the session is good: a password change, a log-out
        everywhere (the epochs) or its age on the server clock ends it, as in the dialog."""
        now = self.core.now()
        if visitor is None or now - visitor.authenticated_at >= SESSION_SECONDS:
            return None
        async with self.core.db.read() as tx:
            person = await tx.people.get(visitor.person_id)
            if (
                person is None
                or person.password_epoch != visitor.password_epoch
                or person.session_epoch != visitor.session_epoch
                or not await self.world.sessions.is_open(tx, visitor.sid, person.id, now)
            ):
                return None
        return person

    async def sign_in(self, email: str, password: str, client: str | None) -> r.Person:
        """The console's sign-in: the same login throttle as the dialog's (a lock in one holds in
        the other), raising :class:`SignInLocked` while locked."""
        email = (email or "").strip()
        if not email or not password:
            raise GraphError.invalid("Enter your e-mail address and your password.")
        fits = len(email) <= MAX_EMAIL and len(password) <= MAX_PASSWORD
        result = await self.world.sign_in(email[:MAX_EMAIL], password if fits else "", client)
        if isinstance(result, Lock):
            raise SignInLocked.because(result)
        if isinstance(result, WrongPassword):
            raise GraphError.invalid("The e-mail address or the password is not right.")
        return result.person

    # --- apps -----------------------------------------------------------------------------------
    async def my_apps(self, person_id: str) -> list[MyApp]:
        async with self.core.db.transaction() as tx:
            roles = await tx.app_roles.for_person(person_id)
            found = [(await tx.apps.get(role.object_id), role.role) for role in roles]
        mine = [MyApp(app, role) for app, role in found if app is not None]
        return sorted(mine, key=lambda m: (m.app.created_at, m.app.id))

    async def app_for(self, person_id: str, app_id: str, roles: frozenset[str] | None = None) -> MyApp:
        """The app, if the person has a role on it (one of ``roles`` when given)."""
        async with self.core.db.transaction() as tx:
            app = await tx.apps.get(app_id) if app_id.isdigit() else None
            role = await tx.app_roles.get(app_id, person_id) if app else None
        if app is None or role is None:
            raise GraphError.of("not_found", node=app_id)
        if roles is not None and role.role not in roles:
            wanted = " or ".join(sorted(roles))
            raise GraphError.invalid(f"Only an app {wanted} can do this; you are a {role.role} of this app.")
        return MyApp(app, role.role)

    async def create_app(self, person_id: str, name: str) -> r.App:
        """A new app with the person as its administrator; its secret is not shown until asked."""
        app, _secret = await self.world.create_app(name, admin_id=person_id)
        return app

    async def reveal_secret(self, person_id: str, app_id: str, password: str) -> str:
        mine = await self.app_for(person_id, app_id, ADMIN_ROLES)
        await self._password_again(person_id, password)
        return self.world.app_secret(mine.app)

    async def reset_secret(self, person_id: str, app_id: str, password: str, confirmed: bool) -> str:
        await self.app_for(person_id, app_id, ADMIN_ROLES)
        if not confirmed:
            raise GraphError.invalid(
                "Tick the box to confirm: resetting the secret stops app tokens and appsecret_proofs "
                "made with the old one."
            )
        await self._password_again(person_id, password)
        _app, secret = await self.world.reset_app_secret(app_id)
        return secret

    async def update_settings(
        self,
        person_id: str,
        app_id: str,
        *,
        name: str,
        site_url: str,
        redirect_uris: str,
        require_app_secret: bool,
        mode: str,
    ) -> r.App:
        await self.app_for(person_id, app_id, ADMIN_ROLES)
        return await self.world.update_app(
            app_id,
            name=name,
            site_url=site_url.strip(),
            redirect_uris=parse_redirect_uris(redirect_uris),
            require_app_secret=require_app_secret,
            mode=mode,
        )

    async def add_redirect_uri(self, person_id: str, app_id: str, uri: str) -> r.App:
        mine = await self.app_for(person_id, app_id, ADMIN_ROLES)
        if uri in mine.app.redirect_uris:
            return mine.app
        return await self.world.update_app(app_id, redirect_uris=[*mine.app.redirect_uris, uri])

    # --- roles ----------------------------------------------------------------------------------
    async def members(self, person_id: str, app_id: str) -> list[Member]:
        await self.app_for(person_id, app_id)
        async with self.core.db.transaction() as tx:
            roles = await tx.app_roles.for_object(app_id)
            people = [(await tx.people.get(role.person_id), role.role) for role in roles]
        return [Member(p, role) for p, role in people if p is not None]

    async def add_member(self, person_id: str, app_id: str, email: str, role: str) -> Member:
        await self.app_for(person_id, app_id, ADMIN_ROLES)
        email = (email or "").strip().lower()
        if not email:
            raise GraphError.invalid("Enter the e-mail address of the person to add.")
        if role not in r.APP_ROLES:
            raise GraphError.invalid(f"role must be one of {', '.join(r.APP_ROLES)}; got {role!r}")
        async with self.core.db.transaction() as tx:
            other = await tx.people.by_email(email)
        if other is None:
            raise GraphError.invalid(f"No person has the e-mail address {email}.")
        await self._keep_an_administrator(app_id, other.id, role)
        await self.world.assign_role("app", app_id, other.id, role)
        return Member(other, role)

    async def remove_member(self, person_id: str, app_id: str, member_id: str) -> None:
        await self.app_for(person_id, app_id, ADMIN_ROLES)
        await self._keep_an_administrator(app_id, member_id, None)
        if not await self.world.remove_role("app", app_id, member_id):
            raise GraphError.invalid("That person has no role on this app.")

    async def _keep_an_administrator(self, app_id: str, member_id: str, new_role: str | None) -> None:
        async with self.core.db.transaction() as tx:
            roles = await tx.app_roles.for_object(app_id)
        admins = {x.person_id for x in roles if x.role == "administrator"}
        if admins == {member_id} and new_role != "administrator":
            raise GraphError.invalid("An app needs at least one administrator: add another one first.")

    # --- the account configuration tool ----------------------------------------------------------
    async def account_list(self, person_id: str, app_id: str) -> AccountListView:
        await self.app_for(person_id, app_id, CALLING_APP_ROLES)
        return await self.account_lists.view(app_id)

    async def add_account(self, person_id: str, app_id: str, account_id: str) -> AccountListView:
        await self.app_for(person_id, app_id, CALLING_APP_ROLES)
        return await self.account_lists.add(app_id, account_id)

    async def remove_account(self, person_id: str, app_id: str, account_id: str) -> AccountListView:
        await self.app_for(person_id, app_id, CALLING_APP_ROLES)
        return await self.account_lists.remove(app_id, account_id)

    # --- helpers --------------------------------------------------------------------------------
    async def _password_again(self, person_id: str, password: str) -> None:
        async with self.core.db.read() as tx:
            person = await tx.people.get(person_id)
        if not password:
            raise GraphError.invalid("Enter your password to continue.")
        if person is None:
            raise GraphError.invalid("That password is not right.")
        fits = len(password) <= MAX_PASSWORD
        result = await self.world.sign_in(person.email, password if fits else "", None)
        if isinstance(result, Lock):
            raise SignInLocked.because(result)
        if not isinstance(result, SignedIn) or result.person.id != person_id:
            raise GraphError.invalid("That password is not right.")
