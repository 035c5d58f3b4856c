"""Is a token still good? The pure decision (seed, "Store Token"; docs/graph-facts.md §2, §3, §4.3).

"Even a persistent token can become invalid in a few cases including the following: the user's
password changes; the user revokes permissions." Each cause has its documented code and subcode;
this module names the catalog entry (:mod:`adgate.protocol.errors`) and nothing else. No IO, no
clock: the caller loads the records and passes ``now``.

Order of the checks — the first that fails is the one reported, by the gate and by ``debug_token``:

1. **revoked** (``token.revoked_at``): the reason recorded at revocation picks the entry —
   ``page_role_removed`` 190/492, ``app_secret_reset`` 190/467, ``deauthorized`` 190/458,
   anything else (``code_replayed``, …) 190/466 "invalidated explicitly".
2. **app secret reset** (app tokens): ``token.secret_version`` behind the app's → 190/467.
3. For tokens of a person (user and page tokens):
   a. **password changed**: ``password_epoch`` mismatch → 190/460;
   b. **logged out**: ``session_epoch`` mismatch → 190/467;
   c. **app de-authorized** or never authorized: no live authorization → 190/458;
   d. **page role removed** (page tokens): no admin/editor/moderator/advertiser role → 190/492.
4. **expired**: ``now >= expires_at`` → 190/463 with both dates in the message.
5. **data access expired** (user tokens only): 90 days after the person last used the app
   (``authorization.last_active_at``, renewed by every login) → 190/493.

The events of steps 1 to 3 come before expiry because they say *why* a token died, which is what an app
needs to tell its user; expiry comes before data access because a token is usually dead by its own
clock (60 days) before the 90-day data-access window runs out. Data-access expiry applies to user
tokens only: page tokens taken from them "never expire" (docs/graph-facts.md §2) and Graph documents the
90-day
rule for user access; a page token still dies on the person's password change, log-out,
de-authorization or lost Page role.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal

from adgate.policy.tokens import DATA_ACCESS_SECONDS
from adgate.records import App, Authorization, Person, Token

#: Page roles that may hold a page token (docs/graph-facts.md §4.3, subcode 492: "lacks an appropriate role").
PAGE_TOKEN_ROLES: frozenset[str] = frozenset({"admin", "editor", "moderator", "advertiser"})

#: The catalog entries (``adgate.protocol.errors``) a dead token is refused with; the catalog's
#: ``ErrorName`` includes them all, which mypy checks where the refusal becomes an error.
InvalidReason = Literal[
    "token_expired",
    "token_password_changed",
    "token_logged_out",
    "token_not_authorized",
    "token_data_access_expired",
    "token_page_role_removed",
    "token_revoked",
    "token_app_secret_reset",
    "proof_required",
    "proof_time_invalid",
    "proof_invalid",
]

#: ``revoked_reason`` → catalog entry.
REVOKED: Mapping[str, InvalidReason] = {
    "page_role_removed": "token_page_role_removed",
    "app_secret_reset": "token_app_secret_reset",
    "deauthorized": "token_not_authorized",
    "password_changed": "token_password_changed",
    "logged_out": "token_logged_out",
}
REVOKED_OTHERWISE: Final = "token_revoked"


@dataclass(frozen=True, slots=True)
class Invalid:
    """Why a token is dead: a catalog entry and the values its message needs."""

    reason: InvalidReason
    params: Mapping[str, str] = field(default_factory=dict)


def graph_date(timestamp: int) -> str:
    """``Saturday, 11-Dec-21 05:00:00 UTC``: the format of Graph's expiry message (docs/graph-facts.md §3)."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")


def data_access_expires_at(authorization: Authorization | None) -> int | None:
    """When data access ends: 90 days after the person last used the app (docs/graph-facts.md §2)."""
    if authorization is None:
        return None
    return authorization.last_active_at + DATA_ACCESS_SECONDS


def is_authorized(authorization: Authorization | None) -> bool:
    return authorization is not None and authorization.deauthorized_at is None


def check(
    token: Token,
    *,
    app: App,
    person: Person | None,
    authorization: Authorization | None,
    page_role: str | None,
    now: int,
) -> Invalid | None:
    """``None`` if ``token`` is valid at ``now``, else why not (see the module docstring for the order).

    ``person`` is the token's person (user and page tokens), ``authorization`` the person's
    authorization of ``app``, ``page_role`` the person's role on the token's page (page tokens).
    """
    app_id = {"app_id": app.id}
    if token.revoked_at is not None:
        return Invalid(REVOKED.get(token.revoked_reason or "", REVOKED_OTHERWISE), app_id)
    if token.kind == "app" and token.secret_version != app.secret_version:
        return Invalid("token_app_secret_reset", app_id)
    if token.kind in ("user", "page"):
        if person is None:
            return Invalid(REVOKED_OTHERWISE, app_id)
        if token.password_epoch != person.password_epoch:
            return Invalid("token_password_changed", app_id)
        if token.session_epoch != person.session_epoch:
            return Invalid("token_logged_out", app_id)
        if not is_authorized(authorization):
            return Invalid("token_not_authorized", app_id)
        if token.kind == "page" and page_role not in PAGE_TOKEN_ROLES:
            return Invalid("token_page_role_removed", app_id)
    if token.expires_at is not None and now >= token.expires_at:
        return Invalid("token_expired", {"expired": graph_date(token.expires_at), "now": graph_date(now)})
    if token.kind == "user":
        ends = data_access_expires_at(authorization)
        if ends is not None and now >= ends:
            return Invalid("token_data_access_expired", app_id)
    return None


def valid_until(token: Token, authorization: Authorization | None) -> float:
    """The first moment :func:`check` may refuse ``token`` with no record changing: its expiry or,
    for a user token, the end of its data access; ``inf`` when neither applies.

    Only those two checks read ``now``, and each only ever starts failing as time passes, so a
    token :func:`check` passes at ``now`` passes at every moment before this one (whatever the
    clock does meanwhile, forwards or back) until a record changes: what a memo of a passing
    verdict (``adgate.services.gate.memo``) relies on. Change the two functions together.
    """
    until = math.inf if token.expires_at is None else float(token.expires_at)
    if token.kind == "user":
        ends = data_access_expires_at(authorization)
        if ends is not None and ends < until:
            until = float(ends)
    return until


def effective_scopes(token: Token, granted: Iterable[str]) -> tuple[str, ...]:
    """The scopes a call may use: for a person's token, those still granted now.

    ``DELETE /me/permissions/{perm}`` "takes effect on existing tokens": the token keeps
    the scopes it was issued with, and each call intersects them with the person's current grants.
    App and system-user tokens carry no person grants and keep their scopes as issued.
    """
    if token.kind not in ("user", "page"):
        return token.scopes
    current = set(granted)
    return tuple(s for s in token.scopes if s in current)
