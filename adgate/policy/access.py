"""What an access level lets a caller do: the gate's decisions, as pure functions of plain data.

Seed, "Access Levels", "Limits", "Managing Account Lists" and "Permissions"; error codes from
docs/graph-facts.md §4.2 and §10. Every number comes from the policy table
(:class:`adgate.policy.levels.LevelLimits`); each function returns ``None`` to let the call on, or a
:class:`Refusal` naming the catalog entry (:mod:`adgate.protocol.errors`) and its message values.
No IO, no clock.

The gate runs them in the issue's order, the first refusal being the answer:

1. **Level** (:func:`level_rule`): Business Manager management (``business_manager``), calls that
   span several ad accounts (``multi_account``) and Page creation are refused below the first level
   that allows them, with code 10 (see the catalog entries for the messages). Code 10 rather than
   the old 270 variant "Development access is not allowed to access business API" because the same
   refusal happens at Basic, which that text would misname.
2. **Caller** (:func:`caller_rule`, :func:`account_rule`). At a ``role_restricted`` level
   (Development) — "API calls from app admins or developers and on behalf of ad account admins or
   advertisers":

   - the token's person is no administrator or developer of the app → **270**, whatever the account
     (the 270 text says the token must belong to "a user that is both admin of the app and admin
     of the ad account"); a system user passes when its business owns the app;
   - the person is, but is no admin or advertiser of the ad account (an analyst, or no role)
     → **273** naming the person and the account (the documented text, also seen for analysts).

   At the other levels, a caller with no role on the ad account gets **100/33** ("does not exist,
   cannot be loaded due to missing permissions"), the Graph answer for an object one cannot see;
   an analyst may read but not write (**200**). App tokens skip these rules and are refused by the
   permission step (code 10): they carry no person to check. Calls of the Pages product are no
   Marketing API calls and skip them too.
3. **Permission**: the token step ``check_permissions`` of :mod:`adgate.services.gate.token_steps`, from
   ``PRODUCT_PERMISSIONS``: an app token → **10**; ``ads_management`` missing where it alone opens
   the product (ads writes, audiences) → **294**; otherwise **200** naming what is missing. Reads
   declare the ``ads_read`` (or ``ads_insights``) product, which either permission opens.
4. **Account list** (:func:`account_list_rule`): see :data:`LIST_FULL` for the error past the
   maximum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from adgate.policy.levels import LevelLimits, Policy

#: App roles that may call at a role-restricted level (seed: "app admins or developers").
CALLING_APP_ROLES: frozenset[str] = frozenset({"administrator", "developer"})
#: Ad-account roles a role-restricted level acts for (seed: "ad account admins or advertisers").
ACTING_ACCOUNT_ROLES: frozenset[str] = frozenset({"admin", "advertiser"})
#: Roles that may write to an ad account at any level; an analyst only reads.
WRITING_ACCOUNT_ROLES: frozenset[str] = ACTING_ACCOUNT_ROLES
#: Endpoint products that are Marketing API calls, subject to the role rules of a level.
MARKETING_PRODUCTS: frozenset[str] = frozenset(
    {"ads_management", "ads_read", "ads_insights", "audiences", "business_management"}
)

#: The catalog entry for a call against an ad account past a full list. The seed says only "API
#: calls return an error" and the facts file found no documented code (§10, UNCONFIRMED). OURS:
#: code 10, "Application does not have permission for this action" — the app, not the person,
#: lacks the right — with a message naming the account, the limit and the level, and the same
#: values in ``error_data`` for programs.
LIST_FULL: Final = "account_list_full"

#: The catalog entries (``adgate.protocol.errors``) an access rule refuses with; the catalog's
#: ``ErrorName`` includes them all, which mypy checks wherever a refusal becomes an error.
AccessReason = Literal[
    "account_list_full",
    "business_manager_limited",
    "multi_account_limited",
    "page_creation_limited",
    "development_access",
    "ad_account_role",
    "ad_account_read_only",
    "unsupported_get",
    "unsupported_post",
    "unsupported_delete",
]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the gate refuses a call: a catalog entry and the values its message needs."""

    reason: AccessReason
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CallerFacts:
    """Who is calling, as far as access rules care."""

    app_id: str
    #: ``"user"``, ``"page"``, ``"app"`` or ``"system_user"``.
    token_kind: str
    #: The person for user and page tokens, the system user for system-user tokens.
    user_id: str | None
    scopes: frozenset[str]
    #: The person's role on the app, if any (user and page tokens).
    app_role: str | None = None
    #: System-user tokens: the system user's business owns the app.
    in_app_business: bool = False


def first_level_with(policy: Policy, allows: str) -> str | None:
    """The title of the first level whose limits set ``allows`` (a boolean field) or give full BM."""
    for name in policy.order:
        limits = policy.limits_for(name)
        value = getattr(limits, allows)
        if value is True or value == "full":
            return limits.title
    return None


