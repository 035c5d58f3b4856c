"""What can go wrong, as types (docs/graph-facts.md §4): one class per family the app reacts to differently.

- :class:`InvalidTokenError` (code 190 or 102) and a subclass per documented subcode: the token is
  dead, send the person back through login (seed, "Store Token").
- :class:`GraphPermissionError` (code 10 and 200-299): the token lacks a permission.
- :class:`ThrottledError` (codes 4, 17, 32, 341, 613, 80000-80014) once the back-off gave up.
- :class:`GraphUnavailableError`: no Graph answer at all (network failure, timeout, a 5xx page that
  is not an error envelope). Nothing is known about the token then: never treat it as dead.

:func:`plain_reason` puts a death in the words an e-mail to the person can use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adgate.client.usage import Usage

#: Codes Graph uses for throttling (docs/graph-facts.md §4.2, §5): wait and retry.
THROTTLE_CODES: frozenset[int] = frozenset({4, 17, 32, 341, 613, *range(80000, 80015)})
#: Codes that mean the token itself is no good (docs/graph-facts.md §4.2, §4.3).
INVALID_TOKEN_CODES: frozenset[int] = frozenset({102, 190})


class ClientError(Exception):
    """Base of every error :mod:`adgate.client` raises."""


class GraphUnavailableError(ClientError):
    """No Graph answer: network failure, timeout, or a body that is not JSON. Transient."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class GraphAPIError(ClientError):
    """A Graph error envelope, ``{"error": {...}}`` (docs/graph-facts.md §4.1)."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None,
        subcode: int | None = None,
        type: str | None = None,
        is_transient: bool = False,
        fbtrace_id: str | None = None,
        status: int | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
        usage: Usage | None = None,
    ) -> None:
        label = f"({code}/{subcode})" if subcode is not None else f"({code})"
        super().__init__(f"{label} {message}")
        self.message = message
        self.code = code
        self.subcode = subcode
        self.type = type
        self.is_transient = is_transient
        self.fbtrace_id = fbtrace_id
        self.status = status
        self.user_title = user_title
        self.user_msg = user_msg
        #: The usage headers that came with the error (throttling errors carry them).
        self.usage = usage

    @property
    def reason(self) -> str:
        """The error in plain words (see :func:`plain_reason`)."""
        return plain_reason(self.code, self.subcode)


class InvalidTokenError(GraphAPIError):
    """Code 190 or 102: the token is invalid; ask the person to log in again."""


class NotAuthorized(InvalidTokenError):
    """Subcode 458: the person removed the app (or never authorized it)."""


class Checkpointed(InvalidTokenError):
    """Subcode 459: the person must log in on the website to clear a checkpoint."""


class PasswordChanged(InvalidTokenError):
    """Subcode 460: the person changed their password (or the session was reset for security)."""


class Expired(InvalidTokenError):
    """Subcode 463: the token's lifetime is over."""


class Unconfirmed(InvalidTokenError):
    """Subcode 464: the person must confirm their account."""


class LoggedOut(InvalidTokenError):
    """Subcode 467: the person logged out, or the token was otherwise invalidated."""


class InvalidSession(InvalidTokenError):
    """Subcode 492: a page token whose person lost their role on the Page."""


class DataAccessExpired(InvalidTokenError):
    """Subcode 493: 90 days without the person using the app; ask for data access again."""


class GraphPermissionError(GraphAPIError):
    """Code 10 or 200-299: the token lacks a permission, or the app's access level forbids the call."""


class ThrottledError(GraphAPIError):
    """A throttling code the back-off gave up on (waiting longer than allowed, or too many tries)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **fields: Any) -> None:
        super().__init__(message, **fields)
        #: Seconds Graph said to wait (None: it did not say).
        self.retry_after = retry_after


INVALID_TOKEN_SUBCODES: dict[int, type[InvalidTokenError]] = {
    458: NotAuthorized,
    459: Checkpointed,
    460: PasswordChanged,
    463: Expired,
    464: Unconfirmed,
    467: LoggedOut,
    492: InvalidSession,
    493: DataAccessExpired,
}

#: Why a token died, in words a person understands (docs/graph-facts.md §4.3).
_SUBCODE_REASONS: dict[int, str] = {
    458: "you removed the app or took back the permissions you had given it",
    459: "Facebook asked you to log in on its website to confirm your account",
    460: "your password was changed (or Facebook reset your session for security reasons)",
    463: "it expired",
    464: "your account still has to be confirmed",
    467: "you logged out, or the access was revoked",
    492: "you no longer have a role on the Page",
    493: "you have not used the app for 90 days, so its access to your data ended",
}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def plain_reason(code: int | None, subcode: int | None) -> str:
    """``(190, 460)`` → "your password was changed (…)"; used in re-ask messages."""
    if subcode is not None and subcode in _SUBCODE_REASONS:
        return _SUBCODE_REASONS[subcode]
    if code in INVALID_TOKEN_CODES:
        return "Facebook no longer accepts it (it was revoked or is no longer valid)"
    if code == 10 or (code is not None and 200 <= code <= 299):
        return "a permission the app needs was taken back or declined"
    if code is None:
        return "it is no longer valid"
    return f"Facebook refused it (error {code}{f'/{subcode}' if subcode is not None else ''})"


def error_from_envelope(body: Any, status: int | None, usage: Usage | None = None) -> GraphAPIError | None:
    """The typed error for a response body, or None when the body is not an error envelope."""
    if not isinstance(body, Mapping):
        return None
    error = body.get("error")
    if not isinstance(error, Mapping):
        return None
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode", error.get("subcode")))
    fields: dict[str, Any] = {
        "code": code,
        "subcode": subcode,
        "type": error.get("type") if isinstance(error.get("type"), str) else None,
        "is_transient": error.get("is_transient") is True,
        "fbtrace_id": error.get("fbtrace_id") if isinstance(error.get("fbtrace_id"), str) else None,
        "status": status,
        "user_title": error.get("error_user_title")
        if isinstance(error.get("error_user_title"), str)
        else None,
        "user_msg": error.get("error_user_msg") if isinstance(error.get("error_user_msg"), str) else None,
        "usage": usage,
    }
    message = str(error.get("message") or "Graph returned an error without a message")
    if code in INVALID_TOKEN_CODES:
        cls = INVALID_TOKEN_SUBCODES.get(subcode or 0, InvalidTokenError)
        return cls(message, **fields)
    if code == 10 or (code is not None and 200 <= code <= 299):
        return GraphPermissionError(message, **fields)
    if code in THROTTLE_CODES:
        return ThrottledError(message, retry_after=usage.regain_seconds if usage else None, **fields)
    return GraphAPIError(message, **fields)
