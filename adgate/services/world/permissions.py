"""A person's permissions for an app: read them, revoke one, or de-authorize the app (docs/graph-facts.md §6).

- ``GET /{user}/permissions`` → ``[{"permission", "status"}]`` with ``granted`` / ``declined``.
- ``DELETE /{user}/permissions/{perm}``: the permission becomes ``declined`` and stops working on
  the tokens the person already gave the app — the gate uses the token's scopes narrowed to the
  grants of the moment (:func:`adgate.policy.validity.effective_scopes`).
- ``DELETE /{user}/permissions``: de-authorizes the app (seed, "Store Token": "the user revokes
  permissions"). The authorization ends, every grant goes, every token of that person for that app
  is revoked — each then fails with 190/458 — and codes not yet exchanged are cut short. A later
  login authorizes afresh; revoked tokens stay dead.

Who may ask (docs/graph-facts.md §6): the person, with their user token (``/me`` or their own id), or the app,
with an app token, about any person (``/{user-id}/permissions``). ``public_profile`` cannot be
revoked alone (adgate's choice; de-authorize instead).
"""

from __future__ import annotations

from dataclasses import replace

from adgate.policy.permissions import DEFAULT_PERMISSIONS, PERMISSIONS
from adgate.protocol.errors import GraphError
from adgate.services.callbacks import Callbacks
from adgate.services.context import Core
from adgate.services.tokens.callers import Caller

#: Graph's name for the node a token's /me is, when it is not a person (docs/graph-facts.md §6 error text).
NODE_TYPES: dict[str, str] = {"page": "Page", "system_user": "SystemUser", "app": "Application"}


def me_person_id(caller: Caller, edge: str) -> str:
    """The person ``/me`` is for an edge that only people have."""
    if caller.kind == "app":
        raise GraphError.of("no_token")
    if caller.kind != "user" or caller.person is None:
        raise GraphError.of("nonexisting_field", field=edge, node_type=NODE_TYPES[caller.kind])
    return caller.person.id


def subject(caller: Caller, node_id: str | None, edge: str, method: str) -> str:
    """The person a ``/me/…`` or ``/{user-id}/…`` call is about, if the caller may ask about them."""
    if node_id is None:
        return me_person_id(caller, edge)
    if caller.kind == "app" or (caller.kind == "user" and caller.person_id == node_id):
        return node_id
    raise GraphError.unsupported(method, node_id)


class Permissions:
    def __init__(self, core: Core, callbacks: Callbacks) -> None:
        self.core = core
        self.callbacks = callbacks

    async def list(self, app_id: str, person_id: str, permission: str | None = None) -> list[dict[str, str]]:
        async with self.core.db.transaction() as tx:
            grants = await tx.grants.for_person(app_id, person_id)
        return [
            {"permission": g.permission, "status": g.status}
            for g in grants
            if permission is None or g.permission == permission
        ]

    async def revoke(self, app_id: str, person_id: str, permission: str) -> None:
        if permission not in PERMISSIONS:
            raise GraphError.invalid(f"Unknown permission: {permission[:64]}")
        if permission in DEFAULT_PERMISSIONS:
            raise GraphError.invalid(
                f"{permission} cannot be revoked on its own: DELETE /me/permissions removes the app"
            )
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            for grant in await tx.grants.for_person(app_id, person_id):
                if grant.permission == permission and grant.status == "granted":
                    await tx.grants.set(replace(grant, status="declined", updated_at=now))
                    await self.callbacks.permissions_changed(tx, app_id, person_id, {permission: "revoked"})
        self.callbacks.wake()

    async def deauthorize(self, app_id: str, person_id: str) -> None:
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            authorization = await tx.grants.authorization(app_id, person_id)
            if authorization is not None and authorization.deauthorized_at is None:
                await tx.grants.set_authorization(replace(authorization, deauthorized_at=now))
            granted = [
                g.permission for g in await tx.grants.for_person(app_id, person_id) if g.status == "granted"
            ]
            await tx.grants.remove(app_id, person_id)
            await tx.tokens.revoke_where(now, "deauthorized", app_id=app_id, person_id=person_id)
            await tx.codes.expire_for(person_id, now, app_id=app_id)
            if authorization is not None and authorization.deauthorized_at is None:
                await self.callbacks.deauthorized(tx, app_id, person_id, granted)
        self.callbacks.wake()