def level_rule(
    policy: Policy,
    level: str,
    app_id: str,
    *,
    business_manager: bool = False,
    multi_account: bool = False,
    page_creation: bool = False,
) -> Refusal | None:
    """Business Manager, multi-account and Page-creation calls at a level that does not allow them."""
    limits = policy.limits_for(level)
    checks: tuple[tuple[bool, str, AccessReason], ...] = (
        (
            business_manager and limits.business_manager != "full",
            "business_manager",
            "business_manager_limited",
        ),
        (multi_account and not limits.multi_account_calls, "multi_account_calls", "multi_account_limited"),
        (page_creation and not limits.page_creation, "page_creation", "page_creation_limited"),
    )
    for refused, allows, reason in checks:
        if refused:
            needed = first_level_with(policy, allows)
            return Refusal(
                reason,
                {"app_id": app_id, "level": limits.title, "needed": needed or "a higher"},
            )
    return None


def caller_rule(limits: LevelLimits, caller: CallerFacts, *, marketing: bool) -> Refusal | None:
    """At a role-restricted level, a Marketing call must come from an app admin or developer (270)."""
    if not marketing or not limits.role_restricted or caller.token_kind == "app":
        return None
    if caller.token_kind == "system_user":
        allowed = caller.in_app_business
    else:
        allowed = caller.app_role in CALLING_APP_ROLES
    return None if allowed else Refusal("development_access")


def unsupported(method: str) -> Literal["unsupported_get", "unsupported_post", "unsupported_delete"]:
    """Graph's 100/33 entry for an object the caller cannot see, by HTTP method."""
    if method == "GET":
        return "unsupported_get"
    return "unsupported_delete" if method == "DELETE" else "unsupported_post"


def account_rule(
    limits: LevelLimits,
    caller: CallerFacts,
    account_id: str,
    role: str | None,
    *,
    write: bool,
    method: str | None = None,
    node: str | None = None,
) -> Refusal | None:
    """The caller's role on the ad account (``role``: their effective role, ``None`` for none).

    ``node`` is the object the call named (``act_<n>`` by default). A caller with no role on the
    account gets the same "does not exist" answer as for a missing object, naming only ``node``:
    the owning account of an object the caller cannot see is never named.
    """
    if caller.token_kind == "app":
        return None
    asked = node or f"act_{account_id}"
    names = {"user_id": caller.user_id or "", "account_id": account_id}
    if role is None and (not limits.role_restricted or asked != f"act_{account_id}"):
        entry = unsupported(method or ("POST" if write else "GET"))
        return Refusal(entry, {"node": asked})
    if limits.role_restricted:
        return None if role in ACTING_ACCOUNT_ROLES else Refusal("ad_account_role", names)
    if write and role not in WRITING_ACCOUNT_ROLES:
        return Refusal("ad_account_read_only", names)
    return None


def list_limit(limits: LevelLimits) -> int | None:
    """The account list's maximum at a level; ``None`` when the level has no list to enforce."""
    return limits.account_list_max


def account_list_rule(
    policy: Policy, level: str, app_id: str, account_id: str, outcome: str
) -> Refusal | None:
    """Turn the store's answer to "add this account to the list" into the gate's decision.

    ``outcome`` is ``"added"``, ``"present"`` or ``"full"`` (:meth:`AccountListRepo.add`).
    """
    if outcome != "full":
        return None
    return Refusal(LIST_FULL, list_full_params(policy, level, app_id, account_id))


def list_full_params(policy: Policy, level: str, app_id: str, account_id: str = "") -> dict[str, str]:
    """Values for the messages of a full list: the account, the limit, the level and what to do."""
    limits = policy.limits_for(level)
    nxt = policy.next_level(level)
    hint = f"apply for {policy.limits_for(nxt).title} access" if nxt else "ask for a larger account list"
    return {
        "account_id": account_id,
        "app_id": app_id,
        "limit": str(limits.account_list_max),
        "level": limits.title,
        "hint": hint,
    }


def account_role(
    direct: str | None,
    *,
    business_role: str | None = None,
    system_user_role: str | None = None,
) -> str | None:
    """The caller's effective role on an ad account.

    ``direct``: the person's own role on the account. ``business_role``: the person's role in the
    business that owns the account — an ``ADMIN`` controls every asset of it, so counts as an
    account admin; an ``EMPLOYEE`` only has the assets assigned to them (their direct roles).
    ``system_user_role``: for a system user of the owning business, whose ``direct`` role is the
    one its assignment gives (``POST /act_<n>/assigned_users``): an admin system user controls
    every asset of its business, so counts as an admin; an employee one has only the assets
    assigned to it (docs/graph-facts.md §7: "only assigned assets").
    """
    if system_user_role == "ADMIN":
        return "admin"
    if direct is not None:
        return direct
    if business_role == "ADMIN":
        return "admin"
    return None
