"""Creating a Page through the API: ``POST /{user-id}/accounts`` with ``name`` and ``category``.

Seed, "Limits", Page Creation: "Cannot create pages through the API" at Development and Basic,
"Can create pages through the API" at Standard. The gate refuses it by level
(``Need.page_creation``, :func:`adgate.policy.access.level_rule`); this creates the Page, with
the calling person as its admin, in one transaction. Answers ``{"id": page_id}`` as Graph does.
"""

from __future__ import annotations

from typing import Any

from adgate import ids
from adgate import records as r
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens import Caller


def _text(value: str | None, name: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > 200:
        raise GraphError.invalid(f"Param {name} must be 1 to 200 characters")
    return value


async def create_page(core: Core, caller: Caller, name: str | None, category: str | None) -> dict[str, Any]:
    if caller.person is None:
        raise GraphError.of("permission_denied")
    page = r.Page(
        id=ids.new_id(),
        name=_text(name, "name"),
        category=_text(category, "category"),
        business_id=None,
        created_at=core.now(),
    )
    async with core.db.transaction() as tx:
        await tx.pages.add(page)
        await tx.nodes.add(page.id, "page")
        await tx.page_roles.set(r.Role(page.id, caller.person.id, "admin"))
    return {"id": page.id}
