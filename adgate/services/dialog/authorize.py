"""The login dialog's decisions, without HTTP (docs/graph-facts.md §1.1, §9; RFC 6749 §4.1 and §4.2; RFC
7636).

Three decisions, each its own transaction (argon2 runs outside any transaction, between them):

- :meth:`Authorize.start` — a ``GET /dialog/oauth``: check the request, then ask for the password
  (nobody logged in, or ``auth_type=reauthenticate``) or show the consent page.
- :meth:`Authorize.login` — the password form: the throttle, the password, then the consent page.
- :meth:`Authorize.confirm` — Allow or Cancel: grants, the authorization and the code (or token),
  all in ONE transaction, then the redirect.

Every decision re-validates the whole dialog request: the forms carry it in hidden fields, and
nothing that comes back from a browser is trusted (the app, the redirect URI, the permissions).
The answer is a :class:`Step`, which the web layer renders; nothing here knows about HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from adgate import records as r
from adgate.policy import consent
from adgate.policy import review as review_rules
from adgate.policy.tokens import CODE_SECONDS, DATA_ACCESS_SECONDS
from adgate.policy.urls import redirect_uri_allowed
from adgate.protocol import dialog
from adgate.protocol.dialog import DialogError, DialogParams
from adgate.services.context import Core
from adgate.services.dialog.browser_sessions import SESSION_SECONDS
from adgate.services.dialog.login_throttle import Lock
from adgate.services.tokens.callers import issue_short_lived_user_token
from adgate.services.tokens.grants import record_authorization
from adgate.services.world.editor import World, WrongPassword
from adgate.store.interfaces import Repos

#: How long a dialog login lasts (adgate's choice; Graph's own sessions are not documented).
#: ``auth_type=reauthenticate``: Allow is accepted only this soon after the password was entered.
REAUTHENTICATE_SECONDS = 10 * 60
MAX_EMAIL = 320
MAX_PASSWORD = 1024

NOT_SET_UP = (
    "This app is still in development mode, and you don't have access to it. Switch to a "
    "registered test user or ask an app admin for permissions."
)


# --- what a decision answers --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Visitor:
    """Who the browser says it is: the claims of a verified session cookie."""

    person_id: str
    password_epoch: int
    session_epoch: int
    authenticated_at: int
    #: The session id: the session is good only while the server keeps it
    #: (:mod:`adgate.services.dialog.browser_sessions`).
    sid: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    status: int
    title: str
    message: str


@dataclass(frozen=True, slots=True)
class AskPassword:
    params: DialogParams
    app: r.App
    email: str = ""
    error: str | None = None
    status: int = 200


@dataclass(frozen=True, slots=True)
class AskConsent:
    params: DialogParams
    app: r.App
    person: r.Person
    asked: tuple[str, ...]
    kept: tuple[str, ...]
    #: The person has authorized this app before (the page says "Continue as …").
    returning: bool
    #: Asked, but left off because the live app has not passed review for them.
    pending_review: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Redirect:
    location: str


Step = Problem | AskPassword | AskConsent | Redirect


@dataclass(frozen=True, slots=True)
class LoggedIn:
    """A good password: the web layer starts a new session, then shows ``then``."""

    person: r.Person
    authenticated_at: int
    then: Step


def permissions_pending_review(
    app: r.App,
    has_role: bool,
    asked: Sequence[str],
    approved: Sequence[str] = (),
    *,
    marketing_access: bool = False,
) -> tuple[str, ...]:
    """Live-mode permission review (docs/graph-facts.md §9): what a live app may not yet ask this person for.

    In live mode, people without a role on the app can be asked only for permissions that passed
    App Review (``approved``, plus ``ads_management``/``ads_read`` with Marketing API access); and
    ``manage_pages`` has its own review (seed "Apply for Basic"). ``public_profile`` and ``email``
    need none. People with a role, and every person in development mode, may grant anything.
    Whatever this returns is left off the consent page (which says so) and out of the grants,
    exactly as if it had not been requested.
    """
    if app.mode != "live" or has_role:
        return ()
    return review_rules.unapproved(asked, approved, marketing_access=marketing_access)


def locked_message(lock: Lock) -> str:
    minutes = -(-lock.retry_after // 60)
    return f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


class Authorize:
    def __init__(self, core: Core, world: World) -> None:
        self.core = core
        self.world = world

    # --- GET /dialog/oauth ----------------------------------------------------------------------
    async def start(self, items: Iterable[tuple[str, str]], visitor: Visitor | None) -> Step:
        try:
            params = dialog.parse(items)
            now = self.core.now()
            async with self.core.db.transaction() as tx:
                app = await self._app(tx, params)
                person = await self._person(tx, visitor, now)
                if person is None or params.auth_type == "reauthenticate":
                    return AskPassword(params, app, email=person.email if person else "")
                return await self._consent(tx, params, app, person)
        except DialogError as exc:
            return Problem(exc.status, exc.title, exc.message)

    # --- POST /dialog/oauth/login ---------------------------------------------------------------
    async def login(
        self, items: Iterable[tuple[str, str]], email: str, password: str, client: str | None
    ) -> Step | LoggedIn:
        try:
            params = dialog.parse(items)
            async with self.core.db.transaction() as tx:
                app = await self._app(tx, params)
        except DialogError as exc:
            return Problem(exc.status, exc.title, exc.message)
        email = email.strip()
        usable = bool(email and password) and len(email) <= MAX_EMAIL and len(password) <= MAX_PASSWORD
        email = email[:MAX_EMAIL]
        now = self.core.now()
        result = await self.world.sign_in(email, password if usable else "", client)
        if isinstance(result, Lock):
            return AskPassword(params, app, email=email, error=locked_message(result), status=429)
        if isinstance(result, WrongPassword):
            error = "The e-mail address or password you entered is incorrect."
            return AskPassword(params, app, email=email, error=error)
        person = result.person
        try:
            async with self.core.db.transaction() as tx:
                app = await self._app(tx, params)
                step = await self._consent(tx, params, app, person)
        except DialogError as exc:
            step = Problem(exc.status, exc.title, exc.message)
        return LoggedIn(person, now, step)

    # --- POST /dialog/oauth/confirm -------------------------------------------------------------
    async def confirm(
        self,
        items: Iterable[tuple[str, str]],
        visitor: Visitor | None,
        decision: str,
        checked: Iterable[str],
    ) -> Step:
        try:
            params = dialog.parse(items)
            now = self.core.now()
            async with self.core.db.transaction() as tx:
                app = await self._app(tx, params)
                if decision == "cancel":
                    return Redirect(dialog.denied_location(params))
                if decision != "allow":
                    raise DialogError("Invalid Request", "The form was sent without Allow or Cancel.")
                person = await self._person(tx, visitor, now)
                if person is None or visitor is None:
                    return AskPassword(params, app, error="Your session has ended. Log in again.")
                if (
                    params.auth_type == "reauthenticate"
                    and now - visitor.authenticated_at > REAUTHENTICATE_SECONDS
                ):
                    return AskPassword(params, app, email=person.email)
                plan, earlier, _pending = await self._plan(tx, params, app, person)
                return Redirect(await self._allow(tx, params, app, person, plan, checked, earlier, now))
        except DialogError as exc:
            return Problem(exc.status, exc.title, exc.message)

    async def _allow(
        self,
        tx: Repos,
        params: DialogParams,
        app: r.App,
        person: r.Person,
        plan: consent.ConsentPlan,
        checked: Iterable[str],
        earlier: dict[str, str],
        now: int,
    ) -> str:
        """Record the decision, (re)authorize the app, mint the code and/or token: one transaction."""
        writes, granted = consent.decide(plan, checked, earlier)
        await record_authorization(tx, app.id, person.id, writes, now)
        code = None
        if params.wants_code:
            code = await self.core.issuer.issue_code(
                tx,
                app=app,
                person=person,
                redirect_uri=params.redirect_uri,
                scopes=granted,
                now=now,
                expires_at=now + CODE_SECONDS,
                code_challenge=params.code_challenge,
                code_challenge_method=params.code_challenge_method,
            )
        token = expires_in = None
        if params.wants_token:
            # The client-side flow's short-lived token (docs/graph-facts.md §2), minted by the token service.
            token, expires_in = await issue_short_lived_user_token(
                tx, app, person, granted, now, issuer=self.core.issuer
            )
        return dialog.success_location(
            params,
            code=code,
            access_token=token,
            expires_in=expires_in,
            data_access_expiration_time=now + DATA_ACCESS_SECONDS,
            granted=granted,
        )

    # --- shared checks --------------------------------------------------------------------------
    async def _app(self, tx: Repos, params: DialogParams) -> r.App:
        app = await tx.apps.get(params.client_id)
        if app is None:
            raise DialogError("Invalid App ID", f"No app has the ID {params.client_id}.")
        if not redirect_uri_allowed(app.redirect_uris, app.site_url, params.redirect_uri):
            raise DialogError("URL Blocked", dialog.URL_BLOCKED)
        return app

    async def _person(self, tx: Repos, visitor: Visitor | None, now: int) -> r.Person | None:
        """The session's person, if the session is still good: a password change or a log-out
        (the epochs) ends it, and so does its age on the server clock."""
        if visitor is None or now - visitor.authenticated_at >= SESSION_SECONDS:
            return None
        person = await tx.people.get(visitor.person_id)
        if (
            person is None
            or person.password_epoch != visitor.password_epoch
            or person.session_epoch != visitor.session_epoch
            or not await self.world.sessions.is_open(tx, visitor.sid, person.id, now)
        ):
            return None
        return person

    async def _may_use(self, tx: Repos, app: r.App, person: r.Person) -> bool:
        """docs/graph-facts.md §9: a development-mode app can be authorized only by people with a role on
        it."""
        has_role = await tx.app_roles.get(app.id, person.id) is not None
        if app.mode == "development" and not has_role:
            raise DialogError("App not set up", NOT_SET_UP, status=403)
        return has_role

    @staticmethod
    async def _earlier(tx: Repos, app: r.App, person: r.Person) -> dict[str, str]:
        authorization = await tx.grants.authorization(app.id, person.id)
        if authorization is None or authorization.deauthorized_at is not None:
            return {}
        return {g.permission: g.status for g in await tx.grants.for_person(app.id, person.id)}

    async def _plan(
        self, tx: Repos, params: DialogParams, app: r.App, person: r.Person
    ) -> tuple[consent.ConsentPlan, dict[str, str], tuple[str, ...]]:
        """What to ask this person for (and what permission review withholds); the same
        computation for the page and for its answer."""
        has_role = await self._may_use(tx, app, person)
        earlier = await self._earlier(tx, app, person)
        plan = consent.plan(params.scopes, earlier, params.auth_type)
        withheld = set(
            permissions_pending_review(
                app,
                has_role,
                plan.asked,
                await tx.review.approved_permissions(app.id),
                marketing_access=self.core.policy.rank(app.access_level) > 0,
            )
        )
        pending = tuple(p for p in plan.asked if p in withheld)
        if withheld:
            plan = consent.ConsentPlan(
                tuple(p for p in plan.asked if p not in withheld), plan.kept, plan.still_declined
            )
        return plan, earlier, pending

    async def _consent(self, tx: Repos, params: DialogParams, app: r.App, person: r.Person) -> Step:
        plan, earlier, pending = await self._plan(tx, params, app, person)
        return AskConsent(
            params, app, person, plan.asked, plan.kept, returning=bool(earlier), pending_review=pending
        )
