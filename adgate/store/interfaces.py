"""The small storage interfaces services depend on.

Each repository works inside one transaction, handed out by :meth:`Database.transaction` (or
:meth:`Database.read`, to read only). The same contract suite (``tests/store/test_contract.py``)
runs every implementation: SQLite always, PostgreSQL in CI.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from adgate.records import (
    AdAccount,
    App,
    AuthCode,
    Authorization,
    Business,
    BusinessRole,
    Grant,
    Page,
    Person,
    Role,
    SystemUser,
    Token,
)
from adgate.store.cache import Generation
from adgate.store.callbacks import CallbackRepo
from adgate.store.faults import FaultRepo
from adgate.store.marketing import (
    AdCreativeRepo,
    AdImageRepo,
    AdRepo,
    AdSetRepo,
    CampaignRepo,
    CustomAudienceRepo,
    ReportRunRepo,
)
from adgate.store.review import ReviewRepo

T = TypeVar("T")


class DuplicateError(Exception):
    """A unique value (an e-mail, an id) is already taken."""


class ReadOnlyError(Exception):
    """A statement that writes was run inside :meth:`Database.read` (a bug of the caller)."""


class NodeRepo(Protocol):
    async def add(self, node_id: str, kind: str) -> None: ...
    async def kind_of(self, node_id: str) -> str | None: ...


class MetaRepo(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str) -> None: ...


class PeopleRepo(Protocol):
    async def add(self, person: Person) -> None: ...
    async def get(self, person_id: str) -> Person | None: ...
    async def by_email(self, email: str) -> Person | None: ...
    async def list(self) -> Sequence[Person]: ...
    async def set_password(self, person_id: str, password_hash: str) -> Person | None:
        """Store a new hash and bump the password epoch."""
        ...

    async def rehash(self, person_id: str, old_hash: str, new_hash: str) -> None:
        """Replace ``old_hash`` by the same password hashed anew; the epochs stay (no token dies).
        Nothing happens if the hash changed meanwhile (a password change wins)."""
        ...

    async def bump_session(self, person_id: str) -> Person | None:
        """Log the person out everywhere: bump the session epoch."""
        ...

    async def set_reviewer(self, person_id: str, is_reviewer: bool) -> None: ...


class RoleRepo(Protocol):
    """People's roles on one kind of object (business, ad account, page or app)."""

    async def set(self, role: Role) -> None: ...
    async def remove(self, object_id: str, person_id: str) -> bool: ...
    async def get(self, object_id: str, person_id: str) -> Role | None: ...
    async def for_object(self, object_id: str) -> Sequence[Role]: ...
    async def for_person(self, person_id: str) -> Sequence[Role]: ...


class BusinessRepo(Protocol):
    async def add(self, business: Business) -> None: ...
    async def get(self, business_id: str) -> Business | None: ...
    async def list(self) -> Sequence[Business]: ...


class AdAccountRepo(Protocol):
    async def add(self, account: AdAccount) -> None: ...
    async def get(self, account_id: str) -> AdAccount | None: ...
    async def list(self, business_id: str | None = None) -> Sequence[AdAccount]: ...
    async def rename(self, account_id: str, name: str) -> bool:
        """Set the account's name; False if there is no such account."""
        ...

    async def set_business(self, account_id: str, business_id: str | None) -> bool:
        """Set (or clear, with ``None``) the business that owns the account; False if there is no
        such account."""
        ...


class PageRepo(Protocol):
    async def add(self, page: Page) -> None: ...
    async def get(self, page_id: str) -> Page | None: ...
    async def list(self) -> Sequence[Page]: ...
    async def set_business(self, page_id: str, business_id: str | None) -> bool:
        """Set (or clear, with ``None``) the business that owns the Page; False if there is no
        such Page."""
        ...


class AppRepo(Protocol):
    async def add(self, app: App) -> None: ...
    async def get(self, app_id: str) -> App | None: ...
    async def list(self) -> Sequence[App]: ...
    async def update(self, app: App) -> None: ...


