"""The one-line rules of adgate/policy that the larger tests pass by: each asserted on its own, so a
change to one is seen here first (permissions, token lifetimes, counter keys, review features and
figures, ad review timing, effective statuses, data access)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adgate import records as r
from adgate.policy import ad_review, effective_status, permissions, ratelimit, review, tokens, validity


@pytest.fixture
def own_permission() -> Iterator[str]:
    name = "reports_read"
    yield name
    permissions.PERMISSIONS.pop(name, None)


def test_an_operator_may_define_a_permission_of_its_own(own_permission: str) -> None:
    assert permissions.unknown_permissions([own_permission]) == [own_permission]
    permissions.define(own_permission, "Read your reports")
    assert permissions.unknown_permissions([own_permission, "ads_read"]) == []
    assert permissions.PERMISSIONS[own_permission] == "Read your reports"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("ab", "3-64 lower-case"),
        ("Reports", "3-64 lower-case"),
        ("9lives", "3-64 lower-case"),
        ("ads_read", "Graph's own"),
    ],
)
def test_an_own_permission_never_shadows_graph_or_breaks_the_name_rule(name: str, why: str) -> None:
    before = dict(permissions.PERMISSIONS)
    with pytest.raises(ValueError, match=why):
        permissions.define(name, "x")
    assert before == permissions.PERMISSIONS


def test_any_one_of_the_needed_permissions_satisfies() -> None:
    assert permissions.satisfies(["ads_read"], [])
    assert permissions.satisfies([], iter(()))
    assert permissions.satisfies(["ads_read"], ("ads_read", "ads_management"))
    assert permissions.satisfies(["ads_management"], ("ads_read", "ads_management"))
    assert not permissions.satisfies(["email"], ("ads_read", "ads_management"))


def test_expires_in_counts_down_to_zero_and_none_never_expires() -> None:
    assert tokens.expires_in(None, 100) is None
    assert tokens.expires_in(160, 100) == 60
    assert tokens.expires_in(90, 100) == 0


def test_a_page_token_lasts_an_hour_unless_taken_with_a_long_lived_user_token() -> None:
    assert tokens.page_token_expires_at(True, 100) is None
    assert tokens.page_token_expires_at(False, 100) == 100 + tokens.SHORT_PAGE_SECONDS == 3700


def test_each_limit_is_counted_under_its_own_key() -> None:
    keys = {
        ratelimit.score_key("1", "2"),
        ratelimit.buc_key("1", "2", "ads_management"),
        ratelimit.buc_key("1", "2", "ads_insights"),
        ratelimit.app_key("1"),
        ratelimit.score_key("1", "3"),
        ratelimit.app_key("2"),
    }
    assert len(keys) == 6
    assert ratelimit.buc_key("1", "2", "ads_insights") == "1:2:ads_insights"


def test_review_features_are_named_by_level_and_permission() -> None:
    assert review.access_feature("basic") == "ads_management_basic_access"
    assert review.parse_feature(review.access_feature("standard")) == ("access", "standard")
    assert review.parse_feature(review.PERMISSION_PREFIX + "ads_read") == ("permission", "ads_read")


def test_only_public_profile_and_email_need_no_review() -> None:
    assert not review.needs_review("public_profile")
    assert not review.needs_review("email")
    assert review.needs_review("ads_read")


def test_figures_and_criteria_show_in_json_with_the_reason_only_when_unmet() -> None:
    figures = review.Figures(
        calls=200,
        errors=3,
        ads_approved=1,
        ads_disapproved=0,
        ads_pending=0,
        role_free_logins=0,
        clear_logins=0,
    )
    assert figures.to_json()["error_rate"] == 0.015
    assert figures.to_json()["calls"] == 200
    unmet = review.Criterion("n", "rule", met=False, reason="why")
    assert unmet.to_json() == {"name": "n", "rule": "rule", "met": False, "reason": "why"}
    assert review.Criterion("n", "rule", met=True, reason="why").to_json()["reason"] is None


def test_an_ad_review_is_decided_when_its_time_has_run() -> None:
    submitted = 1_000
    decided = ad_review.decided_at(submitted)
    assert ad_review.in_review(submitted, decided - 1)
    assert not ad_review.in_review(submitted, decided)
    assert ad_review.decided_by(decided) == submitted


def test_a_link_ads_url_falls_back_to_its_call_to_action() -> None:
    spec = {
        "link_data": {
            "message": "Hi",
            "call_to_action": {"type": "SHOP_NOW", "value": {"link": "https://s.example/"}},
        }
    }
    text = ad_review.creative_text(title=None, body=None, link_url=None, object_story_spec=spec)
    assert text.link == "https://s.example/"
    assert text.body == "Hi"


def test_a_campaign_shows_its_own_status_and_a_gone_ad_set_hides_its_ads() -> None:
    assert effective_status.campaign_status("PAUSED") == "PAUSED"
    shown = effective_status.ad_status(
        "ACTIVE", adset="ARCHIVED", campaign="ACTIVE", in_review=True, disapproved=False
    )
    assert shown == "ARCHIVED"


def test_no_authorization_means_no_data_access() -> None:
    assert validity.data_access_expires_at(None) is None
    authorization = r.Authorization("1", "2", 10, 20, None)
    assert validity.data_access_expires_at(authorization) == 20 + tokens.DATA_ACCESS_SECONDS
