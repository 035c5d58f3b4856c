"""The login flow, app side (seed, "Permissions to Manage Ads" and "Manually Obtain the Token").

1. :meth:`LoginFlow.login_url` — the dialog URL: ``{dialog}/{ver}/dialog/oauth?client_id&
   redirect_uri&scope&state`` (+ ``auth_type=rerequest`` to ask again for declined permissions).
2. :meth:`LoginFlow.parse_callback` — the browser comes back to ``redirect_uri``: the state is
   checked against the session, then either ``?code=…`` (:class:`Authorized`) or
   ``?error=access_denied&error_reason=user_denied…`` (:class:`Denied`) — docs/graph-facts.md §1.1.
3. :meth:`LoginFlow.exchange_code` — ``GET {graph}/{ver}/oauth/access_token?client_id&redirect_uri&
   client_secret&code`` with the *identical* redirect URI (docs/graph-facts.md §1.2).
4. :meth:`LoginFlow.extend` — ``grant_type=fb_exchange_token`` for a ~60-day token (docs/graph-facts.md §1.3).
5. :meth:`LoginFlow.pages` — ``/me/accounts?fields=id,name,access_token``: the person's Pages and
   their page tokens, which never expire when taken with a long-lived token (docs/graph-facts.md §2, §6).

:meth:`LoginFlow.complete` runs 2-4 and asks the debugger who the token belongs to.

After a login the app should give the browser a new session id (against session fixation, as
usual): a reloaded callback page then fails the state check instead of replaying the code, which
Graph answers by revoking the tokens that code gave (RFC 6749 §10.5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from adgate.client.errors import ClientError, GraphAPIError
from adgate.client.http import GraphClient
from adgate.client.state import LOGIN, REASK, State, StateSigner
from adgate.client.store import StoredToken, TokenStore
from adgate.client.token_info import TokenInfo, debug_token

#: A token with less left than this is exchanged for a long-lived one after login.
EXTEND_BELOW = 2 * 86400


@dataclass(frozen=True, slots=True)
class Authorized:
    """The person allowed: a code to exchange."""

    code: str = field(repr=False)
    state: State


@dataclass(frozen=True, slots=True)
class Denied:
    """The person cancelled or declined (``error=access_denied&error_reason=user_denied``)."""

    error: str
    reason: str | None
    description: str | None
    error_code: int | None
    state: State


CallbackResult = Authorized | Denied


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """An ``oauth/access_token`` answer: ``{"access_token", "token_type": "bearer", "expires_in"}``."""

    access_token: str = field(repr=False)
    token_type: str
    expires_in: int | None
    #: Unix seconds, from ``expires_in``; None when the answer gave no lifetime.
    expires_at: int | None


@dataclass(frozen=True, slots=True)
class PageToken:
    id: str
    name: str
    access_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Login:
    """A finished login: the (long-lived) user token and what the debugger says about it."""

    token: str = field(repr=False)
    person_id: str
    scopes: tuple[str, ...]
    #: Asked for but not granted (declined, or not grantable): ask again with ``rerequest=True``.
    missing: tuple[str, ...]
    expires_at: int | None
    data_access_expires_at: int | None
    state: State

    def save_to(
        self, store: TokenStore, app_id: str, *, contact_email: str | None = None, label: str | None = None
    ) -> StoredToken:
        return store.save(
            self.token,
            app_id=app_id,
            kind="user",
            person_id=self.person_id,
            scopes=self.scopes,
            expires_at=self.expires_at,
            data_access_expires_at=self.data_access_expires_at,
            contact_email=contact_email,
            label=label,
        )


def callback_params(callback: str | Mapping[str, str]) -> dict[str, str]:
    """The query of a callback: a full URL, a bare query string, or an already-parsed mapping."""
    if isinstance(callback, Mapping):
        return {str(k): str(v) for k, v in callback.items()}
    query = urlsplit(callback).query if "?" in callback or "://" in callback else callback
    return dict(parse_qsl(query, keep_blank_values=True))


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class LoginFlow:
    """The dialog URL, the callback and the token calls for one app and one redirect URI."""

    def __init__(
        self,
        graph: GraphClient,
        redirect_uri: str,
        state: StateSigner,
        *,
        scopes: Iterable[str] = (),
    ) -> None:
        self.graph = graph
        self.config = graph.config
        self.redirect_uri = redirect_uri
        self.states = state
        self.scopes = tuple(scopes)

    # --- 1. the dialog URL --------------------------------------------------------------------
    def login_url(
        self,
        session_id: str,
        *,
        scopes: Sequence[str] | None = None,
        rerequest: bool = False,
        auth_type: str | None = None,
        subject: str = "",
    ) -> str:
        """The dialog URL for a login started in browser session ``session_id``."""
        state = self.states.issue(session_id, purpose=LOGIN, subject=subject)
        return self.dialog_url(state, scopes, auth_type or ("rerequest" if rerequest else None))

    def dialog_url(
        self, state: str, scopes: Sequence[str] | None = None, auth_type: str | None = None
    ) -> str:
        params = {"client_id": self.config.app_id, "redirect_uri": self.redirect_uri, "state": state}
        wanted = self.scopes if scopes is None else tuple(scopes)
        if wanted:
            params["scope"] = ",".join(wanted)
        if auth_type:
            params["auth_type"] = auth_type
        return f"{self.config.dialog_endpoint}?{urlencode(params)}"

    # --- 2. the callback ----------------------------------------------------------------------
    @staticmethod
    def is_reask(callback: str | Mapping[str, str]) -> bool:
        """Whether a callback comes from an e-mailed re-ask link (route it to the Reasker).

        Only a routing hint: the state is verified by whichever handler completes the login.
        """
        parts = callback_params(callback).get("state", "").split(".")
        return len(parts) == 6 and parts[1] == REASK

    def parse_callback(self, callback: str | Mapping[str, str], session_id: str) -> CallbackResult:
        """Check the state, then read the code or the denial. Raises StateError on a bad state."""
        params = callback_params(callback)
        state = self.states.verify(params.get("state"), session_id)
        if "error" in params or "error_reason" in params:
            return Denied(
                error=params.get("error") or "access_denied",
                reason=params.get("error_reason"),
                description=params.get("error_description"),
                error_code=_int(params.get("error_code")),
                state=state,
            )
        code = params.get("code")
        if not code:
            raise ClientError("the callback carries neither a code nor an error")
        return Authorized(code, state)

    # --- 3 and 4. tokens ----------------------------------------------------------------------
    def exchange_code(self, code: str) -> TokenGrant:
        body = self.graph.get(
            "oauth/access_token",
            {
                "client_id": self.config.app_id,
                "redirect_uri": self.redirect_uri,
                "client_secret": self.config.app_secret,
                "code": code,
            },
        )
        return self._grant(body)

    def extend(self, token: str) -> TokenGrant:
        """A long-lived (~60 days) user token for a short-lived one."""
        body = self.graph.get(
            "oauth/access_token",
            {
                "grant_type": "fb_exchange_token",
                "client_id": self.config.app_id,
                "client_secret": self.config.app_secret,
                "fb_exchange_token": token,
            },
        )
        return self._grant(body)

    def _grant(self, body: Any) -> TokenGrant:
        if not isinstance(body, Mapping) or not isinstance(body.get("access_token"), str):
            raise GraphAPIError("The token endpoint answered without an access_token", code=None)
        # Before v2.3 the answer was form-encoded with ``expires`` (docs/graph-facts.md §1.2).
        expires_in = _int(body.get("expires_in", body.get("expires")))
        now = int(self.states.now())
        return TokenGrant(
            access_token=body["access_token"],
            token_type=str(body.get("token_type") or "bearer"),
            expires_in=expires_in,
            expires_at=now + expires_in if expires_in else None,
        )

    def complete(self, callback: str | Mapping[str, str], session_id: str) -> Login | Denied:
        """The whole callback: state, code exchange, long-lived token, who it belongs to."""
        result = self.parse_callback(callback, session_id)
        if isinstance(result, Denied):
            return result
        return self.finish(result)

    def finish(self, authorized: Authorized) -> Login:
        grant = self.exchange_code(authorized.code)
        now = int(self.states.now())
        if grant.expires_at is not None and grant.expires_at - now < EXTEND_BELOW:
            grant = self.extend(grant.access_token)
        info = self.inspect(grant.access_token)
        if not info.is_valid or info.user_id is None:
            raise GraphAPIError("The new token is not a valid user token", code=None)
        wanted = authorized_scopes(self.scopes)
        return Login(
            token=grant.access_token,
            person_id=info.user_id,
            scopes=info.scopes,
            missing=tuple(s for s in wanted if s not in info.scopes),
            expires_at=info.expires_at or grant.expires_at,
            data_access_expires_at=info.data_access_expires_at,
            state=authorized.state,
        )

    def inspect(self, token: str) -> TokenInfo:
        return debug_token(self.graph, token)

    # --- 5. pages -----------------------------------------------------------------------------
    def pages(self, user_token: str, *, limit: int = 100) -> list[PageToken]:
        """The person's Pages with page tokens, every page of the list (cursor ``after``)."""
        found: list[PageToken] = []
        params: dict[str, str] = {"fields": "id,name,access_token", "limit": str(limit)}
        while True:
            body = self.graph.get("me/accounts", params, token=user_token)
            data = body.get("data") if isinstance(body, Mapping) else None
            if not isinstance(data, list) or not data:
                return found
            for page in data:
                if isinstance(page, Mapping) and isinstance(page.get("access_token"), str):
                    found.append(
                        PageToken(str(page.get("id")), str(page.get("name") or ""), page["access_token"])
                    )
            paging = body.get("paging") if isinstance(body, Mapping) else None
            cursors = paging.get("cursors") if isinstance(paging, Mapping) else None
            after = cursors.get("after") if isinstance(cursors, Mapping) else None
            if not isinstance(paging, Mapping) or not paging.get("next") or not isinstance(after, str):
                return found
            params = {**params, "after": after}


def authorized_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """The scopes worth checking after login (``public_profile`` is always granted)."""
    return tuple(s for s in dict.fromkeys(scopes) if s and s != "public_profile")