class SystemUserRepo(Protocol):
    async def add(self, user: SystemUser, *, limit: int | None = None) -> bool:
        """Add unless the business has ``limit`` system users of the user's role already (``None``:
        no limit); False if it has.

        Atomic against concurrent adds to the same business: the limit is never exceeded.
        """
        ...

    async def count(self, business_id: str, role: BusinessRole) -> int:
        """How many system users of ``role`` the business has."""
        ...

    async def get(self, system_user_id: str) -> SystemUser | None: ...
    async def rename(self, system_user_id: str, name: str) -> None: ...
    async def for_business(self, business_id: str) -> Sequence[SystemUser]: ...
    async def install_app(self, system_user_id: str, app_id: str, now: int) -> None: ...
    async def installed_apps(self, system_user_id: str) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class SystemUserAdAccount:
    """An ad account assigned to a system user through Business Manager, with the role its tasks
    make (``admin``, ``advertiser`` or ``analyst``)."""

    ad_account_id: str
    system_user_id: str
    role: str


class SystemUserAdAccountRepo(Protocol):
    """The ad accounts assigned to system users (``POST /act_<n>/assigned_users``)."""

    async def set(self, assignment: SystemUserAdAccount) -> None:
        """Assign, or change the role of an assignment already made."""
        ...

    async def get(self, ad_account_id: str, system_user_id: str) -> SystemUserAdAccount | None: ...
    async def remove(self, ad_account_id: str, system_user_id: str) -> bool: ...
    async def for_account(self, ad_account_id: str) -> Sequence[SystemUserAdAccount]:
        """Ordered by system user id."""
        ...

    async def for_system_user(self, system_user_id: str) -> Sequence[SystemUserAdAccount]:
        """Ordered by ad account id."""
        ...

    async def remove_for_account(self, ad_account_id: str) -> int:
        """Unassign every system user from the account; returns how many were."""
        ...


class TokenRepo(Protocol):
    async def add(self, token: Token) -> None: ...
    async def get(self, digest: str) -> Token | None: ...
    async def revoke(self, digest: str, now: int, reason: str) -> bool: ...
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
        """Revoke every live token matching all given filters; returns their digests."""
        ...

    async def count(self) -> int: ...


@dataclass(frozen=True, slots=True)
class SealedToken:
    """A system-user token kept sealed for ``fetch_only`` (``POST /{business}/system_user_access_tokens``):
    ``sealed`` is the token encrypted with :meth:`adgate.keyring.Keyring.seal_token`; ``scopes``
    and ``assets`` are sorted (``assets`` ``None``: no restriction)."""

    digest: str
    system_user_id: str
    app_id: str
    scopes: tuple[str, ...]
    assets: tuple[str, ...] | None
    sealed: str
    issued_at: int


class SealedTokenRepo(Protocol):
    async def add(self, token: SealedToken) -> None: ...

    async def matching(
        self, system_user_id: str, app_id: str, scopes: tuple[str, ...], assets: tuple[str, ...] | None
    ) -> Sequence[SealedToken]:
        """The sealed tokens of the system user for the app with exactly these sorted ``scopes`` and
        ``assets`` whose token is not revoked, newest first (expiry is for the caller to judge)."""
        ...


class CodeRepo(Protocol):
    async def add(self, code: AuthCode) -> None: ...
    async def get(self, digest: str) -> AuthCode | None: ...
    async def mark_used(self, digest: str, now: int) -> bool:
        """Atomically mark a code used; False if it already was (a replay)."""
        ...

    async def use(self, digest: str, now: int) -> AuthCode | None:
        """Atomically mark an unused code used and return it (as it now is), in one statement;
        ``None`` if there is no such code or it was used already. The caller's transaction rolls
        the mark back if it then refuses the code."""
        ...

    async def expire_for(self, person_id: str, now: int, *, app_id: str | None = None) -> int:
        """End every unused code of a person (of one app, if given) now: password change, log-out,
        de-authorization. Returns how many were cut short."""
        ...


