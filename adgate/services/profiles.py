"""``GET /me``: the person, Page or system user a token speaks for (facts §2, §6).

A user token's ``/me`` is its person (``id``, ``name``; ``email`` when asked for and granted), a
page token's is its Page, a system-user token's is the system user. An app token has no ``/me``:
Graph answers 2500 "An active access token must be used to query information about the current
user."
"""

from __future__ import annotations

from typing import Any

from adgate.protocol.errors import GraphError
from adgate.protocol.params import select_fields
from adgate.services.context import Core
from adgate.services.tokens import Caller

DEFAULT_FIELDS: tuple[str, ...] = ("id", "name")


class Profiles:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def me(self, caller: Caller, fields: list[str] | None) -> dict[str, Any]:
        if caller.kind == "user" and caller.person is not None:
            person = caller.person
            email = person.email if caller.has_any("email") else None
            return select_fields(
                {"id": person.id, "name": person.name, "email": email}, fields, DEFAULT_FIELDS
            )
        if caller.kind == "system_user" and caller.system_user is not None:
            user = caller.system_user
            return select_fields(
                {"id": user.id, "name": user.name, "role": user.role}, fields, DEFAULT_FIELDS
            )
        if caller.kind == "page" and caller.page_id is not None:
            async with self.core.db.transaction() as tx:
                page = await tx.pages.get(caller.page_id)
            if page is None:
                raise GraphError.of("not_found", node=caller.page_id)
            obj = {"id": page.id, "name": page.name, "category": page.category}
            return select_fields(obj, fields, DEFAULT_FIELDS)
        raise GraphError.of("no_token")
