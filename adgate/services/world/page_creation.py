"""Creating a Page through the API: ``POST /{user-id}/accounts`` with ``name`` and a category.

The category comes as Graph's ``category_enum`` (``LOCAL_BUSINESS``), ``category_list`` (up to
three category ids, a JSON array or a comma list) or the older free-text ``category``; at least one
is needed. adgate keeps one category text per Page (our choice): ``category`` as given, else the
enum in words ("Local business"), else the first listed id.

Seed, "Limits", Page Creation: "Cannot create pages through the API" at Development and Basic,
"Can create pages through the API" at Standard. The gate refuses it by level
(``Need.page_creation``, :func:`adgate.policy.access.level_rule`); this creates the Page, with
the calling person as its admin, in one transaction. Answers ``{"id": page_id}`` as Graph does.
"""

from __future__ import annotations

import re
from typing import Any

from adgate import ids
from adgate import records as r
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens.callers import Caller


def _text(value: str | None, name: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > 200:
        raise GraphError.invalid(f"Param {name} must be 1 to 200 characters")
    return value


_ENUM = re.compile(r"^[A-Z][A-Z0-9_]{0,99}$")
#: Graph allows up to three categories on a Page.
MAX_CATEGORIES = 3


def page_category(category: str | None, category_enum: str | None, category_list: list[str] | None) -> str:
    """The one category text adgate keeps, from whichever of Graph's three parameters came."""
    if category_enum is not None and not _ENUM.match(category_enum):
        raise GraphError.invalid("Param category_enum must be a category name such as LOCAL_BUSINESS")
    if category_list is not None and (
        not category_list
        or len(category_list) > MAX_CATEGORIES
        or not all(ids.is_numeric_id(c) for c in category_list)
    ):
        raise GraphError.invalid(f"Param category_list must be 1 to {MAX_CATEGORIES} numeric category ids")
    if category is not None:
        return _text(category, "category")
    if category_enum is not None:
        return category_enum.replace("_", " ").capitalize()
    if category_list:
        return category_list[0]
    raise GraphError.invalid("A Page needs a category: param category_enum or category_list is required")


async def create_page(
    core: Core,
    caller: Caller,
    name: str | None,
    category: str | None,
    category_enum: str | None = None,
    category_list: list[str] | None = None,
) -> dict[str, Any]:
    if caller.person is None:
        raise GraphError.of("permission_denied")
    page = r.Page(
        id=ids.new_id(),
        name=_text(name, "name"),
        category=page_category(category, category_enum, category_list),
        business_id=None,
        created_at=core.now(),
    )
    async with core.db.transaction() as tx:
        await tx.pages.add(page)
        await tx.nodes.add(page.id, "page")
        await tx.page_roles.set(r.Role(page.id, caller.person.id, "admin"))
    return {"id": page.id}
