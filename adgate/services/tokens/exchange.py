"""The token endpoint, ``GET|POST /{ver}/oauth/access_token`` (docs/graph-facts.md §1.2 to §1.4; RFC 6749
§4.1.3, §4.4).

Three grants, each answered with ``{"access_token", "token_type": "bearer", "expires_in"}``
(``expires_in`` left out for app tokens, ``scope`` always left out: requests-oauthlib warns when it
differs from what was asked, docs/graph-facts.md §12.5):

- ``authorization_code`` (the default when ``code`` is given): the app's credentials, the exact
  ``redirect_uri`` of the dialog request, a code that is single-use and at most 10 minutes old
  (docs/graph-facts.md §1.2; RFC 6749 §4.1.2, RFC 9700 §4.1.3), PKCE when the code carries a challenge
  (RFC 7636 §4.6). The server-side flow gives a long-lived token (about 60 days).
- ``fb_exchange_token``: a valid user token of this app for a new long-lived one (docs/graph-facts.md §1.3);
an
  expired token cannot be exchanged.
- ``client_credentials``: an app token, which does not expire (docs/graph-facts.md §1.4).

A replayed code is refused **and** every token issued from it is revoked (RFC 6749 §4.1.2:
"If an authorization code is used more than once, the authorization server MUST deny the request
and SHOULD revoke (when possible) all tokens previously issued based on that authorization code").
A code is consumed only by a successful exchange: a request that fails client authentication or a
check does not burn a code its rightful owner can still redeem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adgate import ids
from adgate import records as r
from adgate.policy.validity import is_authorized
from adgate.protocol import pkce
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens.callers import Tokens, error_of, issue_long_lived_user_token
from adgate.store.interfaces import Repos

GRANT_TYPES: tuple[str, ...] = ("authorization_code", "fb_exchange_token", "client_credentials")


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """The token endpoint's parameters, from the query, the form body and HTTP Basic."""

    grant_type: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    code: str | None = None
    redirect_uri: str | None = None
    code_verifier: str | None = None
    fb_exchange_token: str | None = None


def bearer_response(access_token: str, expires_in: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"access_token": access_token, "token_type": "bearer"}
    if expires_in is not None:
        body["expires_in"] = expires_in
    return body


class Exchange:
    def __init__(self, core: Core, tokens: Tokens) -> None:
        self.core = core
        self.tokens = tokens

    async def token(self, request: TokenRequest) -> dict[str, Any]:
        grant_type = request.grant_type or ("authorization_code" if request.code else None)
        if grant_type is None:
            raise GraphError.of("missing_parameter", name="code")
        if grant_type not in GRANT_TYPES:
            raise GraphError.of("grant_type_unsupported", grant_type=grant_type[:64])
        app = await self.client(request.client_id, request.client_secret)
        if grant_type == "authorization_code":
            return await self._authorization_code(app, request)
        if grant_type == "fb_exchange_token":
            return await self._fb_exchange_token(app, request)
        return await self._client_credentials(app)

    async def client(self, client_id: str | None, client_secret: str | None) -> r.App:
        """Client authentication (RFC 6749 §2.3.1): the app id, then its secret in constant time."""
        if not client_id:
            raise GraphError.of("missing_parameter", name="client_id")
        if not ids.is_numeric_id(client_id):
            raise GraphError.of("client_id_invalid")
        app = await self.core.db.cached(("app", client_id), lambda tx: tx.apps.get(client_id))
        if app is None:
            raise GraphError.of("client_id_invalid")
        if not client_secret:
            raise GraphError.of("missing_parameter", name="client_secret")
        if not self.tokens.app_secret_matches(app, client_secret):
            raise GraphError.of("client_secret_invalid")
        return app

    # --- authorization_code ---------------------------------------------------------------------
    async def _authorization_code(self, app: r.App, request: TokenRequest) -> dict[str, Any]:
        if not request.code:
            raise GraphError.of("missing_parameter", name="code")
        digest = self.core.keyring.digest(request.code)
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            outcome = await self._redeem(tx, app, request, digest, now)
        # Raised only now, so that a replay's revocations are committed with the transaction.
        if isinstance(outcome, GraphError):
            raise outcome
        return outcome

    async def _redeem(
        self, tx: Repos, app: r.App, request: TokenRequest, digest: str, now: int
    ) -> dict[str, Any] | GraphError:
        # Marked used at once (one statement); any refusal below raises, and the transaction's
        # rollback unmarks it. Of two concurrent exchanges of one code, exactly one marks it.
        code = await tx.codes.use(digest, now)
        if code is None:
            code = await tx.codes.get(digest)
            if code is None or code.app_id != app.id:
                raise GraphError.of("code_invalid")
            return await self._replayed(tx, digest, now)  # used already, or by a concurrent exchange
        if code.app_id != app.id:
            raise GraphError.of("code_invalid")
        if now >= code.expires_at:
            raise GraphError.of("code_expired")
        # RFC 6749 §4.1.3 / RFC 9700 §4.1.3: the very same redirect_uri, compared as a string.
        if request.redirect_uri is None or request.redirect_uri != code.redirect_uri:
            raise GraphError.of("code_redirect_mismatch")
        if not pkce.verifier_matches(code.code_challenge, code.code_challenge_method, request.code_verifier):
            raise GraphError.of("code_verifier")
        found = await tx.grants.authorized_person(app.id, code.person_id)
        if found is None or not is_authorized(found[1]):
            # De-authorized since the login (DELETE /me/permissions also cuts its codes short).
            raise GraphError.of("code_expired")
        raw, expires_in = await issue_long_lived_user_token(
            tx, app, found[0], code.scopes, now, issuer=self.core.issuer, code_digest=digest
        )
        return bearer_response(raw, expires_in)

    @staticmethod
    async def _replayed(tx: Repos, digest: str, now: int) -> GraphError:
        await tx.tokens.revoke_where(now, "code_replayed", code_digest=digest)
        return GraphError.of("code_used")

    # --- fb_exchange_token ----------------------------------------------------------------------
    async def _fb_exchange_token(self, app: r.App, request: TokenRequest) -> dict[str, Any]:
        if not request.fb_exchange_token:
            raise GraphError.of("missing_parameter", name="fb_exchange_token")
        presented = await self.tokens.present(request.fb_exchange_token)
        if presented.app.id != app.id:
            raise GraphError.of("token_wrong_app", app_id=app.id)
        old = presented.token
        if old is None or old.kind != "user" or presented.person is None:
            raise GraphError.invalid("fb_exchange_token must be a user access token")
        now = self.core.now()
        invalid = presented.verdict(now)
        if invalid is not None:
            raise error_of(invalid)  # docs/graph-facts.md §1.3: an expired token cannot be exchanged
        async with self.core.db.transaction() as tx:
            raw, expires_in = await issue_long_lived_user_token(
                tx,
                app,
                presented.person,
                old.scopes,
                now,
                issuer=self.core.issuer,
                code_digest=old.code_digest,
            )
        return bearer_response(raw, expires_in)

    # --- client_credentials ---------------------------------------------------------------------
    async def _client_credentials(self, app: r.App) -> dict[str, Any]:
        async with self.core.db.transaction() as tx:
            raw, _token = await self.core.issuer.issue(
                tx, kind="app", app=app, now=self.core.now(), expires_at=None
            )
        return bearer_response(raw, None)
