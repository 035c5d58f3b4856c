"""``scope`` as clients send it: a comma list, a space list, or a JSON array (the Business SDKs'
``list<Permission>``)."""

from __future__ import annotations

import pytest

from adgate.policy.permissions import parse_scope


@pytest.mark.parametrize(
    "raw",
    [
        "ads_read,ads_management",
        "ads_read ads_management",
        ' ["ads_read", "ads_management"] ',
        '["ads_read","ads_management","ads_read"]',
    ],
)
def test_every_spelling_of_a_scope_reads_the_same(raw: str) -> None:
    assert parse_scope(raw) == ["ads_read", "ads_management"]


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("", []),
        ("[]", []),
        ('["ads_read", 7]', ['["ads_read"', "7]"]),  # not a list of names: unknown permissions
        ("[ads_read]", ["[ads_read]"]),
        ("[" * 100_000 + "]" * 100_000, ["[" * 100_000 + "]" * 100_000]),  # too deep: one unknown name
    ],
)
def test_anything_else_in_brackets_is_never_silently_dropped(raw: str, names: list[str]) -> None:
    assert parse_scope(raw) == names
