"""The review's rules as plain numbers (seed, "Basic", "Standard", "Time to review")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adgate.policy import review as rules
from adgate.policy.levels import DEFAULT_POLICY

GOOD = rules.Figures(
    calls=1000, errors=0, ads_approved=1, ads_disapproved=0, ads_pending=0, role_free_logins=1, clear_logins=1
)


def ts(year: int, month: int, day: int, hour: int, minute: int) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp())


def met(name: str, figures: rules.Figures) -> bool:
    return {c.name: c.met for c in rules.criteria_for("access", figures)}[name]


def test_an_app_with_good_figures_meets_every_basic_criterion() -> None:
    assert rules.all_met(rules.criteria_for("access", GOOD))
    assert rules.unmet_reasons(rules.criteria_for("access", GOOD)) == []


@pytest.mark.parametrize(("calls", "expected"), [(999, False), (1000, True), (0, False)])
def test_at_least_1000_calls_in_the_window(calls: int, expected: bool) -> None:
    assert met("api_calls", replace(GOOD, calls=calls)) is expected


@pytest.mark.parametrize(("errors", "expected"), [(999, True), (1000, False), (0, True)])
def test_the_error_rate_must_be_under_10_percent(errors: int, expected: bool) -> None:
    # 999 of 10000 is 9.99%: under 10%. 1000 of 10000 is exactly 10%: not under.
    assert met("error_rate", replace(GOOD, calls=10_000, errors=errors)) is expected


def test_with_no_calls_there_is_no_error_rate_to_meet() -> None:
    criterion = rules.error_rate(replace(GOOD, calls=0))
    assert not criterion.met
    assert "no API calls" in criterion.reason


@pytest.mark.parametrize(
    ("approved", "disapproved", "expected"), [(1, 0, True), (0, 0, False), (5, 1, False), (0, 1, False)]
)
def test_ads_must_pass_ad_review_with_no_disapproved_creative(
    approved: int, disapproved: int, expected: bool
) -> None:
    assert met("ad_review", replace(GOOD, ads_approved=approved, ads_disapproved=disapproved)) is expected


def test_pending_ads_count_neither_way() -> None:
    assert not met("ad_review", replace(GOOD, ads_approved=0, ads_pending=3))


def test_a_clear_login_flow_needs_a_person_without_a_role_who_granted_what_was_asked() -> None:
    assert not met("login_flow", replace(GOOD, role_free_logins=2, clear_logins=0))
    assert met("login_flow", replace(GOOD, role_free_logins=2, clear_logins=1))


def test_an_unmet_criterion_says_why_with_its_figures() -> None:
    reasons = rules.unmet_reasons(rules.criteria_for("access", replace(GOOD, calls=999)))
    assert reasons == ["The app made 999 API calls in the last 30 days; at least 1000 are needed."]


def test_a_permission_review_is_judged_on_the_login_flow_alone() -> None:
    criteria = rules.criteria_for("permission", replace(GOOD, calls=0, ads_approved=0))
    assert [c.name for c in criteria] == ["login_flow"]
    assert rules.all_met(criteria)


def test_a_submission_on_a_friday_is_due_on_wednesday_three_business_days_later() -> None:
    friday = ts(2026, 9, 25, 10, 0)
    assert rules.due_at(friday, 3, True) == ts(2026, 9, 30, 10, 0)


def test_a_submission_on_a_saturday_is_due_on_wednesday() -> None:
    assert rules.due_at(ts(2026, 9, 26, 10, 0), 3, True) == ts(2026, 9, 30, 10, 0)


def test_standard_takes_fourteen_calendar_days() -> None:
    standard = DEFAULT_POLICY.limits_for("standard")
    monday = ts(2026, 9, 21, 9, 0)
    assert rules.due_at(monday, standard.review_days, standard.review_business_days) == ts(2026, 10, 5, 9, 0)


def test_basic_takes_three_business_days_in_the_level_table() -> None:
    basic = DEFAULT_POLICY.limits_for("basic")
    assert (basic.review_days, basic.review_business_days) == (3, True)


@pytest.mark.parametrize(
    ("feature", "parsed"),
    [
        ("ads_management_basic_access", ("access", "basic")),
        ("ads_management_standard_access", ("access", "standard")),
        ("permission:manage_pages", ("permission", "manage_pages")),
        ("permission:", None),
        ("ads_management__access", None),
        ("basic", None),
    ],
)
def test_features_name_a_level_or_a_permission(feature: str, parsed: tuple[str, str] | None) -> None:
    assert rules.parse_feature(feature) == parsed


def test_standard_permissions_need_no_review_and_marketing_ones_come_with_access() -> None:
    asked = ("public_profile", "email", "ads_read", "ads_management", "manage_pages")
    assert rules.unapproved(asked, (), marketing_access=False) == (
        "ads_read",
        "ads_management",
        "manage_pages",
    )
    assert rules.unapproved(asked, (), marketing_access=True) == ("manage_pages",)
    assert rules.unapproved(asked, ("manage_pages",), marketing_access=True) == ()
