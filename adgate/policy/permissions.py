"""Permissions: what exists, what each product needs (seed, "Permissions").

| product | permission |
|---|---|
| Ads Management, Business Manager API, Audience Management | ``ads_management`` |
| Insights API | ``ads_read`` (or ``ads_management``, which includes reading) |
| Page tokens | ``manage_pages`` (its own review), or the newer ``pages_show_list`` |
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

#: Every permission the dialog knows, with the sentence the consent page shows for it.
PERMISSIONS: dict[str, str] = {
    "public_profile": "Your name and profile picture",
    "email": "Your e-mail address",
    "ads_management": "Read, create and update your ads, audiences and Business Manager assets",
    "ads_read": "Read your ads and their performance (Insights)",
    "business_management": "Manage your businesses and their assets",
    "manage_pages": "Manage your Pages and get Page access tokens",
    "pages_show_list": "Show the list of Pages you manage",
    "pages_read_engagement": "Read content and engagement on your Pages",
    "pages_manage_ads": "Manage ads for your Pages",
    "pages_manage_posts": "Create and manage posts on your Pages",
    "read_insights": "Read Insights for your Pages",
}

#: Granted with every login whether asked or not, as Graph does.
DEFAULT_PERMISSIONS: tuple[str, ...] = ("public_profile",)

#: Products and the permissions that open them (any one suffices). The Business Manager API needs
#: ``ads_management`` as the seed's table says; ``business_management`` alone does not open it.
PRODUCT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "ads_management": ("ads_management",),
    "business_management": ("ads_management",),
    "audiences": ("ads_management",),
    "ads_insights": ("ads_read", "ads_management"),
    "ads_read": ("ads_read", "ads_management"),
    "pages": ("manage_pages", "pages_show_list"),
}

#: Permissions that need their own review before people without a role can grant them (live mode).
SEPARATELY_REVIEWED: frozenset[str] = frozenset({"manage_pages"})


def parse_scope(raw: str | None) -> list[str]:
    """``scope`` as Graph takes it: comma separated; space separated (RFC 6749) accepted too; or
    a JSON array of names (``["ads_read","ads_management"]``), as the Business SDKs send a
    ``list<Permission>``. Anything else in the array's brackets is split as a comma list, so a
    name with stray quotes or brackets is reported as an unknown permission, never dropped."""
    if not raw:
        return []
    text = raw.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            names = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, or nested past the interpreter's depth
            names = None
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            text = ",".join(names)
    seen: dict[str, None] = {}
    for part in text.replace(" ", ",").split(","):
        name = part.strip()
        if name:
            seen.setdefault(name, None)
    return list(seen)


#: Graph's own permissions (what :func:`define` may never redefine).
BUILT_IN: frozenset[str] = frozenset(PERMISSIONS)
#: What a permission an operator defines may be called (and never one of the names above).
OWN_PERMISSION_NAME = re.compile(r"^[a-z][a-z0-9_]{2,63}$")


def define(name: str, description: str) -> None:
    """Add a permission of the operator's own (the gateway file's ``[[permission]]``): the dialog
    asks for it, tokens carry it, and people without a role on a live app may grant it only once
    the app passed its own review (``permission:<name>``), as for every permission but
    ``public_profile`` and ``email``. A registry filled once at start, for the whole process."""
    if not OWN_PERMISSION_NAME.match(name):
        raise ValueError(f"a permission name is 3-64 lower-case letters, digits or _; got {name!r}")
    if name in BUILT_IN:
        raise ValueError(f"{name} is one of Graph's own permissions")
    PERMISSIONS[name] = description


def unknown_permissions(names: Iterable[str]) -> list[str]:
    return [n for n in names if n not in PERMISSIONS]


def satisfies(scopes: Iterable[str], needed: Iterable[str]) -> bool:
    """True when ``scopes`` holds at least one of ``needed`` (or nothing is needed)."""
    needed = tuple(needed)
    return not needed or bool(set(scopes) & set(needed))