class GrantRepo(Protocol):
    async def set(self, grant: Grant) -> None: ...
    async def for_person(self, app_id: str, person_id: str) -> Sequence[Grant]: ...
    async def remove(self, app_id: str, person_id: str, permission: str | None = None) -> int: ...
    async def authorization(self, app_id: str, person_id: str) -> Authorization | None: ...
    async def authorized_person(
        self, app_id: str, person_id: str
    ) -> tuple[Person, Authorization | None] | None:
        """The person and their authorization of the app, in one read (a code exchange's);
        None if there is no such person."""
        ...

    async def set_authorization(self, authorization: Authorization) -> None: ...


@dataclass(frozen=True, slots=True)
class ListedAccount:
    """One ad account in an app's account list (seed, "Managing Account Lists")."""

    app_id: str
    ad_account_id: str
    #: ``"auto"``: added by a call against the account; ``"manual"``: by the configuration tool.
    source: str
    added_at: int


#: What :meth:`AccountListRepo.add` did: added it, found it already there, or found the list full.
AddOutcome = Literal["added", "present", "full"]


class AccountListRepo(Protocol):
    """The ad accounts an app may call at the levels with an account list (seed, "Limits")."""

    async def list(self, app_id: str) -> Sequence[ListedAccount]:
        """Oldest first."""
        ...

    async def count(self, app_id: str) -> int: ...
    async def contains(self, app_id: str, ad_account_id: str) -> bool: ...
    async def add(
        self, app_id: str, ad_account_id: str, *, source: str, now: int, limit: int | None
    ) -> AddOutcome:
        """Add unless listed already or the list holds ``limit`` accounts (``None``: no limit).

        Atomic against concurrent adds to the same app's list: the limit is never exceeded.
        """
        ...

    async def remove(self, app_id: str, ad_account_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class UsageCount:
    """Calls of one class made by an app on one day (days since the Unix epoch, server clock)."""

    app_id: str
    day: int
    klass: str
    count: int


class UsageRepo(Protocol):
    async def add_counts(self, counts: Sequence[UsageCount]) -> int:
        """Add each count to what is stored (an upsert-increment); returns the rows written.

        Counts of apps that no longer exist (a sandbox reset in between) are dropped.
        """
        ...

    async def for_app(self, app_id: str, first_day: int, last_day: int) -> Sequence[UsageCount]:
        """Every count of ``app_id`` from ``first_day`` to ``last_day`` inclusive."""
        ...

    async def app_users(self, app_id: str) -> int:
        """People who authorized the app and did not withdraw: the "users" of the app limit."""
        ...


class LoginFailureRepo(Protocol):
    """Failed sign-ins by key (``adgate.services.dialog.login_throttle``), shared by every node."""

    async def since(self, keys: Sequence[str], after: int) -> dict[str, list[int]]:
        """Each key's failure times later than ``after``, oldest first."""
        ...

    async def add(self, keys: Sequence[str], at: int) -> None: ...
    async def forget(self, key: str) -> None: ...
    async def prune(self, before: int) -> None:
        """Drop every failure at or before ``before`` (out of every window)."""
        ...

    async def clear(self) -> None: ...


@dataclass(frozen=True, slots=True)
class BrowserSession:
    person_id: str | None


class BrowserSessionRepo(Protocol):
    """Browser sessions by the keyed digest of their id (``adgate.services.dialog.browser_sessions``)."""

    async def add(self, id_digest: str, person_id: str | None, created_at: int, expires_at: int) -> None: ...
    async def find(self, id_digest: str, now: int) -> BrowserSession | None:
        """The session, if it exists and has not expired at ``now``."""
        ...

    async def end(self, id_digests: Sequence[str]) -> None: ...
    async def end_all(self, person_id: str) -> None: ...
    async def prune(self, now: int) -> None: ...


class Repos(Protocol):
    """Every repository, bound to one transaction."""

    @property
    def nodes(self) -> NodeRepo: ...

    @property
    def meta(self) -> MetaRepo: ...

    @property
    def people(self) -> PeopleRepo: ...

    @property
    def businesses(self) -> BusinessRepo: ...

    @property
    def business_people(self) -> RoleRepo: ...

    @property
    def ad_accounts(self) -> AdAccountRepo: ...

    @property
    def ad_account_roles(self) -> RoleRepo: ...

    @property
    def pages(self) -> PageRepo: ...

    @property
    def page_roles(self) -> RoleRepo: ...

    @property
    def apps(self) -> AppRepo: ...

    @property
    def app_roles(self) -> RoleRepo: ...

    @property
    def system_users(self) -> SystemUserRepo: ...

    @property
    def system_user_ad_accounts(self) -> SystemUserAdAccountRepo: ...

    @property
    def tokens(self) -> TokenRepo: ...

    @property
    def sealed_tokens(self) -> SealedTokenRepo: ...

    @property
    def codes(self) -> CodeRepo: ...

    @property
    def grants(self) -> GrantRepo: ...

    @property
    def account_lists(self) -> AccountListRepo: ...

    @property
    def usage(self) -> UsageRepo: ...

    # --- Marketing objects (adgate.store.marketing) -------------------------------
    @property
    def campaigns(self) -> CampaignRepo: ...

    @property
    def ad_sets(self) -> AdSetRepo: ...

    @property
    def ads(self) -> AdRepo: ...

    @property
    def ad_creatives(self) -> AdCreativeRepo: ...

    @property
    def ad_images(self) -> AdImageRepo: ...

    @property
    def custom_audiences(self) -> CustomAudienceRepo: ...

    @property
    def report_runs(self) -> ReportRunRepo: ...

    @property
    def review(self) -> ReviewRepo: ...

    @property
    def faults(self) -> FaultRepo: ...

    @property
    def callbacks(self) -> CallbackRepo: ...

    @property
    def login_failures(self) -> LoginFailureRepo: ...

    @property
    def browser_sessions(self) -> BrowserSessionRepo: ...


class Database(Protocol):
    #: Bumped after every committed write (here, or on another node through the bus), by what it
    #: wrote, and when caching is suspended or resumed: a value is void once anything it read was
    #: written after its read began (:mod:`adgate.store.cache`, ``docs/caching.md``).
    #: :meth:`cached` keeps its values on these terms; a service may keep a memo of its own on the
    #: same terms, stamped before its read begins, with the tags its reads reported
    #: (:func:`adgate.store.dependencies.collecting`).
    generation: Generation

    def transaction(self, *, invalidates: bool = True) -> AbstractAsyncContextManager[Repos]:
        """One transaction: committed when the block exits normally, rolled back otherwise.

        Once a transaction that wrote anything is committed, every :meth:`cached` value that read
        what it wrote is void, on this node at once and on the others through the invalidation
        bus; what it wrote is derived from its statements. ``invalidates=False`` is for writes no
        cached value can depend on (the usage counts), and only for those.
        On SQLite it takes the write lock at once (``BEGIN IMMEDIATE``): use :meth:`read` to read.
        """
        ...

    def read(self) -> AbstractAsyncContextManager[Repos]:
        """A read-only transaction that sees committed data and never holds up a writer.

        A write inside it raises :class:`ReadOnlyError`.
        """
        ...

    async def cached(self, key: Hashable, load: Callable[[Repos], Awaitable[T]]) -> T:
        """What ``load`` reads in a :meth:`read`, kept under ``key`` until a committed write of it.

        ``key`` must name everything ``load`` reads (e.g. ``("ad_account", account_id)``), and
        ``load`` must return an immutable value: every caller shares it
        (:mod:`adgate.store.cache`).
        """
        ...

    async def reset(self) -> None:
        """Delete every row (the sandbox's reset)."""
        ...

    async def close(self) -> None: ...
