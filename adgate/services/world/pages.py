"""Pages and page tokens: ``GET /me/accounts`` and ``GET /{page-id}?fields=access_token``
(docs/graph-facts.md §2, §6).

Seed, "Get Permanent Page Access Token": a page token taken with a long-lived user token never
expires; with a short-lived one it lasts an hour. The pages listed are those the person has a
role on that can act for the Page (admin, editor, moderator, advertiser); each listed page gets a
fresh page token (Graph's "appears as a new string") when ``access_token`` is among the fields,
which it is by default. The gate has already checked ``manage_pages`` or ``pages_show_list``.

``GET /{page-id}`` shows ``id``, ``name``, ``category`` to any token; ``access_token`` only to a user
token of a person with such a role and one of those permissions — otherwise the field is left
out, the way Graph leaves out fields a token may not see.
"""

from __future__ import annotations

from typing import Any

from adgate import records as r
from adgate.policy.validity import PAGE_TOKEN_ROLES
from adgate.protocol.errors import GraphError
from adgate.protocol.params import select_fields
from adgate.services.context import Core
from adgate.services.tokens.callers import Caller, issue_page_token

PAGE_PERMISSIONS: tuple[str, ...] = ("manage_pages", "pages_show_list")
ACCOUNT_FIELDS: tuple[str, ...] = ("access_token", "category", "name", "id", "tasks")
PAGE_FIELDS: tuple[str, ...] = ("name", "id")
#: What each Page role may do, as Graph lists it in ``tasks``.
TASKS: dict[str, list[str]] = {
    "admin": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"],
    "editor": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE"],
    "moderator": ["ANALYZE", "MESSAGING", "MODERATE"],
    "advertiser": ["ADVERTISE", "ANALYZE"],
    "analyst": ["ANALYZE"],
}


def _wants(fields: list[str] | None, default: tuple[str, ...], name: str) -> bool:
    return name in (default if fields is None else [f.split("{", 1)[0] for f in fields])


class Pages:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def accounts(self, caller: Caller, fields: list[str] | None) -> list[dict[str, Any]]:
        """The caller's person's Pages, each with a page token (when asked for)."""
        assert caller.person is not None
        with_token = _wants(fields, ACCOUNT_FIELDS, "access_token")
        now = self.core.now()
        out: list[dict[str, Any]] = []
        async with self.core.db.transaction() as tx:
            for role in await tx.page_roles.for_person(caller.person.id):
                page = await tx.pages.get(role.object_id)
                if page is None or role.role not in PAGE_TOKEN_ROLES:
                    continue
                obj = _page_json(page, role.role)
                if with_token:
                    obj["access_token"], _token = await issue_page_token(
                        tx, caller, page.id, now, issuer=self.core.issuer
                    )
                out.append(select_fields(obj, fields, ACCOUNT_FIELDS))
        return out

    async def page(self, caller: Caller, page_id: str, fields: list[str] | None) -> dict[str, Any]:
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            page = await tx.pages.get(page_id)
            if page is None:
                raise GraphError.of("unsupported_get", node=page_id)
            role = None
            if caller.kind == "user" and caller.person is not None:
                role = await tx.page_roles.get(page_id, caller.person.id)
            obj = _page_json(page, role.role if role else None)
            may_take_token = (
                role is not None and role.role in PAGE_TOKEN_ROLES and caller.has_any(*PAGE_PERMISSIONS)
            )
            if may_take_token and _wants(fields, PAGE_FIELDS, "access_token"):
                obj["access_token"], _token = await issue_page_token(
                    tx, caller, page.id, now, issuer=self.core.issuer
                )
        return select_fields(obj, fields, PAGE_FIELDS)


def _page_json(page: r.Page, role: str | None) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": page.id, "name": page.name, "category": page.category}
    if role is not None:
        obj["tasks"] = TASKS.get(role, [])
    return obj
