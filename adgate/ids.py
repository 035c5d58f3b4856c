"""Graph-style identifiers.

Graph ids are numeric strings (15 to 17 digits for objects created today); ad accounts are addressed
as ``act_<n>``. Ids are random rather than sequential so that one sandbox's ids do not collide
with another's and cannot be enumerated.
"""

from __future__ import annotations

import secrets

_LOW = 10**14
_SPAN = 9 * 10**14


def new_id() -> str:
    """A fresh 15-digit numeric id."""
    return str(_LOW + secrets.randbelow(_SPAN))


def is_numeric_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and 0 < len(value) <= 20


def ad_account_node(account_id: str) -> str:
    return f"act_{account_id}"


def parse_ad_account_node(node: str) -> str | None:
    """``act_123`` → ``123``; anything else → None."""
    if node.startswith("act_") and is_numeric_id(node[4:]):
        return node[4:]
    return None


_HEX = frozenset("0123456789abcdef")


def parse_ad_image_node(node: str) -> tuple[str, str] | None:
    """An ad image's id, ``<account>:<md5 hex>`` → ``(account, hash)``; anything else → None."""
    account, sep, digest = node.partition(":")
    if sep and is_numeric_id(account) and len(digest) == 32 and set(digest) <= _HEX:
        return account, digest
    return None
