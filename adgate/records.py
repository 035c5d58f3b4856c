"""Plain records of the world and of authorization, as the stores hand them out.

These are what services and policy functions work on: frozen dataclasses, no ORM rows. Times are integer Unix
seconds on the server clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BusinessRole = Literal["ADMIN", "EMPLOYEE"]
AdAccountRoleName = Literal["admin", "advertiser", "analyst"]
PageRoleName = Literal["admin", "editor", "moderator", "advertiser", "analyst"]
AppRoleName = Literal["administrator", "developer", "tester", "analytics"]
AppMode = Literal["development", "live"]
TokenKind = Literal["user", "page", "app", "system_user"]
GrantStatus = Literal["granted", "declined"]

BUSINESS_ROLES: tuple[str, ...] = ("ADMIN", "EMPLOYEE")
AD_ACCOUNT_ROLES: tuple[str, ...] = ("admin", "advertiser", "analyst")
PAGE_ROLES: tuple[str, ...] = ("admin", "editor", "moderator", "advertiser", "analyst")
APP_ROLES: tuple[str, ...] = ("administrator", "developer", "tester", "analytics")
APP_MODES: tuple[str, ...] = ("development", "live")


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    email: str
    password_hash: str
    #: Bumped by a password change: every token issued under an older epoch dies with 190/460.
    password_epoch: int
    #: Bumped by a log-out: every token issued under an older epoch dies with 190/467.
    session_epoch: int
    is_reviewer: bool
    created_at: int


@dataclass(frozen=True, slots=True)
class Business:
    id: str
    name: str
    created_at: int


@dataclass(frozen=True, slots=True)
class AdAccount:
    id: str  # numeric; the Graph node is act_<id>
    name: str
    business_id: str | None
    currency: str
    timezone_name: str
    account_status: int
    created_at: int


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    name: str
    category: str
    business_id: str | None
    created_at: int


@dataclass(frozen=True, slots=True)
class App:
    id: str
    name: str
    secret_encrypted: str
    #: Bumped by a secret reset: app tokens and proofs made with the old secret die.
    secret_version: int
    site_url: str | None
    redirect_uris: tuple[str, ...]
    access_level: str
    mode: AppMode
    require_app_secret: bool
    business_id: str | None
    created_at: int


@dataclass(frozen=True, slots=True)
class Role:
    """A person's role on an object: a business, an ad account, a page or an app."""

    object_id: str
    person_id: str
    role: str


@dataclass(frozen=True, slots=True)
class SystemUser:
    id: str
    business_id: str
    name: str
    role: BusinessRole
    created_at: int


@dataclass(frozen=True, slots=True)
class Token:
    """An issued access token, known by its keyed digest only."""

    digest: str
    kind: TokenKind
    app_id: str
    person_id: str | None
    page_id: str | None
    system_user_id: str | None
    scopes: tuple[str, ...]
    issued_at: int
    #: ``None``: never expires (page tokens from long-lived user tokens, system-user tokens).
    expires_at: int | None
    long_lived: bool
    password_epoch: int
    session_epoch: int
    secret_version: int
    code_digest: str | None
    revoked_at: int | None
    revoked_reason: str | None
    #: System-user tokens made with ``asset``: the only ad accounts and Pages they may touch
    #: (numeric ids); ``None``: every asset the system user reaches.
    assets: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class AuthCode:
    digest: str
    app_id: str
    person_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    created_at: int
    expires_at: int
    used_at: int | None
    code_challenge: str | None
    code_challenge_method: str | None


@dataclass(frozen=True, slots=True)
class Grant:
    app_id: str
    person_id: str
    permission: str
    status: GrantStatus
    updated_at: int


@dataclass(frozen=True, slots=True)
class Authorization:
    """A person's authorization of an app: made at login, ended by ``DELETE /me/permissions``."""

    app_id: str
    person_id: str
    authorized_at: int
    last_active_at: int
    deauthorized_at: int | None
