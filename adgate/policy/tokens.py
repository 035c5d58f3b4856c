"""Token kinds and lifetimes (seed, "Manually Getting Access Tokens"; docs/graph-facts.md §2).

Pure data and functions: no clock reads, ``now`` is a parameter.
"""

from __future__ import annotations

#: Client-side flow (``response_type=token``): "a finite validity period of about one to two hours".
SHORT_LIVED_USER_SECONDS = 2 * 3600
#: Server-side flow and ``fb_exchange_token``: "about 60 days" (Graph returns expires_in 5183944).
LONG_LIVED_USER_SECONDS = 60 * 86400
#: A page token taken with a short-lived user token lasts an hour; with a long-lived one, never.
SHORT_PAGE_SECONDS = 3600
#: System-user tokens never expire unless ``set_token_expires_in_60_days=true``.
SYSTEM_USER_60_DAYS_SECONDS = 60 * 86400
#: Data access lasts 90 days from the person's last use of the app (docs/graph-facts.md §2).
DATA_ACCESS_SECONDS = 90 * 86400
#: Authorization codes: single use, within ten minutes (docs/graph-facts.md §1.2, RFC 6749 §4.1.2).
CODE_SECONDS = 10 * 60
#: appsecret_time proofs are accepted for five minutes (docs/graph-facts.md §8).
PROOF_TIME_WINDOW_SECONDS = 5 * 60


def expires_in(expires_at: int | None, now: int) -> int | None:
    """Seconds left, as the token endpoint reports them; None for a token that never expires."""
    return None if expires_at is None else max(0, expires_at - now)


def page_token_expires_at(user_token_long_lived: bool, now: int) -> int | None:
    """A page token taken with a long-lived user token never expires; with a short-lived one, 1 h."""
    return None if user_token_long_lived else now + SHORT_PAGE_SECONDS
