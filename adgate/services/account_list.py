"""The app's ad-account list: filled by calls, managed by the configuration tool.

Seed, "Managing Account Lists": "We automatically add accounts that you make API calls against to
your account lists, up to the maximum number for your access level. If you exceed this limit, API
calls return an error." The tool "Enter in an account ID. You should enter a numeric value; do not
include act_ … Check the account IDs match exactly. When you reach your maximum, Add is disabled."

The automatic half runs inside the gate (:mod:`adgate.services.gate.access`), in the transaction that
checked the caller; this module is the tool's half and the listing of a person's accounts.

Choices where the seed is silent:

- A level without a maximum (Standard) enforces no list, so calls there add nothing to it; the
  tool still lists, adds and removes (a list kept for a later policy change does no harm).
- The tool refuses ``act_123`` (code 100, "without act_"), anything not made of digits, an id that
  is no ad account, and an add at the maximum (code 100 naming the limit and the level). Adding
  an account already listed succeeds and changes nothing; removing one not listed is code 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adgate import ids
from adgate.keyring import AdminKey
from adgate.policy.access import CALLING_APP_ROLES, list_full_params, list_limit
from adgate.protocol.errors import GraphError
from adgate.services.context import Core
from adgate.services.tokens.callers import Tokens
from adgate.store.interfaces import ListedAccount


@dataclass(frozen=True, slots=True)
class AccountListView:
    """What the configuration tool shows: the list, the maximum, and whether Add is enabled."""

    app_id: str
    level: str
    limit: int | None
    accounts: Sequence[ListedAccount]
    names: dict[str, str]

    @property
    def can_add(self) -> bool:
        return self.limit is None or len(self.accounts) < self.limit

    def to_json(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "access_level": self.level,
            "limit": self.limit,
            "count": len(self.accounts),
            "can_add": self.can_add,
            "data": [
                {
                    "account_id": a.ad_account_id,
                    "id": ids.ad_account_node(a.ad_account_id),
                    "name": self.names.get(a.ad_account_id, ""),
                    "source": a.source,
                    "added_at": a.added_at,
                }
                for a in self.accounts
            ],
        }


def parse_account_id(raw: str | None) -> str:
    """The tool's input rule: a numeric id, exactly; ``act_`` is refused with a message saying so."""
    given = (raw or "").strip()
    if given.lower().startswith("act_"):
        numeric = given[4:]
        raise GraphError.of("account_list_act_prefix", numeric=numeric or "123", given=given)
    if not ids.is_numeric_id(given):
        raise GraphError.of("account_list_not_numeric", given=given)
    return given


class AccountLists:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def view(self, app_id: str) -> AccountListView:
        async with self.core.db.read() as tx:
            app = await tx.apps.get(app_id)
            if app is None:
                raise GraphError.of("not_found", node=app_id)
            listed = await tx.account_lists.list(app_id)
            names = {}
            for entry in listed:
                account = await tx.ad_accounts.get(entry.ad_account_id)
                names[entry.ad_account_id] = account.name if account else ""
        limits = self.core.policy.limits_for(app.access_level)
        return AccountListView(app_id, app.access_level, list_limit(limits), listed, names)

    async def add(self, app_id: str, raw_account_id: str | None) -> AccountListView:
        account_id = parse_account_id(raw_account_id)
        async with self.core.db.transaction() as tx:
            app = await tx.apps.get(app_id)
            if app is None:
                raise GraphError.of("not_found", node=app_id)
            if await tx.ad_accounts.get(account_id) is None:
                raise GraphError.of("account_list_no_account", account_id=account_id)
            limit = list_limit(self.core.policy.limits_for(app.access_level))
            outcome = await tx.account_lists.add(
                app_id, account_id, source="manual", now=self.core.now(), limit=limit
            )
            if outcome == "full":
                raise GraphError.of(
                    "account_list_at_max", **list_full_params(self.core.policy, app.access_level, app_id)
                )
        return await self.view(app_id)

    async def remove(self, app_id: str, raw_account_id: str | None) -> AccountListView:
        account_id = parse_account_id(raw_account_id)
        async with self.core.db.transaction() as tx:
            if await tx.apps.get(app_id) is None:
                raise GraphError.of("not_found", node=app_id)
            if not await tx.account_lists.remove(app_id, account_id):
                raise GraphError.of("account_list_not_listed", account_id=account_id, app_id=app_id)
        return await self.view(app_id)


async def authorize_manager(
    core: Core, tokens: Tokens, app_id: str, raw_token: str | None, admin_key: str | None
) -> None:
    """Who may use the configuration tool's API for ``app_id``: the sandbox admin key, or a valid
    user token *of that app* whose person is one of its administrators or developers.

    A token of another app is refused even for the same person: an app a person logged in to must
    not manage the account list of the person's own app.
    """
    raw = (raw_token or "").strip()
    if not raw:
        raise GraphError.of("apps_api_unauthorized")
    if AdminKey(admin_key).matches(raw):
        return
    caller = await tokens.authenticate(raw)
    if caller.kind != "user" or caller.person is None or caller.app.id != app_id:
        raise GraphError.of("apps_api_unauthorized")
    async with core.db.read() as tx:
        role = await tx.app_roles.get(app_id, caller.person.id)
    if role is None or role.role not in CALLING_APP_ROLES:
        raise GraphError.of("apps_api_forbidden", user_id=caller.person.id, app_id=app_id)
