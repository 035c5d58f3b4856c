"""The console's token tools: the Access Token Debugger, Extend Access Token, the explorer's code.

Seed, "Check the properties in Access Token Debugger" and "Exchange for Long-Lived Access Token":
"Paste the access token … and click Debug"; "Click Extend Access Token to get a long-lived token".

The debugger shows exactly what ``debug_token`` shows (:class:`adgate.services.tokens.debug.Debugger`),
seen by the signed-in person: as on Graph, a person may look at tokens of the apps they are an
administrator or developer of. Extending and redeeming a code need the app secret, which the
console holds on the person's behalf for those apps only; it is never sent to the browser.
"""

from __future__ import annotations

from typing import Any

from adgate import records as r
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens.callers import Caller, Tokens
from adgate.services.tokens.debug import DEBUGGING_ROLES, Debugger, error_json
from adgate.services.tokens.exchange import Exchange, TokenRequest


class TokenTools:
    def __init__(self, core: Core, tokens: Tokens) -> None:
        self.core = core
        self.tokens = tokens
        self.debugger = Debugger(core, tokens)
        self.exchange = Exchange(core, tokens)

    async def debug(self, person: r.Person, raw: str) -> dict[str, Any]:
        """``debug_token``'s ``data`` for ``raw``, as a developer of its app sees it."""
        raw = (raw or "").strip()
        if not raw:
            raise GraphError.invalid("Paste an access token to debug.")
        presented = await self.tokens.find(raw)
        if presented is None:
            return {"error": error_json(GraphError.of("token_malformed")), "is_valid": False, "scopes": []}
        await self._developer(person, presented.app)
        viewer = Caller(
            app=presented.app,
            kind="user",
            token=None,
            person=person,
            page_id=None,
            system_user=None,
            scopes=(),
        )
        result: dict[str, Any] = (await self.debugger.debug(viewer, raw))["data"]
        return result

    async def extend(self, person: r.Person, raw: str) -> dict[str, Any]:
        """``fb_exchange_token`` with the app's secret: a new long-lived user token."""
        raw = (raw or "").strip()
        if not raw:
            raise GraphError.invalid("Paste a user access token to extend.")
        presented = await self.tokens.find(raw)
        if presented is None:
            raise GraphError.invalid("This is not an access token adgate issued, so it cannot be extended.")
        app = await self._developer(person, presented.app)
        secret = self.core.keyring.decrypt(app.secret_encrypted)
        request = TokenRequest(
            grant_type="fb_exchange_token", client_id=app.id, client_secret=secret, fb_exchange_token=raw
        )
        return await self.exchange.token(request)

    async def redeem_code(self, person: r.Person, app_id: str, code: str, redirect_uri: str) -> str:
        """The explorer's server-side flow: the code from the dialog, exchanged with the secret."""
        async with self.core.db.transaction() as tx:
            app = await tx.apps.get(app_id) if app_id.isdigit() else None
        if app is None:
            raise GraphError.of("not_found", node=app_id)
        await self._developer(person, app)
        secret = self.core.keyring.decrypt(app.secret_encrypted)
        request = TokenRequest(
            grant_type="authorization_code",
            client_id=app.id,
            client_secret=secret,
            code=code,
            redirect_uri=redirect_uri,
        )
        body = await self.exchange.token(request)
        token: str = body["access_token"]
        return token

    async def _developer(self, person: r.Person, app: r.App) -> r.App:
        async with self.core.db.transaction() as tx:
            role = await tx.app_roles.get(app.id, person.id)
        if role is None or role.role not in DEBUGGING_ROLES:
            raise GraphError.invalid(
                f"This token belongs to app {app.id}, which you are not an administrator or developer "
                "of: only they may look at its tokens."
            )
        return app
