"""Access levels and what each allows: the seed's Limits table, as data.

Seed, "Access Levels" and "Limits": Development (default for every new app), Basic, Standard; no
skipping. The table below is the whole of what a level changes; everything that enforces a level
reads it from here. A platform team can replace it with a JSON file (``ADGATE_POLICY_FILE``), for
instance ``presets/limited-full.json`` for the newer Limited/Full access model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

DEVELOPMENT = "development"
BASIC = "basic"
STANDARD = "standard"

BusinessManagerAccess = Literal["limited", "full"]


@dataclass(frozen=True, slots=True)
class LevelLimits:
    """One column of the seed's Limits table."""

    title: str
    description: str
    #: Ad accounts in the app's account list; ``None`` is unlimited.
    account_list_max: int | None
    #: Key into the rate-limit tiers (``adgate.policy.ratelimit``).
    rate_limit_tier: str
    #: What ``ads_api_access_tier`` says in the usage headers.
    header_tier: str
    business_manager: BusinessManagerAccess
    system_users: int
    admin_system_users: int
    page_creation: bool
    #: Calls that span several ad accounts, or whose account can't be identified.
    multi_account_calls: bool
    #: Development only: callers must be app admins/developers acting for account admins/advertisers.
    role_restricted: bool
    #: Days a review to reach this level takes (seed: "about 3 business days", "averaging two weeks").
    review_days: int
    review_business_days: bool


@dataclass(frozen=True, slots=True)
class Policy:
    """The ordered levels and their limits. The first level is where every new app starts."""

    order: tuple[str, ...]
    limits: Mapping[str, LevelLimits]

    @property
    def default_level(self) -> str:
        return self.order[0]

    def limits_for(self, level: str) -> LevelLimits:
        try:
            return self.limits[level]
        except KeyError:
            raise ValueError(f"unknown access level {level!r}; known: {', '.join(self.order)}") from None

    def is_level(self, level: str) -> bool:
        return level in self.limits

    def next_level(self, level: str) -> str | None:
        """The only level an app at ``level`` may apply for: levels cannot be skipped."""
        index = self.order.index(level)
        return self.order[index + 1] if index + 1 < len(self.order) else None

    def rank(self, level: str) -> int:
        return self.order.index(level)

    def to_json(self) -> dict[str, Any]:
        return {"order": list(self.order), "levels": {k: asdict(v) for k, v in self.limits.items()}}


DEFAULT_POLICY = Policy(
    order=(DEVELOPMENT, BASIC, STANDARD),
    limits={
        DEVELOPMENT: LevelLimits(
            title="Development",
            description="Try and test apps with the API.",
            account_list_max=5,
            rate_limit_tier="development",
            header_tier="development_access",
            business_manager="limited",
            system_users=1,
            admin_system_users=1,
            page_creation=False,
            multi_account_calls=False,
            role_restricted=True,
            review_days=0,
            review_business_days=True,
        ),
        BASIC: LevelLimits(
            title="Basic",
            description="Test, iterate, build apps with up to 25 external accounts.",
            account_list_max=25,
            rate_limit_tier="basic",
            header_tier="basic_access",
            business_manager="limited",
            system_users=3,
            admin_system_users=1,
            page_creation=False,
            multi_account_calls=False,
            role_restricted=False,
            review_days=3,
            review_business_days=True,
        ),
        STANDARD: LevelLimits(
            title="Standard",
            description="Support unlimited accounts and be nominated to Facebook Marketing Partner program.",
            account_list_max=None,
            rate_limit_tier="standard",
            header_tier="standard_access",
            business_manager="full",
            system_users=10,
            admin_system_users=1,
            page_creation=True,
            multi_account_calls=True,
            role_restricted=False,
            review_days=14,
            review_business_days=False,
        ),
    },
)


def policy_from_json(data: Mapping[str, Any]) -> Policy:
    """Build a policy from ``{"order": [...], "levels": {name: {field: value}}}``."""
    try:
        order = tuple(str(name) for name in data["order"])
        levels = {name: LevelLimits(**data["levels"][name]) for name in order}
    except (KeyError, TypeError) as exc:
        raise ValueError(f"invalid policy file: {exc}") from exc
    if not order:
        raise ValueError("invalid policy file: 'order' names no level")
    return Policy(order=order, limits=levels)


def load_policy(path: Path | None) -> Policy:
    if path is None:
        return DEFAULT_POLICY
    try:
        return policy_from_json(json.loads(path.read_text()))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot load policy file {path}: {exc}") from exc
