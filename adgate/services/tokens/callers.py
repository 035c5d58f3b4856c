"""Access tokens as every call sees them: who is calling, and is the token still good.

Seed, "Manually Getting Access Tokens" and "Store Token"; docs/graph-facts.md §1.4 (app tokens), §2 (kinds and
lifetimes), §4.3 (why a token dies). A raw token becomes a :class:`Presented` (everything its
validity depends on, read in one transaction), is judged by :mod:`adgate.policy.validity`, and
becomes a :class:`Caller`.

- Tokens are looked up by their keyed digest only (``Keyring.digest``); the raw string never
  leaves this call and is never logged.
- The literal ``{app_id}|{app_secret}`` is an app token wherever one is accepted (docs/graph-facts.md §1.4);
the
  secret is compared in constant time. An app token from ``client_credentials`` has the same shape
  (``{app_id}|random``) and is told apart by the comparison failing and the digest lookup finding it.
- **A cache that never outlives a revocation.** What a token's validity depends on (the token, its
  app, person, authorization, page role and grants) is read in one read transaction and kept as a
  :class:`Presented` by digest in the database's read cache (:meth:`Database.cached`), which every
  committed write voids, on every node (:mod:`adgate.store.cache`, :mod:`adgate.store.bus`). So
  a revocation, password change, log-out, de-authorization or secret reset is seen by the very
  next call, while a token called again and again costs no database round trip. Only records are
  kept: expiry and data-access expiry are judged against ``now`` on every call.
- App secrets are decrypted once per ciphertext (:meth:`Tokens.app_secret`): a reset changes the
  ciphertext, so the memo cannot outlive it.
"""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass

from adgate import ids
from adgate import records as r
from adgate.policy import validity
from adgate.policy.tokens import (
    LONG_LIVED_USER_SECONDS,
    SHORT_LIVED_USER_SECONDS,
    page_token_expires_at,
)
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens.issuer import Issuer
from adgate.store.interfaces import Repos

#: Graph's ``type`` in debug_token for each token kind (docs/graph-facts.md §3; SYSTEM_USER is our reading).
GRAPH_TYPES: dict[str, str] = {"user": "USER", "page": "PAGE", "app": "APP", "system_user": "SYSTEM_USER"}
#: Anything longer is not a token adgate issued: refuse it before hashing.
MAX_TOKEN_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class Presented:
    """A token as found, before it is judged."""

    app: r.App
    #: ``None``: the literal ``{app_id}|{app_secret}``.
    token: r.Token | None
    person: r.Person | None = None
    system_user: r.SystemUser | None = None
    authorization: r.Authorization | None = None
    page_role: str | None = None
    #: The person's permissions granted to the app now (status "granted").
    granted: tuple[str, ...] = ()

    @property
    def kind(self) -> r.TokenKind:
        return "app" if self.token is None else self.token.kind

    @property
    def is_app_secret(self) -> bool:
        return self.token is None

    def verdict(self, now: int) -> validity.Invalid | None:
        if self.token is None:
            return None  # the secret itself was just checked: nothing else can be wrong with it
        return validity.check(
            self.token,
            app=self.app,
            person=self.person,
            authorization=self.authorization,
            page_role=self.page_role,
            now=now,
        )

    def valid_until(self) -> float:
        """Until when a verdict of "valid" stays true if no record changes (:func:`validity.valid_until`)."""
        return math.inf if self.token is None else validity.valid_until(self.token, self.authorization)

    def effective_scopes(self) -> tuple[str, ...]:
        return () if self.token is None else validity.effective_scopes(self.token, self.granted)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is making a Graph call: set on ``GraphCall.caller`` by the gate."""

    app: r.App
    kind: r.TokenKind
    #: ``None`` for the literal ``{app_id}|{app_secret}``.
    token: r.Token | None
    person: r.Person | None
    page_id: str | None
    system_user: r.SystemUser | None
    #: The scopes this call may use: the token's, narrowed to what the person grants now.
    scopes: tuple[str, ...]
    #: The call proved it holds the app secret (a valid appsecret_proof, or the literal secret).
    proven: bool = False

    @property
    def person_id(self) -> str | None:
        return self.person.id if self.person else None

    @property
    def system_user_id(self) -> str | None:
        return self.system_user.id if self.system_user else None

    def has_any(self, *scopes: str) -> bool:
        return bool(set(scopes) & set(self.scopes))


def error_of(invalid: validity.Invalid) -> GraphError:
    return GraphError.of(invalid.reason, **invalid.params)


def caller_of(presented: Presented, *, proven: bool) -> Caller:
    token = presented.token
    return Caller(
        app=presented.app,
        kind=presented.kind,
        token=token,
        person=presented.person,
        page_id=token.page_id if token else None,
        system_user=presented.system_user,
        scopes=presented.effective_scopes(),
        proven=proven or presented.is_app_secret,
    )


#: Decrypted app secrets kept (by ciphertext) before the memo starts over.
SECRETS_KEPT = 10_000


class Tokens:
    def __init__(self, core: Core) -> None:
        self.core = core
        self._secrets: dict[str, str] = {}

    async def find(self, raw: str) -> Presented | None:
        """The token ``raw`` names, with what its validity depends on; None if there is none."""
        raw = raw.strip()
        if not raw or len(raw) > MAX_TOKEN_LENGTH:
            return None
        literal = await self._literal_app_secret(raw)
        if literal is not None:
            return Presented(app=literal, token=None)
        digest = self.core.keyring.digest(raw)
        return await self.core.db.cached(("presented", digest), lambda tx: find_by_digest(tx, digest))

    async def present(self, raw: str) -> Presented:
        """Like :meth:`find`, but a token that does not exist is refused with 190."""
        presented = await self.find(raw)
        if presented is None:
            raise GraphError.of("token_malformed")
        return presented

    async def authenticate(self, raw: str, *, proven: bool = False) -> Caller:
        """A valid token's caller, or the error that says why it is not valid."""
        presented = await self.present(raw)
        invalid = presented.verdict(self.core.now())
        if invalid is not None:
            raise error_of(invalid)
        return caller_of(presented, proven=proven)

    def app_secret(self, app: r.App) -> str:
        """The app's secret in clear (decrypted once per ciphertext)."""
        ciphertext = app.secret_encrypted
        secret = self._secrets.get(ciphertext)
        if secret is None:
            secret = self.core.keyring.decrypt(ciphertext)
            if len(self._secrets) >= SECRETS_KEPT:
                self._secrets.clear()
            self._secrets[ciphertext] = secret
        return secret

    def app_secret_matches(self, app: r.App, secret: str) -> bool:
        return hmac.compare_digest(self.app_secret(app).encode(), secret.encode())

    async def _literal_app_secret(self, raw: str) -> r.App | None:
        app_id, sep, secret = raw.partition("|")
        if not sep or not secret or not ids.is_numeric_id(app_id):
            return None
        app = await self.core.db.cached(("app", app_id), lambda tx: tx.apps.get(app_id))
        if app is None or not self.app_secret_matches(app, secret):
            return None
        return app


