"""The access-level rules as pure decisions (seed, "Limits"; docs/graph-facts.md §4.2, §10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adgate.policy import access
from adgate.policy.levels import DEFAULT_POLICY, load_policy

DEV = DEFAULT_POLICY.limits_for("development")
BASIC = DEFAULT_POLICY.limits_for("basic")
STANDARD = DEFAULT_POLICY.limits_for("standard")
PRESET = Path(access.__file__).parent / "presets" / "limited-full.json"


def person(app_role: str | None = "administrator", kind: str = "user") -> access.CallerFacts:
    return access.CallerFacts("1", kind, "42", frozenset({"ads_management"}), app_role=app_role)


@pytest.mark.parametrize("role", ["administrator", "developer"])
def test_app_admins_and_developers_may_call_at_development(role: str) -> None:
    assert access.caller_rule(DEV, person(role), marketing=True) is None


@pytest.mark.parametrize("role", [None, "tester", "analytics"])
def test_anyone_else_gets_270_at_development(role: str | None) -> None:
    assert access.caller_rule(DEV, person(role), marketing=True) == access.Refusal("development_access")


def test_the_role_rules_bind_only_marketing_calls_at_a_role_restricted_level() -> None:
    assert access.caller_rule(DEV, person(None), marketing=False) is None
    assert access.caller_rule(BASIC, person(None), marketing=True) is None


def test_a_system_user_calls_at_development_when_its_business_owns_the_app() -> None:
    inside = access.CallerFacts("1", "system_user", "7", frozenset(), in_app_business=True)
    outside = access.CallerFacts("1", "system_user", "7", frozenset())
    assert access.caller_rule(DEV, inside, marketing=True) is None
    assert access.caller_rule(DEV, outside, marketing=True) == access.Refusal("development_access")


@pytest.mark.parametrize(
    ("role", "refused"), [("admin", False), ("advertiser", False), ("analyst", True), (None, True)]
)
def test_development_acts_only_for_account_admins_and_advertisers(role: str | None, refused: bool) -> None:
    refusal = access.account_rule(DEV, person(), "9", role, write=False)
    expected = access.Refusal("ad_account_role", {"user_id": "42", "account_id": "9"}) if refused else None
    assert refusal == expected


def test_above_development_no_role_is_100_33_and_an_analyst_only_reads() -> None:
    assert access.account_rule(BASIC, person(None), "9", None, write=False) == access.Refusal(
        "unsupported_get", {"node": "act_9"}
    )
    assert access.account_rule(STANDARD, person(None), "9", None, write=True) == access.Refusal(
        "unsupported_post", {"node": "act_9"}
    )
    assert access.account_rule(BASIC, person(None), "9", "analyst", write=False) is None
    assert access.account_rule(BASIC, person(None), "9", "analyst", write=True) == access.Refusal(
        "ad_account_read_only", {"user_id": "42", "account_id": "9"}
    )


def test_app_tokens_are_left_to_the_permission_step() -> None:
    app = access.CallerFacts("1", "app", None, frozenset())
    assert access.caller_rule(DEV, app, marketing=True) is None
    assert access.account_rule(DEV, app, "9", None, write=True) is None


@pytest.mark.parametrize(
    ("level", "bm", "multi", "pages"),
    [("development", False, False, False), ("basic", False, False, False), ("standard", True, True, True)],
)
def test_business_manager_multi_account_and_page_creation_by_level(
    level: str, bm: bool, multi: bool, pages: bool
) -> None:
    def allowed(**need: bool) -> bool:
        return access.level_rule(DEFAULT_POLICY, level, "1", **need) is None

    assert allowed(business_manager=True) is bm
    assert allowed(multi_account=True) is multi
    assert allowed(page_creation=True) is pages
    assert allowed()


def test_a_level_refusal_names_the_level_and_the_first_level_that_allows_it() -> None:
    refusal = access.level_rule(DEFAULT_POLICY, "basic", "77", business_manager=True)
    assert refusal == access.Refusal(
        "business_manager_limited", {"app_id": "77", "level": "Basic", "needed": "Standard"}
    )


def test_the_list_maximum_comes_from_the_policy_table() -> None:
    assert [access.list_limit(limits) for limits in (DEV, BASIC, STANDARD)] == [5, 25, None]


def test_a_full_list_names_the_account_the_limit_the_level_and_the_way_out() -> None:
    assert access.account_list_rule(DEFAULT_POLICY, "development", "1", "9", "added") is None
    assert access.account_list_rule(DEFAULT_POLICY, "development", "1", "9", "present") is None
    assert access.account_list_rule(DEFAULT_POLICY, "basic", "1", "9", "full") == access.Refusal(
        access.LIST_FULL,
        {
            "account_id": "9",
            "app_id": "1",
            "limit": "25",
            "level": "Basic",
            "hint": "apply for Standard access",
        },
    )


def test_another_policy_file_changes_the_rules_without_code() -> None:
    policy = load_policy(PRESET)
    limited = policy.limits_for("limited")
    assert access.list_limit(limited) is None
    assert access.caller_rule(limited, person(None), marketing=True) == access.Refusal("development_access")
    assert access.level_rule(policy, "full", "1", page_creation=True) == access.Refusal(
        "page_creation_limited", {"app_id": "1", "level": "Full access", "needed": "a higher"}
    )
    assert json.loads(PRESET.read_text())["order"] == ["limited", "full"]


@pytest.mark.parametrize(
    ("direct", "business", "system_user", "expected"),
    [
        ("analyst", "ADMIN", None, "analyst"),
        (None, "ADMIN", None, "admin"),
        (None, "EMPLOYEE", None, None),
        (None, None, "ADMIN", "admin"),
        ("analyst", None, "ADMIN", "admin"),  # an admin system user controls every asset
        (None, None, "EMPLOYEE", None),  # an employee system user: only assigned assets
        ("advertiser", None, "EMPLOYEE", "advertiser"),
        (None, None, None, None),
    ],
)
def test_the_effective_account_role(
    direct: str | None, business: str | None, system_user: str | None, expected: str | None
) -> None:
    assert access.account_role(direct, business_role=business, system_user_role=system_user) == expected


def test_an_unseen_account_is_unsupported_for_the_calls_method() -> None:
    refusal = access.account_rule(BASIC, person(None), "9", None, write=True, method="DELETE")
    assert refusal == access.Refusal("unsupported_delete", {"node": "act_9"})
