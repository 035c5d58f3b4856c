"""Who may use the review API, and the composition of the review service.

- The developer's side (``/_apps/{app_id}/review…``): the admin key, or a user token of the app
  whose person is one of its administrators or developers (:func:`authorize_manager`).
- The reviewer's side (``/_review/…``): the admin key, or a valid user token (of any app) whose
  person has the reviewer role (``is_reviewer``; the sandbox creates such people).

Each answers the actor the audit trail records: ``admin`` or the person's id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adgate.keyring import AdminKey
from adgate.protocol.errors import GraphError
from adgate.services.account_list import authorize_manager
from adgate.services.context import Core
from adgate.services.tokens.callers import Tokens

if TYPE_CHECKING:
    pass

ADMIN = "admin"


def _is_admin(raw: str, admin_key: str | None) -> bool:
    return AdminKey(admin_key).matches(raw)


async def manager_actor(
    core: Core, tokens: Tokens, app_id: str, raw_token: str | None, admin_key: str | None
) -> str:
    raw = (raw_token or "").strip()
    await authorize_manager(core, tokens, app_id, raw, admin_key)
    if _is_admin(raw, admin_key):
        return ADMIN
    caller = await tokens.authenticate(raw)
    assert caller.person is not None  # authorize_manager accepted only a person's user token
    return caller.person.id


async def reviewer_actor(tokens: Tokens, raw_token: str | None, admin_key: str | None) -> str:
    raw = (raw_token or "").strip()
    if not raw:
        raise GraphError.of("review_unauthorized")
    if _is_admin(raw, admin_key):
        return ADMIN
    try:
        caller = await tokens.authenticate(raw)
    except GraphError:
        raise GraphError.of("review_unauthorized") from None
    if caller.kind != "user" or caller.person is None:
        raise GraphError.of("review_unauthorized")
    if not caller.person.is_reviewer:
        raise GraphError.of("review_forbidden", user_id=caller.person.id)
    return caller.person.id
