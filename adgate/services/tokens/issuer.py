"""Minting opaque tokens and codes, and storing only their keyed digests.

opaque random strings (``secrets``), stored as HMAC-SHA256 digests keyed by the
server secret, never in clear and never logged. A user/page/system-user token looks like a Graph
token (``EAA…``); an app token issued by ``client_credentials`` is ``{app_id}|{random}``, so it
can be told from the literal ``{app_id}|{app_secret}`` only by lookup.
"""

from __future__ import annotations

import secrets

from adgate import records as r
from adgate.keyring import Keyring
from adgate.store.interfaces import Repos

TOKEN_PREFIX = "EAA"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(48).replace("-", "A").replace("_", "B")


def new_app_token(app_id: str) -> str:
    return f"{app_id}|{secrets.token_urlsafe(27)}"


def new_code() -> str:
    return "AQ" + secrets.token_urlsafe(96)


class Issuer:
    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    async def issue(
        self,
        tx: Repos,
        *,
        kind: r.TokenKind,
        app: r.App,
        now: int,
        expires_at: int | None,
        scopes: tuple[str, ...] = (),
        person: r.Person | None = None,
        page_id: str | None = None,
        system_user_id: str | None = None,
        long_lived: bool = False,
        code_digest: str | None = None,
        assets: tuple[str, ...] | None = None,
    ) -> tuple[str, r.Token]:
        """Store a new token in ``tx`` and return it in clear, the only time it exists in clear."""
        raw = new_app_token(app.id) if kind == "app" else new_token()
        token = r.Token(
            digest=self.keyring.digest(raw),
            kind=kind,
            app_id=app.id,
            person_id=person.id if person else None,
            page_id=page_id,
            system_user_id=system_user_id,
            scopes=scopes,
            issued_at=now,
            expires_at=expires_at,
            long_lived=long_lived,
            password_epoch=person.password_epoch if person else 0,
            session_epoch=person.session_epoch if person else 0,
            secret_version=app.secret_version,
            code_digest=code_digest,
            revoked_at=None,
            revoked_reason=None,
            assets=assets,
        )
        await tx.tokens.add(token)
        return raw, token

    async def issue_code(
        self,
        tx: Repos,
        *,
        app: r.App,
        person: r.Person,
        redirect_uri: str,
        scopes: tuple[str, ...],
        now: int,
        expires_at: int,
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
    ) -> str:
        raw = new_code()
        await tx.codes.add(
            r.AuthCode(
                digest=self.keyring.digest(raw),
                app_id=app.id,
                person_id=person.id,
                redirect_uri=redirect_uri,
                scopes=scopes,
                created_at=now,
                expires_at=expires_at,
                used_at=None,
                code_challenge=code_challenge,
                code_challenge_method=code_challenge_method,
            )
        )
        return raw
