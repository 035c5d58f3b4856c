"""Ad accounts as Graph shows them: ``GET /act_<n>``, ``POST /act_<n>``, ``GET /me/adaccounts``.

A minimal Marketing surface so that the gate is exercised by real calls; campaigns, ad sets, ads
and insights come with the Marketing objects issue. The gate has already decided who may call
(:mod:`adgate.services.gate.access`); these functions only read and write.

``GET /me/adaccounts`` (docs/graph-facts.md §6; the SDK's most basic call) lists the person's own ad accounts:
those they hold a role on, and those of businesses they administer; for a system user, its
business's accounts. Choices where the sources are silent:

- It is not refused below Standard: the accounts it lists are identified (the token's own), and a
  developer needs it to find an account id before the first call against it.
- At a level with an account list, once the list is full only listed accounts are shown — the
  others could not be called; while the list has room every account is shown, since a call would
  add it. Listing adds nothing to the list: it makes no call against any account.
- Default fields are ``account_id`` and ``id``, as Graph answers; ``fields`` asks for more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adgate import ids
from adgate import records as r
from adgate.policy.access import list_limit
from adgate.protocol.cursors import Page, PageRequest, paginate
from adgate.protocol.errors import GraphError
from adgate.protocol.params import select_fields
from adgate.services.context import Core
from adgate.services.tokens.callers import Caller
from adgate.store.interfaces import Repos

#: The fields an ad account has here (the rest of Graph's long list comes with the objects issue).
FIELDS: tuple[str, ...] = (
    "id",
    "account_id",
    "name",
    "currency",
    "timezone_name",
    "account_status",
    "business",
    "created_time",
)
DEFAULT_FIELDS: tuple[str, ...] = ("account_id", "id")


def account_json(account: r.AdAccount) -> dict[str, Any]:
    return {
        "id": ids.ad_account_node(account.id),
        "account_id": account.id,
        "name": account.name,
        "currency": account.currency,
        "timezone_name": account.timezone_name,
        "account_status": account.account_status,
        "business": {"id": account.business_id} if account.business_id else None,
        "created_time": account.created_at,
    }


def pick(account: r.AdAccount, fields: list[str] | None) -> dict[str, Any]:
    for name in fields or ():
        base = name.split("{", 1)[0].split(".", 1)[0]
        if base not in FIELDS:
            raise GraphError.of("nonexisting_field", field=base, node_type="AdAccount")
    return select_fields(account_json(account), fields, DEFAULT_FIELDS)


class AdAccounts:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def read(self, account_id: str, fields: list[str] | None) -> dict[str, Any]:
        # The gate's hot path: kept in the read cache until the next write (a rename voids it).
        account = await self.core.db.cached(
            ("ad_account", account_id), lambda tx: tx.ad_accounts.get(account_id)
        )
        if account is None:
            raise GraphError.of("unsupported_get", node=ids.ad_account_node(account_id))
        return pick(account, fields)

    async def rename(self, account_id: str, name: str | None) -> dict[str, Any]:
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise GraphError.invalid("Param name must be 1 to 200 characters")
        async with self.core.db.transaction() as tx:
            if not await tx.ad_accounts.rename(account_id, name):
                raise GraphError.of("unsupported_post", node=ids.ad_account_node(account_id))
        return {"success": True}

    async def of_caller(
        self, caller: Caller, fields: list[str] | None, request: PageRequest
    ) -> tuple[Page[r.AdAccount], list[dict[str, Any]]]:
        """One page of the caller's ad accounts, oldest first (cursor paging, as the SDK needs)."""
        async with self.core.db.transaction() as tx:
            accounts = await self._visible(tx, caller)
            limit = list_limit(self.core.policy.limits_for(caller.app.access_level))
            if limit is not None:
                listed = {entry.ad_account_id for entry in await tx.account_lists.list(caller.app.id)}
                if len(listed) >= limit:
                    accounts = [a for a in accounts if a.id in listed]
        page = paginate(accounts, lambda a: (a.created_at, a.id), request, descending=False)
        return page, [pick(a, fields) for a in page.items]

    async def _visible(self, tx: Repos, caller: Caller) -> Sequence[r.AdAccount]:
        found: dict[str, r.AdAccount] = {}
        if caller.system_user is not None:
            assets = caller.token.assets if caller.token is not None else None
            for account in await tx.ad_accounts.list(business_id=caller.system_user.business_id):
                if assets is None or account.id in assets:  # a token made with asset sees only those
                    found[account.id] = account
        elif caller.person is not None:
            for role in await tx.ad_account_roles.for_person(caller.person.id):
                direct = await tx.ad_accounts.get(role.object_id)
                if direct is not None:
                    found[direct.id] = direct
            for membership in await tx.business_people.for_person(caller.person.id):
                if membership.role == "ADMIN":
                    for owned in await tx.ad_accounts.list(business_id=membership.object_id):
                        found.setdefault(owned.id, owned)
        return sorted(found.values(), key=lambda a: (a.created_at, a.id))
