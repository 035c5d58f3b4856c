"""The unmodified official ``facebook-business`` SDK against a live adgate (docs/graph-facts.md §12).

``FacebookSession.GRAPH`` is pointed at the server as the class attribute (restored afterwards) and
``FacebookAdsApi.init(app_id, app_secret, token, crash_log=False)`` makes the SDK send an
``appsecret_proof`` with every call; the apps here require one, so every call that succeeds proves
the server verified it. The world is built through the sandbox control API
(:class:`adgate.testing.Sandbox`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from facebook_business.adobjects.ad import Ad
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.adobjects.business import Business
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.customaudience import CustomAudience
from facebook_business.adobjects.targetingsearch import TargetingSearch
from facebook_business.adobjects.user import User
from facebook_business.api import Cursor, FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError

from adgate.policy.ad_review import REVIEW_SECONDS
from adgate.policy.ratelimit import user_error_key
from adgate.store.limiter import UNLIMITED
from adgate.testing import LiveServer, Sandbox
from adgate.testing.sandbox import App, Person

TARGETING = {"geo_locations": {"countries": ["US"]}, "age_min": 18, "age_max": 34}


@dataclass
class World:
    sandbox: Sandbox
    person: Person
    app: App
    accounts: list[str]
    page_id: str

    def token(
        self, scopes: tuple[str, ...] = ("ads_management", "ads_read"), *, long_lived: bool = True
    ) -> str:
        return self.sandbox.user_token(self.person, self.app, scopes, long_lived=long_lived)


def make_world(server: LiveServer, *, level: str, accounts: int) -> World:
    sandbox = Sandbox(server.url, server.admin_key)
    person = sandbox.person("Ada")
    app = sandbox.app("Ads Helper", admin=person, level=level, require_app_secret=True)
    made = [sandbox.ad_account(f"Account {n}", admins=[person]).node for n in range(accounts)]
    return World(sandbox, person, app, made, sandbox.page("Shoes", admins=[person]))


@pytest.fixture
def standard(server: LiveServer) -> Iterator[World]:
    world = make_world(server, level="standard", accounts=5)
    try:
        yield world
    finally:
        world.sandbox.close()


@pytest.fixture
def development(server: LiveServer) -> Iterator[World]:
    world = make_world(server, level="development", accounts=6)
    try:
        yield world
    finally:
        world.sandbox.close()


def pages_of(cursor: Cursor) -> tuple[list[Any], int]:
    """Everything a Cursor yields, and how many pages it fetched (the first when it was made)."""
    fetched = 1
    load = cursor.load_next_page

    def counting() -> bool:
        nonlocal fetched
        loaded: bool = load()
        fetched += loaded
        return loaded

    cursor.load_next_page = counting
    return list(cursor), fetched


def new_campaign(account: AdAccount, name: str = "Spring", status: str = "ACTIVE") -> Campaign:
    campaign: Campaign = account.create_campaign(
        params={
            "name": name,
            "objective": "OUTCOME_TRAFFIC",
            "status": status,
            "special_ad_categories": [],
            "is_adset_budget_sharing_enabled": False,
        }
    )
    return campaign


def delivering_ad(world: World, account: AdAccount) -> Ad:
    """A campaign, an ad set, a creative and an ad that passes review, all made through the SDK."""
    campaign = new_campaign(account)
    adset = account.create_ad_set(
        params={
            "name": "US 18-34",
            "campaign_id": campaign["id"],
            "billing_event": "IMPRESSIONS",
            "optimization_goal": "LINK_CLICKS",
            "daily_budget": 1500,
            "targeting": TARGETING,
            "status": "ACTIVE",
        }
    )
    creative = account.create_ad_creative(
        params={
            "name": "Spring",
            "object_story_spec": {
                "page_id": world.page_id,
                "link_data": {"link": "https://shop.example/", "message": "New shoes for spring"},
            },
        }
    )
    ad: Ad = account.create_ad(
        params={
            "name": "Spring ad",
            "adset_id": adset["id"],
            "creative": {"creative_id": creative["id"]},
            "status": "ACTIVE",
        }
    )
    return ad


def test_ad_accounts_are_listed_across_pages(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token()):
        cursor = User(fbid="me").get_ad_accounts(fields=["name", "account_id"], params={"limit": 2})
        accounts, pages = pages_of(cursor)
        assert sorted(a["id"] for a in accounts) == sorted(standard.accounts)
        assert all(a["id"] == f"act_{a['account_id']}" for a in accounts)
        assert pages == 3


def test_a_business_ad_accounts_are_listed_across_pages(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token()):
        business_id = standard.sandbox.business("Shoes Inc", admin=standard.person)
        for n in range(5):
            standard.sandbox.ad_account(f"Owned {n}", business_id=business_id)
        cursor = Business(business_id).get_owned_ad_accounts(fields=["name"], params={"limit": 2})
        owned, pages = pages_of(cursor)
        assert sorted(a["name"] for a in owned) == [f"Owned {n}" for n in range(5)]
        assert cursor.total() == 5
        assert pages == 3


def test_campaigns_are_created_and_listed_with_a_filter_and_paging(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token()):
        account = AdAccount(standard.accounts[0])
        made = [new_campaign(account, f"C{n}", status="ACTIVE" if n % 2 else "PAUSED") for n in range(5)]
        assert all(isinstance(c, Campaign) and c["id"] for c in made)
        cursor = account.get_campaigns(
            fields=["name", "status", "objective"],
            params={"effective_status": ["ACTIVE", "PAUSED"], "limit": 2},
        )
        listed, pages = pages_of(cursor)
        assert pages == 3
        assert cursor.total() == 5
        assert {c["id"] for c in listed} == {c["id"] for c in made}
        assert {c["objective"] for c in listed} == {"OUTCOME_TRAFFIC"}
        active = list(account.get_campaigns(fields=["name"], params={"effective_status": ["ACTIVE"]}))
        assert len(active) == 2
        read = Campaign(made[0]["id"]).api_get(fields=["name", "effective_status"])
        assert (read["name"], read["effective_status"]) == ("C0", "PAUSED")


def test_insights_sync_and_async_agree(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token()):
        account = AdAccount(standard.accounts[0])
        delivering_ad(standard, account)
        standard.sandbox.advance(seconds=REVIEW_SECONDS)
        params = {"level": "campaign", "date_preset": "last_7d", "breakdowns": ["age"]}
        fields = ["campaign_name", "impressions", "spend", "ctr"]
        rows = list(account.get_insights(fields=fields, params=params))
        assert {r["age"] for r in rows} == {"18-24", "25-34"}  # the ad set targets 18 to 34
        assert all(isinstance(r["impressions"], str) and r["date_start"] for r in rows)
        job = account.get_insights(fields=fields, params=params, is_async=True)
        assert isinstance(job, AdReportRun)
        standard.sandbox.advance(seconds=5)
        job.api_get()
        assert (job["async_status"], job["async_percent_completion"]) == ("Job Completed", 100)
        assert [dict(r) for r in job.get_result()] == [dict(r) for r in rows]


def test_an_ads_creatives_are_listed(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token()):
        ad = delivering_ad(standard, AdAccount(standard.accounts[0]))
        creatives = list(Ad(ad["id"]).get_ad_creatives(fields=["name", "object_story_spec"]))
        assert [c["name"] for c in creatives] == ["Spring"]
        assert creatives[0]["object_story_spec"]["page_id"] == standard.page_id
        assert creatives[0]["id"] == Ad(ad["id"]).api_get(fields=["creative"])["creative"]["id"]


def test_targeting_search_for_interests_and_places(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token()):
        found = TargetingSearch.search(
            params={"type": TargetingSearch.TargetingSearchTypes.interest, "q": "shoe"}
        )
        assert [i["name"] for i in found] == ["Shoes", "Running shoes"]
        assert found[1]["path"] == ["Interests", "Shopping and fashion", "Shoes", "Running shoes"]
        places = TargetingSearch.search(
            params={"type": "adgeolocation", "q": "new york", "location_types": ["region", "city"]}
        )
        assert [(p["type"], p["name"], p["country_code"]) for p in places] == [
            ("region", "New York", "US"),
            ("city", "New York", "US"),
        ]
        in_account = list(AdAccount(standard.accounts[0]).get_targeting_search(params={"q": "yoga"}))
        assert [(i["name"], i["type"]) for i in in_account] == [("Yoga", "interests")]
        with pytest.raises(FacebookRequestError) as bad:
            TargetingSearch.search(params={"type": "adnothing", "q": "x"})
        assert bad.value.api_error_code() == 100


def test_custom_audience_members_are_added_and_removed(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token()):
        account = AdAccount(standard.accounts[0])
        audience = account.create_custom_audience(
            params={"name": "Buyers", "subtype": "CUSTOM", "customer_file_source": "USER_PROVIDED_ONLY"}
        )
        added = audience.add_users(
            CustomAudience.Schema.email_hash, ["ada@example.com", " Bob@Example.com. "]
        )
        assert added.json() == {
            "audience_id": audience["id"],
            "num_received": 2,
            "num_invalid_entries": 0,
            "invalid_entry_samples": {},
        }
        schema = [CustomAudience.Schema.MultiKeySchema.extern_id, CustomAudience.Schema.MultiKeySchema.fn]
        session = {"session_id": 9778993, "batch_seq": 1, "last_batch_flag": True}
        multi = audience.add_users(schema, [["c-1", "Ada"], ["c-2", "Bob"]], is_raw=True, session=session)
        assert (multi.json()["num_received"], multi.json()["session_id"]) == (2, "9778993")
        unhashed = audience.remove_users(CustomAudience.Schema.email_hash, ["not-a-hash"], pre_hashed=True)
        assert unhashed.json()["num_invalid_entries"] == 1
        website = account.create_custom_audience(
            params={
                "name": "Visitors",
                "subtype": "WEBSITE",
                "rule": json.dumps({"url": {"i_contains": "shoes"}}),
            }
        )
        with pytest.raises(FacebookRequestError) as refused:
            CustomAudience(website["id"]).add_users(CustomAudience.Schema.email_hash, ["ada@example.com"])
        assert refused.value.api_error_code() == 100


def test_insights_filtering_sort_action_breakdowns_and_the_throttle_header(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token()):
        account = AdAccount(standard.accounts[0])
        delivering_ad(standard, account)
        standard.sandbox.advance(seconds=REVIEW_SECONDS)
        params: dict[str, Any] = {"date_preset": "last_7d", "time_increment": 1, "level": "ad"}
        daily = account.get_insights(fields=["ad_name", "impressions"], params=params)
        rows = [dict(r) for r in daily]
        throttle = json.loads(daily.headers()["x-fb-ads-insights-throttle"])
        assert set(throttle) == {"app_id_util_pct", "acc_id_util_pct", "ads_api_access_tier"}
        assert throttle["ads_api_access_tier"] == "standard_access"

        by_impressions = sorted(rows, key=lambda r: -int(r["impressions"]))
        sorted_rows = account.get_insights(
            fields=["ad_name", "impressions"], params={**params, "sort": ["impressions_descending"]}
        )
        assert [dict(r) for r in sorted_rows] == by_impressions
        middle = int(by_impressions[3]["impressions"])
        filtered = account.get_insights(
            fields=["impressions"],
            params={
                **params,
                "filtering": [
                    {"field": "impressions", "operator": "GREATER_THAN", "value": middle},
                    {"field": "ad.name", "operator": "CONTAIN", "value": "spring"},
                ],
            },
        )
        assert sorted(int(r["impressions"]) for r in filtered) == sorted(
            int(r["impressions"]) for r in rows if int(r["impressions"]) > middle
        )
        none = account.get_insights(
            fields=["impressions"],
            params={**params, "filtering": [{"field": "ad.name", "operator": "EQUAL", "value": "Other"}]},
        )
        assert list(none) == []
        by_device = account.get_insights(
            fields=["actions"],
            params={"date_preset": "last_7d", "action_breakdowns": ["action_type", "action_device"]},
        )
        [total] = account.get_insights(fields=["actions"], params={"date_preset": "last_7d"})
        [split] = by_device
        clicks = [a for a in split["actions"] if a["action_type"] == "link_click"]
        assert {a["action_device"] for a in clicks} == {"desktop", "android_smartphone", "iphone"}
        link_total = next(a["value"] for a in total["actions"] if a["action_type"] == "link_click")
        assert sum(int(a["value"]) for a in clicks) == int(link_total)
        with pytest.raises(FacebookRequestError) as bad:
            account.get_insights(
                params={"filtering": [{"field": "nothing", "operator": "EQUAL", "value": 1}]}
            )
        assert bad.value.api_error_code() == 100


def test_a_batch_calls_back_per_item(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token()) as api:
        account = AdAccount(standard.accounts[0])
        campaign = new_campaign(account)
        succeeded: list[Any] = []
        failed: list[Any] = []
        batch = api.new_batch()
        account.api_get(fields=["name"], batch=batch, success=succeeded.append, failure=failed.append)
        Campaign(campaign["id"]).api_get(
            fields=["name"], batch=batch, success=succeeded.append, failure=failed.append
        )
        Campaign("123456789").api_get(
            fields=["name"], batch=batch, success=succeeded.append, failure=failed.append
        )
        assert batch.execute() is None
        assert [r.json()["name"] for r in succeeded] == ["Account 0", "Spring"]
        assert [r.error().api_error_code() for r in failed] == [100]


def test_an_expired_token_is_190_463(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token(long_lived=False)):
        standard.sandbox.advance(hours=3)
        with pytest.raises(FacebookRequestError) as caught:
            list(AdAccount(standard.accounts[0]).get_campaigns())
    error = caught.value
    assert (error.api_error_code(), error.api_error_subcode(), error.api_error_type()) == (
        190,
        463,
        "OAuthException",
    )
    assert not error.api_transient_error()


def test_a_missing_permission_is_294_and_a_bad_proof_is_100(standard: World) -> None:
    with standard.sandbox.sdk(standard.app, standard.token(("ads_read",))):
        account = AdAccount(standard.accounts[0])
        assert list(account.get_campaigns()) == []
        with pytest.raises(FacebookRequestError) as caught:
            new_campaign(account)
    assert (caught.value.api_error_code(), caught.value.http_status()) == (294, 403)
    wrong = App(standard.app.id, standard.app.name, "0" * 32, standard.app.redirect_uri)
    with standard.sandbox.sdk(wrong, standard.token()), pytest.raises(FacebookRequestError) as bad_proof:
        list(AdAccount(standard.accounts[0]).get_campaigns())
    assert bad_proof.value.api_error_code() == 100
    assert "appsecret_proof" in bad_proof.value.api_error_message()


def test_a_full_account_list_is_refused(development: World) -> None:
    with development.sandbox.sdk(development.app, development.token()):
        for node in development.accounts[:5]:
            AdAccount(node).api_get(fields=["name"])
        with pytest.raises(FacebookRequestError) as caught:
            AdAccount(development.accounts[5]).api_get(fields=["name"])
    assert caught.value.api_error_code() == 10
    assert "account list" in caught.value.api_error_message()


def test_the_ad_account_score_limit_is_17_2446079(development: World) -> None:
    with development.sandbox.sdk(development.app, development.token()):
        account = AdAccount(development.accounts[0])
        with pytest.raises(FacebookRequestError) as caught:
            for n in range(40):  # 3 points a write: the 60-point Development score is reached first
                new_campaign(account, f"C{n}")
    error = caught.value
    assert (error.api_error_code(), error.api_error_subcode()) == (17, 2446079)
    assert error.api_transient_error()
    assert "x-ad-account-usage" in error.http_headers()


def test_the_business_use_case_limit_is_80004(development: World) -> None:
    """300 ads_management calls an hour at Development (docs/graph-facts.md §5.3); the clock moves so the
    score
    (60 points, decaying in 300 s) never binds first."""
    with development.sandbox.sdk(development.app, development.token()):
        account = AdAccount(development.accounts[0])
        with pytest.raises(FacebookRequestError) as caught:
            for _ in range(400):
                development.sandbox.advance(seconds=5)
                account.api_get(fields=["name"])
    error = caught.value
    assert (error.api_error_code(), error.api_error_subcode()) == (80004, 2446079)
    assert error.api_transient_error()
    usage = error.http_headers()["x-business-use-case-usage"]
    assert development.accounts[0].removeprefix("act_") in usage
    assert isinstance(FacebookAdsApi.get_default_api(), FacebookAdsApi)


def test_a_system_user_token_limited_to_assets_and_fetched_again(standard: World) -> None:
    """``Business.create_system_user_access_token`` as the SDK types it (docs/graph-facts.md §7):
    ``scope`` a ``list<Permission>`` and ``asset`` a ``list<unsigned int>``, both sent as JSON."""
    sandbox = standard.sandbox
    business_id = sandbox.business("Shoes Inc", admin=standard.person)
    first, second = (sandbox.ad_account(f"Owned {n}", business_id=business_id) for n in range(2))
    with sandbox.sdk(standard.app, standard.token()) as api:
        bot = Business(business_id).create_system_user(params={"name": "Bot", "role": "ADMIN"})
        api.call("POST", (bot["id"], "applications"), params={"business_app": standard.app.id})
        params: dict[str, Any] = {
            "system_user_id": bot["id"],
            "scope": ["ads_read", "ads_management"],
            "asset": [int(first.id)],
        }
        # The SDK's type checker knows no Permission object, so it warns about any scope it is
        # given, and sends the list all the same, as JSON.
        with pytest.warns(UserWarning, match="scope"):
            made = Business(business_id).create_system_user_access_token(params=params)
        with pytest.warns(UserWarning, match="scope"):
            fetched = Business(business_id).create_system_user_access_token(
                params={**params, "fetch_only": True}
            )
        assert fetched["access_token"] == made["access_token"]
        with pytest.warns(UserWarning, match="scope"), pytest.raises(FacebookRequestError) as unknown:
            Business(business_id).create_system_user_access_token(params={**params, "scope": ["ads_reed"]})
    assert unknown.value.api_error_code() == 3962
    with sandbox.sdk(standard.app, made["access_token"]):
        assert list(AdAccount(first.node).get_campaigns()) == []
        with pytest.raises(FacebookRequestError) as outside:
            list(AdAccount(second.node).get_campaigns())
    assert (outside.value.api_error_code(), outside.value.http_status()) == (200, 403)


def test_a_system_user_renamed_as_the_sdk_documents_it(standard: World) -> None:
    """``Business.create_system_user`` with ``system_user_id`` and ``name`` renames the system user
    (docs/graph-facts.md §7); the SDK reads the answer as the same ``SystemUser``."""
    sandbox = standard.sandbox
    business_id = sandbox.business("Shoes Inc", admin=standard.person)
    with sandbox.sdk(standard.app, standard.token()):
        bot = Business(business_id).create_system_user(params={"name": "Bot", "role": "EMPLOYEE"})
        renamed = Business(business_id).create_system_user(
            params={"system_user_id": bot["id"], "name": "Sync bot"}
        )
        assert renamed["id"] == bot["id"]
        listed = Business(business_id).get_system_users(fields=["name"])
        assert [u["name"] for u in listed] == ["Sync bot"]


def test_an_insights_call_the_server_refuses_is_a_user_error(development: World, server: LiveServer) -> None:
    """docs/graph-facts.md §5.3: the ``ads_insights`` hour shrinks by 0.001 call per user error of the
    (app, ad account) pair; an Insights call answered with code 100 is one, a good one is not."""
    account_id = development.accounts[0].removeprefix("act_")
    with development.sandbox.sdk(development.app, development.token()):
        account = AdAccount(development.accounts[0])
        with pytest.raises(FacebookRequestError) as caught:
            account.get_insights(fields=["impressions"], params={"time_range": {"since": "2024-13-45"}})
        assert list(account.get_insights(fields=["impressions"], params={"date_preset": "last_7d"})) == []
    assert (caught.value.api_error_code(), caught.value.http_status()) == (100, 400)
    enforcer = server.services.enforcer
    assert enforcer is not None
    key = user_error_key(development.app.id, account_id)
    # The server's counters are in memory: read them as they stand (nothing else calls now).
    window = asyncio.run(enforcer.limits.store.peek_window(key, UNLIMITED, server.services.core.now()))
    assert window.count == 1
