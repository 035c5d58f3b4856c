"""Insights: deterministic string metrics on the server clock's dates, levels, breakdowns, runs."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from ads_world import GOOD_LINK, Advertiser, error_of, make_advertiser

from adgate.clock import SandboxClock
from adgate.services.marketing.insights import RUN_SECONDS
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio
DAY = 86_400
# The test clock stands at 2026-09-21 07:13 in Los Angeles, the account's time zone.
TODAY = "2026-09-21"


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


@pytest.fixture
async def two_campaigns(adv: Advertiser) -> dict[str, Any]:
    """Campaign A with two ads in one ad set, campaign B with one ad, and one disapproved ad."""
    a, b = await adv.campaign(name="A"), await adv.campaign(name="B")
    adset_a, adset_b = await adv.adset(a), await adv.adset(b)
    ads = [await adv.ad(adset_a), await adv.ad(adset_a), await adv.ad(adset_b)]
    bad = await adv.creative(
        object_story_spec={"page_id": adv.page_id, "link_data": {"link": GOOD_LINK, "message": "free money"}}
    )
    await adv.ad(adset_b, creative_id=bad)
    return {"campaigns": (a, b), "adsets": (adset_a, adset_b), "ads": ads}


async def insights(adv: Advertiser, path: str, **params: Any) -> list[dict[str, Any]]:
    response = await adv.get(f"{path}/insights", **params)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_metrics_are_strings_with_dates_from_the_server_clock(
    adv: Advertiser, two_campaigns: Any
) -> None:
    rows = await insights(
        adv,
        adv.act,
        fields="impressions,clicks,spend,ctr,cpc,cpm,reach,frequency,actions",
        date_preset="last_7d",
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row["date_start"], row["date_stop"]) == ("2026-09-14", "2026-09-20")
    assert re.fullmatch(r"\d+", row["impressions"])
    assert re.fullmatch(r"\d+\.\d\d", row["spend"])
    assert re.fullmatch(r"\d+\.\d{6}", row["ctr"])
    assert {a["action_type"] for a in row["actions"]} >= {"link_click", "post_engagement"}
    assert list(row)[-2:] == ["date_start", "date_stop"]


async def test_the_same_question_gets_the_same_answer_and_the_clock_moves_the_dates(
    adv: Advertiser, two_campaigns: Any, clock: SandboxClock
) -> None:
    params = {"fields": "impressions,spend", "date_preset": "yesterday"}
    first = await insights(adv, adv.act, **params)
    assert first == await insights(adv, adv.act, **params)
    clock.advance(DAY)
    moved = await insights(adv, adv.act, **params)
    assert moved[0]["date_start"] == TODAY
    assert moved != first
    today = await insights(adv, adv.act, fields="impressions", time_range={"since": TODAY, "until": TODAY})
    assert today[0]["impressions"] == moved[0]["impressions"]


async def test_levels_split_the_account_and_add_up_to_it(adv: Advertiser, two_campaigns: Any) -> None:
    account = await insights(adv, adv.act, fields="impressions,spend")
    per_campaign = await insights(
        adv, adv.act, level="campaign", fields="campaign_id,campaign_name,impressions"
    )
    per_ad = await insights(adv, adv.act, level="ad", fields="ad_id,impressions")
    assert {r["campaign_name"] for r in per_campaign} == {"A", "B"}
    assert sorted(r["ad_id"] for r in per_ad) == sorted(two_campaigns["ads"])  # the disapproved ad: no row
    total = int(account[0]["impressions"])
    assert sum(int(r["impressions"]) for r in per_campaign) == total
    assert sum(int(r["impressions"]) for r in per_ad) == total


async def test_each_object_has_its_own_insights(adv: Advertiser, two_campaigns: Any) -> None:
    a = two_campaigns["campaigns"][0]
    campaign_rows = await insights(adv, a, fields="impressions")
    adset_rows = await insights(adv, two_campaigns["adsets"][0], fields="impressions")
    by_ad = await insights(adv, a, level="ad", fields="impressions")
    assert campaign_rows == adset_rows
    assert sum(int(r["impressions"]) for r in by_ad) == int(campaign_rows[0]["impressions"])
    one_ad = await insights(adv, two_campaigns["ads"][0], fields="ad_name,impressions")
    assert one_ad[0]["ad_name"] == "Spring ad"
    above = await adv.get(f"{a}/insights", level="account")
    assert error_of(above)["code"] == 100


async def test_breakdowns_follow_the_targeting_and_add_up(adv: Advertiser, two_campaigns: Any) -> None:
    total = await insights(adv, adv.act, fields="impressions")
    rows = await insights(adv, adv.act, fields="impressions", breakdowns=["age", "country"])
    assert {(r["age"], r["country"]) for r in rows} == {
        (age, country) for age in ("25-34", "35-44") for country in ("US", "CA")
    }  # the ad sets target 25 to 44 in the US and Canada
    assert sum(int(r["impressions"]) for r in rows) == int(total[0]["impressions"])
    assert list(rows[0])[-2:] == ["age", "country"]


async def test_daily_rows_page_with_cursors(adv: Advertiser, two_campaigns: Any) -> None:
    params: dict[str, Any] = {
        "fields": "impressions",
        "date_preset": "last_30d",
        "time_increment": 1,
        "limit": 12,
    }
    days: list[str] = []
    while True:
        response = await adv.get(f"{adv.act}/insights", **params)
        body = response.json()
        days.extend(r["date_start"] for r in body["data"])
        if "next" not in body["paging"]:
            break
        params["after"] = body["paging"]["cursors"]["after"]
    assert len(days) == 30
    assert days == sorted(days)
    assert days[-1] == "2026-09-20"
    monthly = await insights(
        adv, adv.act, fields="impressions", date_preset="last_30d", time_increment="monthly"
    )
    assert [(r["date_start"], r["date_stop"]) for r in monthly] == [
        ("2026-08-22", "2026-08-31"),
        ("2026-09-01", "2026-09-20"),
    ]


async def test_an_account_without_delivering_ads_has_no_rows(adv: Advertiser) -> None:
    assert await insights(adv, adv.act) == []
    assert (await adv.get(f"{adv.act}/insights")).json() == {"data": []}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"date_preset": "lifetime"}, 100),
        ({"time_range": {"since": "2020-01-01", "until": "2020-02-01"}}, 3018),
        ({"time_range": "2026-01-01"}, 100),
        ({"fields": "impressions,happiness"}, 100),
        ({"breakdowns": ["weather"]}, 100),
        ({"level": "galaxy"}, 100),
        ({"time_increment": 0}, 100),
    ],
)
async def test_bad_questions_get_graph_errors(adv: Advertiser, params: dict[str, Any], code: int) -> None:
    response = await adv.get(f"{adv.act}/insights", **params)
    assert response.status_code == 400
    assert error_of(response)["code"] == code


async def test_a_question_too_big_is_refused_with_code_1_subcode_99(
    adv: Advertiser, two_campaigns: Any
) -> None:
    response = await adv.get(
        f"{adv.act}/insights",
        date_preset="maximum",
        time_increment=1,
        level="ad",
        breakdowns=["age", "gender", "country"],
    )
    assert response.status_code == 400
    assert (error_of(response)["code"], error_of(response)["error_subcode"]) == (1, 99)


async def test_an_async_run_progresses_on_the_clock_and_gives_the_same_rows(
    adv: Advertiser, two_campaigns: Any, clock: SandboxClock
) -> None:
    started = await adv.post(
        f"{adv.act}/insights", fields=["impressions", "spend"], date_preset="last_7d", level="campaign"
    )
    assert started.status_code == 200, started.text
    run_id = started.json()["report_run_id"]
    status = (await adv.get(f"{run_id}/")).json()
    assert (status["async_status"], status["async_percent_completion"]) == ("Job Not Started", 0)
    assert status["id"] == run_id
    early = await adv.get(f"{run_id}/insights")
    assert error_of(early)["code"] == 100
    clock.advance(RUN_SECONDS / 2)
    running = (await adv.get(run_id, fields="async_status,async_percent_completion")).json()
    assert running == {"id": run_id, "async_status": "Job Running", "async_percent_completion": 50}
    clock.advance(RUN_SECONDS)
    done = (await adv.get(run_id)).json()
    assert (done["async_status"], done["async_percent_completion"]) == ("Job Completed", 100)
    assert (done["date_start"], done["date_stop"]) == ("2026-09-14", "2026-09-20")
    clock.advance(5 * DAY)  # the run keeps the dates it was made with
    rows = (await adv.get(f"{run_id}/insights")).json()["data"]
    sync = await insights(
        adv,
        adv.act,
        fields="impressions,spend",
        level="campaign",
        time_range={"since": "2026-09-14", "until": "2026-09-20"},
    )
    assert rows == sync


async def test_insights_need_ads_read_or_ads_management(
    services: Services, client: httpx.AsyncClient
) -> None:
    reader = await make_advertiser(services, client, scopes=("ads_read",))
    assert (await reader.get(f"{reader.act}/insights")).status_code == 200
    nobody = await make_advertiser(services, client, scopes=())
    refused = await nobody.get(f"{nobody.act}/insights")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == 200
