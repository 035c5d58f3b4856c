"""``/me`` and permissions (docs/graph-facts.md §6): who the token speaks for, and what the person granted.

- ``GET /me`` · ``GET /me/permissions`` · ``GET /me/permissions/{perm}`` (and every ``/me``
  endpoint as ``/{user-id}`` for that person's own token: :func:`adgate.services.gate.router.dispatch`)
- ``GET /{user-id}/permissions[/{perm}]`` (the person's own token, or an app token of the app)
- ``DELETE /me/permissions`` and ``DELETE /{user-id}/permissions``: de-authorize the app
- ``DELETE /me/permissions/{perm}`` and ``DELETE /{user-id}/permissions/{perm}``: revoke one

Deletes answer ``{"success": true}``, never a bare ``true`` (the SDK fails on a bare boolean,
docs/graph-facts.md §12.3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adgate.protocol.errors import GraphError
from adgate.services.gate.call import GraphCall
from adgate.services.gate.router import GraphRouter
from adgate.services.world.permissions import Permissions, subject
from adgate.services.world.profiles import Profiles
from adgate.web.endpoints.callers import caller_of, no_rest
from adgate.web.endpoints.marketing import base_url

if TYPE_CHECKING:
    from adgate.services.registry import Services


def _one_permission(call: GraphCall) -> str | None:
    if len(call.rest) > 1:
        raise GraphError.of("unknown_path", path=call.path)
    return call.rest[0] if call.rest else None


def register(router: GraphRouter, services: Services) -> None:
    profiles = Profiles(services.core)
    permissions = Permissions(services.core, services.callbacks)

    @router.route("GET", "me")
    async def me(call: GraphCall) -> Any:
        no_rest(call)
        picture = f"{base_url(call)}/static/silhouette.svg"
        return await profiles.me(caller_of(call), call.params.fields(), picture)

    async def list_permissions(call: GraphCall) -> Any:
        caller = caller_of(call)
        person_id = subject(caller, call.node_id, "permissions", call.method)
        return {"data": await permissions.list(caller.app.id, person_id, _one_permission(call))}

    async def delete_permissions(call: GraphCall) -> Any:
        caller = caller_of(call)
        person_id = subject(caller, call.node_id, "permissions", call.method)
        permission = _one_permission(call) or call.params.get_str("permission")
        if permission is None:
            await permissions.deauthorize(caller.app.id, person_id)
        else:
            await permissions.revoke(caller.app.id, person_id, permission)
        return {"success": True}

    for node in ("me", "person"):
        router.route("GET", node, "permissions")(list_permissions)
        router.route("DELETE", node, "permissions")(delete_permissions)