async def find_by_digest(tx: Repos, digest: str) -> Presented | None:
    """The token stored under ``digest`` with what its validity depends on, read in ``tx``."""
    token = await tx.tokens.get(digest)
    return None if token is None else await load(tx, token)


async def load(tx: Repos, token: r.Token) -> Presented:
    """Read everything :func:`adgate.policy.validity.check` needs about ``token``."""
    app = await tx.apps.get(token.app_id)
    if app is None:  # apps are never deleted; a row without its app is a broken database
        raise GraphError.of("token_malformed")
    person = authorization = None
    page_role: str | None = None
    granted: tuple[str, ...] = ()
    if token.person_id is not None:
        person = await tx.people.get(token.person_id)
        authorization = await tx.grants.authorization(app.id, token.person_id)
        granted = tuple(
            g.permission for g in await tx.grants.for_person(app.id, token.person_id) if g.status == "granted"
        )
        if token.page_id is not None:
            role = await tx.page_roles.get(token.page_id, token.person_id)
            page_role = role.role if role else None
    system_user = None
    if token.system_user_id is not None:
        system_user = await tx.system_users.get(token.system_user_id)
    return Presented(
        app=app,
        token=token,
        person=person,
        system_user=system_user,
        authorization=authorization,
        page_role=page_role,
        granted=granted,
    )


# --- issuing user and page tokens ---------------------------------------------------------------
async def issue_user_token(
    tx: Repos,
    app: r.App,
    person: r.Person,
    scopes: tuple[str, ...],
    now: int,
    *,
    issuer: Issuer,
    long_lived: bool,
    code_digest: str | None = None,
) -> tuple[str, int]:
    """A user token, inside the caller's transaction: ``(raw token, expires_in)``.

    Short-lived: the client-side flow's token (``response_type=token``), "about one to two hours"
    (seed), extendable with ``fb_exchange_token``. Long-lived: the server-side flow's and
    ``fb_exchange_token``'s token, about 60 days (docs/graph-facts.md §1.2, §1.3). ``code_digest`` ties it to
    the
    code it came from, so a replay of that code revokes it.
    """
    lifetime = LONG_LIVED_USER_SECONDS if long_lived else SHORT_LIVED_USER_SECONDS
    raw, _token = await issuer.issue(
        tx,
        kind="user",
        app=app,
        person=person,
        now=now,
        expires_at=now + lifetime,
        scopes=scopes,
        long_lived=long_lived,
        code_digest=code_digest,
    )
    return raw, lifetime


async def issue_short_lived_user_token(
    tx: Repos, app: r.App, person: r.Person, scopes: tuple[str, ...], now: int, *, issuer: Issuer
) -> tuple[str, int]:
    """The client-side flow's token (``response_type=token``): :func:`issue_user_token`, short."""
    return await issue_user_token(tx, app, person, scopes, now, issuer=issuer, long_lived=False)


async def issue_long_lived_user_token(
    tx: Repos,
    app: r.App,
    person: r.Person,
    scopes: tuple[str, ...],
    now: int,
    *,
    issuer: Issuer,
    code_digest: str | None = None,
) -> tuple[str, int]:
    """The server-side flow's and ``fb_exchange_token``'s token: :func:`issue_user_token`, long."""
    return await issue_user_token(
        tx, app, person, scopes, now, issuer=issuer, long_lived=True, code_digest=code_digest
    )


async def issue_page_token(
    tx: Repos, caller: Caller, page_id: str, now: int, *, issuer: Issuer
) -> tuple[str, r.Token]:
    """A page token for ``page_id`` taken with the caller's user token (docs/graph-facts.md §2, §6).

    From a long-lived user token it never expires; from a short-lived one it lasts an hour. It
    carries the user token's scopes as they are now, its person's epochs (so a password change or
    log-out kills it too) and its code (so a replayed code kills it too).
    """
    parent = caller.token
    assert parent is not None, "page tokens come from user tokens"
    assert caller.person is not None, "page tokens come from user tokens"
    return await issuer.issue(
        tx,
        kind="page",
        app=caller.app,
        person=caller.person,
        page_id=page_id,
        now=now,
        expires_at=page_token_expires_at(parent.long_lived, now),
        scopes=caller.scopes,
        long_lived=parent.long_lived,
        code_digest=parent.code_digest,
    )
