"""Business Manager: a business's ad accounts, the people and system users on them, its Pages.

The seed's "Limits" table gives Development and Basic "no Business Manager access to manage ad
accounts, user permissions and Pages"; Standard gets all of it. The endpoints of
:mod:`adgate.web.endpoints.businesses` declare ``business_manager`` and the gate refuses them
below Standard (code 10); this module is what they do once admitted. Wire shapes from the
Marketing API reference (business/owned_ad_accounts, business/owned_pages,
ad-account/assigned_users), the Business Manager guides (claiming ad accounts and Pages,
system-user permissions) and the official SDK's parameter types:

- ``POST /{business_id}/owned_ad_accounts`` (``adaccount_id=act_<n>``) claims an ad account
  → ``{"access_status": "CONFIRMED"}``. The reference lists no delete on this edge: an account
  leaves a business with ``DELETE /{business_id}/ad_accounts`` (``adaccount_id``) → ``{"success":
  true}`` (the SDK's ``Business.delete_ad_accounts``).
- ``POST /act_<n>/assigned_users`` (``user``, ``tasks``; ``business`` optional) gives a business
  user or a system user of the account's business a role on it (:mod:`adgate.policy.tasks`)
  → ``{"success": true}``; ``GET`` (``business`` required) lists them with their ``tasks``;
  ``DELETE`` (``user``) takes the role away → ``{"success": true}``.
- ``POST /{business_id}/owned_pages`` (``page_id``) claims a Page → ``{"access_status":
  "CONFIRMED"}``.

Who may: an admin of the business — a person whose role in it is ``ADMIN``, or one of its admin
system users (the guides: "the requester needs to be an admin of the Business"); anyone else gets
code 200. A business user is a person with a role in the business (adgate's person id is their
business-scoped id).

Choices where the documentation is silent or adgate models less than Graph (OURS):

- A claim is confirmed at once when the caller administers the asset (an ``admin`` role on the ad
  account or the Page), as Graph does. Graph answers anyone else's ad-account claim with
  ``PENDING`` and a request to the account's admins; adgate keeps no such requests, so it refuses
  that claim (code 200) with a message saying what would make it go through. (For Pages Graph
  itself refuses.)
- An asset another business owns cannot be claimed (code 100, naming the parameter); one the
  business owns already is Graph's 3944.
- Business users are assigned in ``ad_account_roles``, the role the gate reads for people;
  system users in ``system_user_ad_accounts``. An ad account that leaves its business loses its
  system users' assignments (they are the business's); people keep their roles, as Business
  Manager's help says people are not removed with the account.
- ``DELETE …/assigned_users`` for a user with no assignment succeeds (nothing to remove).
- ``assigned_users`` lists ``user_type`` as ``BUSINESS_USER`` or ``SYSTEM_USER``; without
  ``fields`` a user shows ``id``, ``name`` and ``tasks`` (the reference marks ``tasks`` default).
"""

from __future__ import annotations

from typing import Any

from adgate import ids
from adgate import records as r
from adgate.policy.tasks import (
    AD_ACCOUNT_TASKS,
    parse_tasks,
    role_for_tasks,
    tasks_of_role,
    unknown_tasks,
)
from adgate.protocol.cursors import Page, PageRequest, paginate
from adgate.protocol.errors import GraphError
from adgate.protocol.params import select_fields
from adgate.services.context import Core
from adgate.services.marketing.accounts import unsupported
from adgate.services.marketing.validation import field_error, missing
from adgate.services.tokens.callers import Caller
from adgate.store.interfaces import Repos, SystemUserAdAccount

#: What an assigned user shows without ``fields``.
ASSIGNED_USER_FIELDS: tuple[str, ...] = ("id", "name", "tasks")


def parse_ad_account_id(raw: str | None) -> str | None:
    """``adaccount_id`` as Graph takes it, ``act_<n>`` (the guides' form) or a bare ``<n>``:
    the numeric id, or None when it is neither."""
    if raw is None:
        return None
    value = raw.strip()
    numeric = ids.parse_ad_account_node(value)
    if numeric is not None:
        return numeric
    return value if ids.is_numeric_id(value) else None


def _show(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:37] + "...")


def _account_param(raw: str | None) -> str:
    if raw is None or not raw.strip():
        raise missing("adaccount_id", "the ad account, as act_<AD_ACCOUNT_ID>")
    account_id = parse_ad_account_id(raw)
    if account_id is None:
        raise field_error(
            "adaccount_id",
            f"Param adaccount_id must be an ad account id such as act_123456789, got {_show(raw)}",
            title="Invalid Ad Account ID",
        )
    return account_id


def _id_param(name: str, raw: str | None, what: str) -> str:
    if raw is None or not raw.strip():
        raise missing(name, what)
    value = raw.strip()
    if not ids.is_numeric_id(value):
        raise field_error(
            name, f"Param {name} must be the numeric id of {what}, got {_show(raw)}", title="Invalid ID"
        )
    return value


def _denied(detail: str) -> GraphError:
    return GraphError.of("permissions_error", detail=detail)


