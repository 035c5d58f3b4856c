"""The usage headers, parsed (docs/graph-facts.md §5.4)."""

from __future__ import annotations

from adgate.client import Usage

# The documentation's own examples (docs/graph-facts.md §5.4).
HEADERS = {
    "X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}',
    "X-Ad-Account-Usage": '{"acc_id_util_pct":9.67,"reset_time_duration":100,'
    '"ads_api_access_tier":"standard_access"}',
    "X-Business-Use-Case-Usage": '{"66782684":[{"type":"ads_management","call_count":95,"total_cputime":20,'
    '"total_time":20,"estimated_time_to_regain_access":0,"ads_api_access_tier":"development_access"}]}',
}


def test_the_three_headers_are_read() -> None:
    usage = Usage.from_headers(HEADERS)
    assert usage.app is not None and (usage.app.call_count, usage.app.total_time) == (28, 25)
    assert usage.ad_account is not None
    assert (usage.ad_account.acc_id_util_pct, usage.ad_account.reset_time_duration) == (9.67, 100)
    assert usage.ad_account.ads_api_access_tier == "standard_access"
    [buc] = usage.business_use_case
    assert (buc.object_id, buc.type, buc.call_count, buc.estimated_time_to_regain_access) == (
        "66782684",
        "ads_management",
        95,
        0,
    )
    assert usage.highest_pct == 95


def test_header_names_are_case_insensitive() -> None:
    lower = {k.lower(): v for k, v in HEADERS.items()}
    assert Usage.from_headers(lower) == Usage.from_headers(HEADERS)


def test_the_wait_comes_from_the_buc_estimate_in_minutes_else_from_the_ad_account_reset() -> None:
    assert Usage.from_headers(HEADERS).regain_seconds == 100
    blocked = dict(HEADERS)
    blocked["X-Business-Use-Case-Usage"] = (
        '{"1":[{"type":"ads_insights","estimated_time_to_regain_access":3},{"type":"ads_management",'
        '"estimated_time_to_regain_access":7}]}'
    )
    assert Usage.from_headers(blocked).regain_seconds == 7 * 60
    assert Usage.from_headers({}).regain_seconds is None


def test_malformed_headers_are_ignored() -> None:
    usage = Usage.from_headers(
        {"X-App-Usage": "not json", "X-Ad-Account-Usage": "[1,2]", "X-Business-Use-Case-Usage": '{"1":"x"}'}
    )
    assert usage == Usage()
