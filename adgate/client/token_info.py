"""What the access token debugger says about a token, ``GET /{ver}/debug_token`` (docs/graph-facts.md §3).

Asked with the app token ``{app-id}|{app-secret}``. An invalid token still comes back as HTTP 200
with ``is_valid: false`` and ``data.error = {code, subcode, message}`` (the inner key is
``subcode``, not ``error_subcode``); ``expires_at: 0`` means the token never expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adgate.client.errors import GraphAPIError
from adgate.client.http import GraphClient


@dataclass(frozen=True, slots=True)
class TokenError:
    code: int | None
    subcode: int | None
    message: str | None


@dataclass(frozen=True, slots=True)
class TokenInfo:
    is_valid: bool
    app_id: str | None = None
    #: ``USER``, ``PAGE``, ``APP`` or ``SYSTEM_USER``.
    type: str | None = None
    user_id: str | None = None
    #: The Page, for page tokens.
    profile_id: str | None = None
    #: None: never expires.
    expires_at: int | None = None
    data_access_expires_at: int | None = None
    scopes: tuple[str, ...] = ()
    error: TokenError | None = None

    @property
    def kind(self) -> str:
        """The store's kind for this token: ``user``, ``page``, ``system_user`` or ``app``."""
        return {"PAGE": "page", "APP": "app", "SYSTEM_USER": "system_user"}.get(self.type or "", "user")

    @classmethod
    def from_debug(cls, body: Any) -> TokenInfo:
        """Parse a ``debug_token`` answer; raises GraphAPIError when it is not one."""
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, Mapping) or not isinstance(data.get("is_valid"), bool):
            raise GraphAPIError("debug_token answered without data.is_valid", code=None)
        error = data.get("error")
        return cls(
            is_valid=data["is_valid"],
            app_id=_str(data.get("app_id")),
            type=_str(data.get("type")),
            user_id=_str(data.get("user_id")),
            profile_id=_str(data.get("profile_id")),
            expires_at=_int(data.get("expires_at")) or None,
            data_access_expires_at=_int(data.get("data_access_expires_at")) or None,
            scopes=tuple(s for s in data.get("scopes") or () if isinstance(s, str)),
            error=(
                TokenError(_int(error.get("code")), _int(error.get("subcode")), _str(error.get("message")))
                if isinstance(error, Mapping)
                else None
            ),
        )


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def debug_token(graph: GraphClient, token: str) -> TokenInfo:
    """Ask the debugger about ``token`` with the app token."""
    body = graph.get("debug_token", {"input_token": token}, token=graph.config.app_token)
    return TokenInfo.from_debug(body)
