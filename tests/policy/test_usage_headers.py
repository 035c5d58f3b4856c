"""Usage headers: exactly the shapes of docs/graph-facts.md §5.4."""

from __future__ import annotations

import json

import pytest

from adgate.policy.ratelimit import SCORE_TIERS, decide_score, decide_window, minute_of
from adgate.policy.usage_headers import (
    BucUsage,
    access_tier_value,
    ad_account_usage_from_score,
    app_usage_from_window,
    format_ad_account_usage,
    format_ads_insights_throttle,
    format_app_usage,
    format_business_use_case_usage,
)

NOW = 1_700_000_040.0


def test_app_usage_has_the_documented_shape() -> None:
    assert format_app_usage(28, 25, 25) == '{"call_count":28,"total_time":25,"total_cputime":25}'


def test_ad_account_usage_has_the_documented_shape() -> None:
    assert (
        format_ad_account_usage(9.67, 100, "standard")
        == '{"acc_id_util_pct":9.67,"reset_time_duration":100,"ads_api_access_tier":"standard_access"}'
    )


def test_business_use_case_usage_has_the_documented_shape() -> None:
    entry = BucUsage("ads_management", 95, 20, 20, 0, "development")
    assert format_business_use_case_usage({"66782684": [entry]}) == (
        '{"66782684":[{"type":"ads_management","call_count":95,"total_cputime":20,'
        '"total_time":20,"estimated_time_to_regain_access":0,"ads_api_access_tier":"development_access"}]}'
    )


def test_ads_insights_throttle_has_the_documented_shape() -> None:
    assert (
        format_ads_insights_throttle(12.5, 40, "development")
        == '{"app_id_util_pct":12.5,"acc_id_util_pct":40,"ads_api_access_tier":"development_access"}'
    )


@pytest.mark.parametrize(
    ("tier", "value"),
    [("development", "development_access"), ("basic", "basic_access"), ("standard", "standard_access")],
)
def test_each_tier_has_its_header_value(tier: str, value: str) -> None:
    assert access_tier_value(tier) == value


def test_a_custom_tier_follows_the_same_pattern() -> None:
    assert access_tier_value("partner") == "partner_access"


def test_whole_percentages_round_down_so_100_means_the_limit_is_reached() -> None:
    assert json.loads(format_app_usage(99.99, 0.4, 100))["call_count"] == 99


def test_percentages_stay_between_0_and_100() -> None:
    assert format_app_usage(150, -3, 100) == '{"call_count":100,"total_time":0,"total_cputime":100}'
    assert json.loads(format_ad_account_usage(123.456, 5, "basic"))["acc_id_util_pct"] == 100


def test_ad_account_utilisation_keeps_two_decimals_and_drops_a_trailing_zero() -> None:
    assert json.loads(format_ad_account_usage(33.333333, 5, "basic"))["acc_id_util_pct"] == 33.33
    assert '"acc_id_util_pct":0,' in format_ad_account_usage(0.0, 0, "basic")


def test_the_business_use_case_header_is_keyed_by_the_bare_account_id() -> None:
    entry = BucUsage("ads_insights", 1, 1, 1, 0, "standard")
    assert list(json.loads(format_business_use_case_usage({"act_42": [entry]}))) == ["42"]


def test_one_business_use_case_entry_per_type() -> None:
    entries = [BucUsage(t, 10, 10, 10, 0, "basic") for t in ("ads_management", "ads_insights")]
    body = json.loads(format_business_use_case_usage({"42": entries}))
    assert [e["type"] for e in body["42"]] == ["ads_management", "ads_insights"]


def test_headers_are_compact_json() -> None:
    entry = BucUsage("custom_audience", 1, 1, 1, 0, "basic")
    for header in (
        format_app_usage(1, 2, 3),
        format_ad_account_usage(1.5, 2, "basic"),
        format_business_use_case_usage({"1": [entry]}),
    ):
        assert " " not in header
        json.loads(header)


def test_ad_account_usage_from_a_score_decision() -> None:
    decision = decide_score(SCORE_TIERS["development"], None, 3, NOW)
    assert ad_account_usage_from_score(decision, "development") == (
        '{"acc_id_util_pct":5,"reset_time_duration":15,"ads_api_access_tier":"development_access"}'
    )


def test_a_throttled_window_reports_100_and_minutes_to_regain_access() -> None:
    refused = decide_window(3, {minute_of(NOW): 3}, 1, NOW + 60)
    entry = BucUsage.from_window("ads_management", refused, "development")
    body = json.loads(format_business_use_case_usage({"42": [entry]}))["42"][0]
    assert body["call_count"] == body["total_time"] == body["total_cputime"] == 100
    assert body["estimated_time_to_regain_access"] == 59


def test_app_usage_from_a_window_reports_the_call_share_for_all_three() -> None:
    decision = decide_window(200, {}, 50, NOW)
    assert app_usage_from_window(decision) == '{"call_count":25,"total_time":25,"total_cputime":25}'
