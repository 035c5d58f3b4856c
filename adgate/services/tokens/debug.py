"""The access token debugger, ``GET /{ver}/debug_token`` (seed, "Check the properties …"; docs/graph-facts.md
§3).

Who may look (docs/graph-facts.md §3; "the tokens must be from the same app"): an app token of the input
token's app, the literal ``{app_id}|{app_secret}``, or a user token of an administrator or
developer of that app. Another app's token gets "(#100) The App_id in the input_token did not
match the Viewing App"; a page, system-user or plain user token gets "(#100) You must provide an
app access token, or a user access token that is an owner or developer of the app".

What it shows: ``app_id, type, application, data_access_expires_at, expires_at (0 = never),
is_valid, issued_at (long-lived tokens only, as Graph documents), scopes, granular_scopes (page
permissions, with the pages they reach; every scope of a system-user token made with ``asset``,
with those assets), user_id, profile_id (the page, for page tokens)``. An
invalid token is still HTTP 200: ``is_valid: false`` and ``error: {code, message, subcode}``
(the inner key is ``subcode``). An input token that is not a token at all (garbage, or one never
issued) gets the same shape with code 190 "Invalid OAuth access token - Cannot parse access token",
no app fields and empty scopes — checked before the viewer, since it names no app.
"""

from __future__ import annotations

from typing import Any

from adgate.policy import validity
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens.callers import GRAPH_TYPES, Caller, Presented, Tokens, error_of

#: App roles whose user tokens may debug the app's tokens.
DEBUGGING_ROLES: frozenset[str] = frozenset({"administrator", "developer"})
#: Permissions that reach single Pages; granular_scopes lists the pages for these.
PAGE_PERMISSIONS: frozenset[str] = frozenset(
    {"manage_pages", "pages_show_list", "pages_read_engagement", "pages_manage_ads", "pages_manage_posts"}
)


def error_json(error: GraphError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.subcode is not None:
        body["subcode"] = error.subcode
    return body


class Debugger:
    def __init__(self, core: Core, tokens: Tokens) -> None:
        self.core = core
        self.tokens = tokens

    async def debug(self, viewer: Caller, input_token: str) -> dict[str, Any]:
        presented = await self.tokens.find(input_token)
        if presented is None:
            return {
                "data": {
                    "error": error_json(GraphError.of("token_malformed")),
                    "is_valid": False,
                    "scopes": [],
                }
            }
        await self._may_view(viewer, presented)
        return {"data": await self._describe(presented)}

    async def _may_view(self, viewer: Caller, presented: Presented) -> None:
        if viewer.app.id != presented.app.id:
            raise GraphError.of("debug_wrong_app")
        if viewer.kind == "app":
            return
        if viewer.kind == "user" and viewer.person is not None:
            app_id, person_id = viewer.app.id, viewer.person.id
            role = await self.core.db.cached(
                ("app_role", app_id, person_id), lambda tx: tx.app_roles.get(app_id, person_id)
            )
            if role is not None and role.role in DEBUGGING_ROLES:
                return
        raise GraphError.of("debug_not_developer")

    async def _describe(self, presented: Presented) -> dict[str, Any]:
        app, token = presented.app, presented.token
        data: dict[str, Any] = {
            "app_id": app.id,
            "type": GRAPH_TYPES[presented.kind],
            "application": app.name,
        }
        if token is None:  # the literal app_id|app_secret
            data.update(data_access_expires_at=0, expires_at=0, is_valid=True, scopes=[])
            return data
        invalid = presented.verdict(self.core.now())
        access_ends = validity.data_access_expires_at(presented.authorization) if token.person_id else None
        data["data_access_expires_at"] = access_ends or 0
        if invalid is not None:
            data["error"] = error_json(error_of(invalid))
        data["expires_at"] = token.expires_at or 0
        data["is_valid"] = invalid is None
        if token.long_lived or token.kind == "app":
            data["issued_at"] = token.issued_at  # "not returned for short-lived access tokens"
        scopes = list(presented.effective_scopes() if invalid is None else token.scopes)
        data["scopes"] = scopes
        granular = await self._granular_scopes(presented, scopes)
        if granular:
            data["granular_scopes"] = granular
        if token.person_id is not None:
            data["user_id"] = token.person_id
        elif token.system_user_id is not None:
            data["user_id"] = token.system_user_id
        if token.page_id is not None:
            data["profile_id"] = token.page_id
        return data

    async def _granular_scopes(self, presented: Presented, scopes: list[str]) -> list[dict[str, Any]]:
        """docs/graph-facts.md §3: page permissions with ``target_ids``, the Pages they reach (user
        tokens); every scope of a system-user token made with ``asset``, with those assets (§7)."""
        token = presented.token
        if token is not None and token.assets is not None:
            return [{"scope": s, "target_ids": list(token.assets)} for s in scopes]
        wanted = [s for s in scopes if s in PAGE_PERMISSIONS]
        if not wanted or token is None or token.kind != "user" or token.person_id is None:
            return []
        async with self.core.db.read() as tx:
            roles = await tx.page_roles.for_person(token.person_id)
        pages = [role.object_id for role in roles if role.role in validity.PAGE_TOKEN_ROLES]
        return [{"scope": s, "target_ids": pages} for s in wanted]