def _owned_elsewhere(name: str, node: str) -> GraphError:
    return field_error(
        name,
        f"{node} belongs to another business: a business can claim only an asset no business owns. "
        "The business that owns it must remove it first",
        title="Asset Owned by Another Business",
    )


class BusinessAssets:
    """The Business Manager calls that manage ad accounts, user permissions and Pages."""

    def __init__(self, core: Core) -> None:
        self.core = core

    # --- ad accounts ----------------------------------------------------------------------------
    async def claim_ad_account(self, caller: Caller, business_id: str, adaccount_id: str | None) -> str:
        """Claim an ad account for the business; returns Graph's ``access_status``."""
        async with self.core.db.transaction() as tx:
            account, node = await _named_account(tx, caller, business_id, adaccount_id, "POST")
            _claimable(account.business_id, business_id, "adaccount_id", f"Ad account {node}")
            role = await tx.ad_account_roles.get(account.id, caller.person.id) if caller.person else None
            if role is None or role.role != "admin":
                raise _denied(
                    f"Only an admin of ad account {node} can claim it for business {business_id} at "
                    "once. Graph would send the account's admins an ownership request (access_status "
                    "PENDING); adgate does not keep such requests: ask an admin of the account to claim it"
                )
            await tx.ad_accounts.set_business(account.id, business_id)
        return "CONFIRMED"

    async def remove_ad_account(self, caller: Caller, business_id: str, adaccount_id: str | None) -> None:
        """The ad account leaves the business (and its system users' assignments with it)."""
        async with self.core.db.transaction() as tx:
            account, node = await _named_account(tx, caller, business_id, adaccount_id, "DELETE")
            if account.business_id != business_id:
                raise field_error(
                    "adaccount_id",
                    f"Ad account {node} is not owned by business {business_id}",
                    title="Ad Account Not in Business",
                )
            await tx.ad_accounts.set_business(account.id, None)
            await tx.system_user_ad_accounts.remove_for_account(account.id)

    # --- people and system users on an ad account --------------------------------------------------
    async def assigned_users(
        self,
        caller: Caller,
        account_id: str,
        business_id: str | None,
        fields: list[str] | None,
        request: PageRequest,
    ) -> tuple[Page[dict[str, Any]], list[dict[str, Any]]]:
        """``GET /act_<n>/assigned_users?business=<id>``: the account's business and system users."""
        wanted = _id_param("business", business_id, "the business that owns the ad account")
        async with self.core.db.read() as tx:
            account = await _owned_account(tx, account_id, "GET", wanted)
            await _need_admin(tx, caller, wanted)
            business = await _business(tx, wanted, "GET")
            users: list[dict[str, Any]] = []
            for role in await tx.ad_account_roles.for_object(account.id):
                if await tx.business_people.get(wanted, role.person_id) is None:
                    continue  # a role given outside Business Manager: not a business user
                person = await tx.people.get(role.person_id)
                if person is not None:
                    users.append(_assigned(person.id, person.name, "BUSINESS_USER", business, role.role))
            for assignment in await tx.system_user_ad_accounts.for_account(account.id):
                user = await tx.system_users.get(assignment.system_user_id)
                if user is not None and user.business_id == wanted:
                    users.append(_assigned(user.id, user.name, "SYSTEM_USER", business, assignment.role))
        users.sort(key=lambda u: str(u["id"]))
        page = paginate(users, lambda u: (0, str(u["id"])), request, descending=False)
        return page, [select_fields(u, fields, ASSIGNED_USER_FIELDS) for u in page.items]

    async def assign_user(
        self,
        caller: Caller,
        account_id: str,
        user_id: str | None,
        tasks: str | None,
        business_id: str | None,
    ) -> None:
        """``POST /act_<n>/assigned_users``: give a business or system user the role of ``tasks``."""
        wanted = _id_param("user", user_id, "a business user or system user")
        role = _role_of(tasks)
        async with self.core.db.transaction() as tx:
            account = await _owned_account(tx, account_id, "POST", business_id)
            owner = _owner(account)
            await _need_admin(tx, caller, owner)
            user = await _assignee(tx, owner, wanted)
            if isinstance(user, r.SystemUser):
                await tx.system_user_ad_accounts.set(SystemUserAdAccount(account.id, user.id, role))
            else:
                await tx.ad_account_roles.set(r.Role(account.id, user, role))

    async def unassign_user(self, caller: Caller, account_id: str, user_id: str | None) -> None:
        """``DELETE /act_<n>/assigned_users?user=<id>``: take the user's role on the account away."""
        wanted = _id_param("user", user_id, "a business user or system user")
        async with self.core.db.transaction() as tx:
            account = await _owned_account(tx, account_id, "DELETE", None)
            owner = _owner(account)
            await _need_admin(tx, caller, owner)
            user = await _assignee(tx, owner, wanted)
            if isinstance(user, r.SystemUser):
                await tx.system_user_ad_accounts.remove(account.id, user.id)
            else:
                await tx.ad_account_roles.remove(account.id, user)

    # --- Pages ----------------------------------------------------------------------------------
    async def claim_page(self, caller: Caller, business_id: str, page_id: str | None) -> str:
        """Claim a Page for the business; returns Graph's ``access_status``."""
        wanted = _id_param("page_id", page_id, "a Page")
        async with self.core.db.transaction() as tx:
            await _business(tx, business_id, "POST")
            await _need_admin(tx, caller, business_id)
            page = await tx.pages.get(wanted)
            if page is None:
                raise GraphError.of("unsupported_post", node=wanted)
            _claimable(page.business_id, business_id, "page_id", f"Page {page.id}")
            role = await tx.page_roles.get(page.id, caller.person.id) if caller.person else None
            if role is None or role.role != "admin":
                raise _denied(f"Only an admin of Page {page.id} can claim it for business {business_id}")
            await tx.pages.set_business(page.id, business_id)
        return "CONFIRMED"


# --- checks -------------------------------------------------------------------------------------


def _claimable(owner: str | None, business_id: str, param: str, label: str) -> None:
    """An asset can be claimed when no business owns it: 3944 if this one does, 100 if another."""
    if owner == business_id:
        raise GraphError.of("business_has_access")
    if owner is not None:
        raise _owned_elsewhere(param, label)


async def _business(tx: Repos, business_id: str, method: str) -> r.Business:
    business = await tx.businesses.get(business_id)
    if business is None:
        raise unsupported(business_id, method)
    return business


async def _named_account(
    tx: Repos, caller: Caller, business_id: str, adaccount_id: str | None, method: str
) -> tuple[r.AdAccount, str]:
    """The business exists, the caller administers it, and the ``adaccount_id`` it names exists:
    that account and its ``act_`` node."""
    account_id = _account_param(adaccount_id)
    node = ids.ad_account_node(account_id)
    await _business(tx, business_id, method)
    await _need_admin(tx, caller, business_id)
    account = await tx.ad_accounts.get(account_id)
    if account is None:
        raise unsupported(node, method)
    return account, node


async def _need_admin(tx: Repos, caller: Caller, business_id: str) -> None:
    """An admin of the business: a person with the ADMIN role in it, or an admin system user of it."""
    user = caller.system_user
    if user is not None:
        if user.business_id == business_id and user.role == "ADMIN":
            return
    elif caller.kind == "user" and caller.person is not None:
        role = await tx.business_people.get(business_id, caller.person.id)
        if role is not None and role.role == "ADMIN":
            return
    raise _denied(
        f"Only an admin of business {business_id} or one of its admin system users can manage its "
        "ad accounts, people and Pages"
    )


async def _owned_account(tx: Repos, account_id: str, method: str, business_id: str | None) -> r.AdAccount:
    """The ad account of the path, owned by a business (by ``business_id``, when the call names one)."""
    node = ids.ad_account_node(account_id)
    account = await tx.ad_accounts.get(account_id)
    if account is None:
        raise unsupported(node, method)
    if account.business_id is None:
        raise GraphError.invalid(
            f"Ad account {node} belongs to no business: claim it first with "
            "POST /{business_id}/owned_ad_accounts"
        )
    if business_id is not None:
        wanted = _id_param("business", business_id, "the business that owns the ad account")
        if wanted != account.business_id:
            raise field_error(
                "business",
                f"Ad account {node} is not owned by business {wanted}",
                title="Ad Account Not in Business",
            )
    return account


def _owner(account: r.AdAccount) -> str:
    assert account.business_id is not None  # _owned_account checked
    return account.business_id


async def _assignee(tx: Repos, business_id: str, user_id: str) -> r.SystemUser | str:
    """A system user of the business, or the id of a person with a role in it (a business user)."""
    system_user = await tx.system_users.get(user_id)
    if system_user is not None and system_user.business_id == business_id:
        return system_user
    if system_user is None and await tx.business_people.get(business_id, user_id) is not None:
        return user_id
    raise field_error(
        "user",
        f"{user_id} is not a business user or system user of business {business_id}",
        title="Invalid User",
    )


def _role_of(raw: str | None) -> str:
    if raw is None or not raw.strip():
        raise missing("tasks", 'the tasks to assign, such as ["ADVERTISE", "ANALYZE"]')
    tasks = parse_tasks(raw)
    unknown = unknown_tasks(tasks) if tasks else [raw.strip()]
    if unknown:
        allowed = ", ".join(AD_ACCOUNT_TASKS)
        raise field_error(
            "tasks",
            f"Param tasks must be a list of tasks, each one of {{{allowed}}}; got {_show(unknown[0])}",
            title="Invalid Tasks",
            user_msg=f"{_show(unknown[0])} is not a task on an ad account. Use some of: {allowed}.",
        )
    return role_for_tasks(tasks)


def _assigned(user_id: str, name: str, user_type: str, business: r.Business, role: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "name": name,
        "user_type": user_type,
        "business": {"id": business.id, "name": business.name},
        "tasks": tasks_of_role(role),
        "permitted_tasks": list(AD_ACCOUNT_TASKS),
    }
