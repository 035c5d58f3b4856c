"""Contract suite for the Marketing object stores: SQLite always, PostgreSQL in CI."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adgate import ad_objects as o
from adgate import records as r
from adgate.store.marketing import ActiveAds, ReviewCounts
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio

NOW = 1_790_000_000
APP, OTHER_APP = "300000000000001", "300000000000002"
ACCOUNT, OTHER_ACCOUNT = "400000000000001", "400000000000002"


def campaign(n: int, account: str = ACCOUNT, **changes: object) -> o.Campaign:
    base = o.Campaign(
        id=f"5000000000000{n:02d}",
        account_id=account,
        app_id=APP,
        name=f"Campaign {n}",
        objective="OUTCOME_TRAFFIC",
        status="ACTIVE",
        special_ad_categories=("HOUSING",),
        daily_budget=None,
        lifetime_budget=None,
        spend_cap=None,
        bid_strategy=None,
        buying_type="AUCTION",
        created_at=NOW + n,
        updated_at=NOW + n,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def adset(n: int, campaign_id: str, **changes: object) -> o.AdSet:
    base = o.AdSet(
        id=f"6000000000000{n:02d}",
        account_id=ACCOUNT,
        campaign_id=campaign_id,
        app_id=APP,
        name=f"Ad set {n}",
        status="ACTIVE",
        billing_event="IMPRESSIONS",
        optimization_goal="REACH",
        daily_budget=1000,
        lifetime_budget=None,
        bid_amount=None,
        targeting={"geo_locations": {"countries": ["US"]}},
        start_time=None,
        end_time=None,
        created_at=NOW + n,
        updated_at=NOW + n,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


CREATIVE = o.AdCreative(
    id="700000000000001",
    account_id=ACCOUNT,
    app_id=APP,
    name="Creative",
    status="ACTIVE",
    title=None,
    body="Hello",
    link_url="https://x.example/",
    image_url=None,
    call_to_action_type=None,
    object_story_spec={"page_id": "1", "link_data": {"link": "https://x.example/"}},
    created_at=NOW,
    updated_at=NOW,
)


def ad(n: int, adset_id: str, campaign_id: str, **changes: object) -> o.Ad:
    base = o.Ad(
        id=f"8000000000000{n:02d}",
        account_id=ACCOUNT,
        campaign_id=campaign_id,
        adset_id=adset_id,
        creative_id=CREATIVE.id,
        app_id=APP,
        name=f"Ad {n}",
        status="ACTIVE",
        review_submitted_at=NOW,
        review_verdict="approved",
        review_feedback={},
        created_at=NOW + n,
        updated_at=NOW + n,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def db(db: SqlDatabase) -> SqlDatabase:
    """The shared empty database (conftest.py) with two apps, two ad accounts and a creative."""
    async with db.transaction() as tx:
        for app_id in (APP, OTHER_APP):
            await tx.apps.add(r.App(app_id, "App", "enc", 0, None, (), "standard", "live", False, None, NOW))
        for account_id in (ACCOUNT, OTHER_ACCOUNT):
            await tx.ad_accounts.add(r.AdAccount(account_id, "Acct", None, "USD", "UTC", 1, NOW))
        await tx.ad_creatives.add(CREATIVE)
    return db


async def test_objects_come_back_as_stored_with_json_fields_intact(db: SqlDatabase) -> None:
    c = campaign(1, daily_budget=2500, bid_strategy="COST_CAP")
    s = adset(1, c.id, targeting={"geo_locations": {"countries": ["US", "CA"]}, "age_min": 21})
    async with db.transaction() as tx:
        await tx.campaigns.add(c)
        await tx.ad_sets.add(s)
        await tx.ads.add(ad(1, s.id, c.id, review_feedback={"global": {"Landing page": "x"}}))
    async with db.transaction() as tx:
        assert await tx.campaigns.get(c.id) == c
        assert await tx.ad_sets.get(s.id) == s
        stored_ad = await tx.ads.get(ad(1, s.id, c.id).id)
        assert stored_ad is not None
        assert stored_ad.review_feedback == {"global": {"Landing page": "x"}}
        assert await tx.ad_creatives.get(CREATIVE.id) == CREATIVE
        assert await tx.campaigns.get("999") is None


async def test_lists_are_newest_first_and_per_account(db: SqlDatabase) -> None:
    async with db.transaction() as tx:
        for n in (1, 3, 2):
            await tx.campaigns.add(campaign(n))
        await tx.campaigns.add(campaign(4, account=OTHER_ACCOUNT))
        await tx.campaigns.add(campaign(5, created_at=NOW + 3))  # same time as 3: id breaks the tie
    async with db.transaction() as tx:
        names = [c.name for c in await tx.campaigns.for_account(ACCOUNT)]
    assert names == ["Campaign 5", "Campaign 3", "Campaign 2", "Campaign 1"]


async def test_an_update_writes_the_fields_that_changed(db: SqlDatabase) -> None:
    changed = campaign(1, name="Renamed", status="PAUSED", special_ad_categories=())
    async with db.transaction() as tx:
        await tx.campaigns.add(campaign(1))
        await tx.campaigns.update(changed, campaign(1))
    async with db.transaction() as tx:
        stored = await tx.campaigns.get(campaign(1).id)
        assert await tx.campaigns.account_of(campaign(1).id) == ACCOUNT
        assert await tx.campaigns.account_of("404") is None
        # Fields equal to the object it was made from are not written: here, the rename is kept.
        await tx.campaigns.update(replace(changed, status="ACTIVE"), replace(changed, name="Old"))
    assert stored == changed
    async with db.transaction() as tx:
        assert await tx.campaigns.get(campaign(1).id) == replace(changed, status="ACTIVE")


async def test_a_cascade_reaches_children_but_never_undeletes(db: SqlDatabase) -> None:
    c = campaign(1)
    async with db.transaction() as tx:
        await tx.campaigns.add(c)
        await tx.ad_sets.add(adset(1, c.id))
        await tx.ad_sets.add(adset(2, c.id, status="DELETED"))
        await tx.ads.add(ad(1, adset(1, c.id).id, c.id))
        await tx.ads.add(ad(2, adset(2, c.id).id, c.id, status="DELETED"))
        assert await tx.ad_sets.cascade_status(c.id, "ARCHIVED", NOW + 50) == 1
        assert await tx.ads.cascade_status("ARCHIVED", NOW + 50, campaign_id=c.id) == 1
    async with db.transaction() as tx:
        statuses = {s.name: s.status for s in await tx.ad_sets.for_campaign(c.id)}
        ad_statuses = {a.name: a.status for a in await tx.ads.for_campaign(c.id)}
    assert statuses == {"Ad set 1": "ARCHIVED", "Ad set 2": "DELETED"}
    assert ad_statuses == {"Ad 1": "ARCHIVED", "Ad 2": "DELETED"}


async def test_review_counts_split_by_verdict_and_pending_per_app(db: SqlDatabase) -> None:
    c = campaign(1)
    s = adset(1, c.id)
    async with db.transaction() as tx:
        await tx.campaigns.add(c)
        await tx.ad_sets.add(s)
        await tx.ads.add(ad(1, s.id, c.id))
        await tx.ads.add(ad(2, s.id, c.id, review_verdict="disapproved", status="DELETED"))
        await tx.ads.add(ad(3, s.id, c.id, review_submitted_at=NOW + 100))
        await tx.ads.add(ad(4, s.id, c.id, app_id=OTHER_APP))
        assert await tx.ads.review_counts(APP, decided_by=NOW + 10) == ReviewCounts(1, 1, 1)
        assert await tx.ads.review_counts(APP, decided_by=NOW + 100) == ReviewCounts(2, 1, 0)
        assert await tx.ads.review_counts("1", decided_by=NOW) == ReviewCounts()


async def test_active_ads_need_every_level_active_and_a_passed_review(db: SqlDatabase) -> None:
    live, paused = campaign(1), campaign(2, status="PAUSED")
    s_live, s_paused, s_under_paused = (
        adset(1, live.id),
        adset(2, live.id, status="PAUSED"),
        adset(3, paused.id),
    )
    async with db.transaction() as tx:
        for item in (live, paused):
            await tx.campaigns.add(item)
        for item2 in (s_live, s_paused, s_under_paused):
            await tx.ad_sets.add(item2)
        await tx.ads.add(ad(1, s_live.id, live.id))  # active
        await tx.ads.add(ad(2, s_live.id, live.id, status="PAUSED"))
        await tx.ads.add(ad(3, s_live.id, live.id, review_verdict="disapproved"))
        await tx.ads.add(ad(4, s_live.id, live.id, review_submitted_at=NOW + 500))  # still in review
        await tx.ads.add(ad(5, s_paused.id, live.id))
        await tx.ads.add(ad(6, s_under_paused.id, paused.id))
        assert await tx.ads.count_active(ACCOUNT, decided_by=NOW) == 1
        assert await tx.ads.count_active(ACCOUNT, decided_by=NOW + 500) == 2
        assert await tx.ads.count_active(OTHER_ACCOUNT, decided_by=NOW + 500) == 0


async def test_active_ads_say_between_which_cut_offs_their_count_holds(db: SqlDatabase) -> None:
    c = campaign(1)
    s = adset(1, c.id)
    async with db.transaction() as tx:
        await tx.campaigns.add(c)
        await tx.ad_sets.add(s)
        await tx.ads.add(ad(1, s.id, c.id, review_submitted_at=NOW - 50))
        await tx.ads.add(ad(2, s.id, c.id, review_submitted_at=NOW))
        await tx.ads.add(ad(3, s.id, c.id, review_submitted_at=NOW + 300))
        await tx.ads.add(ad(4, s.id, c.id, review_submitted_at=NOW + 100))
        # Never counted, so they never move the count: no cut-off of theirs shows.
        await tx.ads.add(ad(5, s.id, c.id, review_submitted_at=NOW + 10, review_verdict="disapproved"))
        await tx.ads.add(ad(6, s.id, c.id, review_submitted_at=NOW + 20, status="PAUSED"))
    async with db.read() as tx:
        assert await tx.ads.active_ads(ACCOUNT, NOW - 51) == ActiveAds(0, None, NOW - 50)
        assert await tx.ads.active_ads(ACCOUNT, NOW + 99) == ActiveAds(2, NOW, NOW + 100)
        assert await tx.ads.active_ads(ACCOUNT, NOW + 100) == ActiveAds(3, NOW + 100, NOW + 300)
        assert await tx.ads.active_ads(ACCOUNT, NOW + 300) == ActiveAds(4, NOW + 300, None)
        assert await tx.ads.active_ads(OTHER_ACCOUNT, NOW) == ActiveAds(0, None, None)
        for cut_off in (NOW - 51, NOW, NOW + 99, NOW + 100, NOW + 299, NOW + 300):
            held = await tx.ads.active_ads(ACCOUNT, cut_off)
            assert held.count == await tx.ads.count_active(ACCOUNT, cut_off)


async def test_audiences_count_until_deleted_and_report_runs_keep_their_query(db: SqlDatabase) -> None:
    audience = o.CustomAudience(
        "900000000000001",
        ACCOUNT,
        APP,
        "Buyers",
        "CUSTOM",
        None,
        "USER_PROVIDED_ONLY",
        None,
        None,
        None,
        None,
        "ACTIVE",
        NOW,
        NOW,
    )
    run = o.ReportRun("910000000000001", ACCOUNT, APP, ACCOUNT, "ad_account", {"level": "ad", "x": [1]}, NOW)
    async with db.transaction() as tx:
        await tx.custom_audiences.add(audience)
        await tx.custom_audiences.add(replace(audience, id="900000000000002", status="DELETED"))
        await tx.report_runs.add(run)
    async with db.transaction() as tx:
        assert await tx.custom_audiences.count_active(ACCOUNT) == 1
        assert await tx.custom_audiences.get(audience.id) == audience
        assert await tx.report_runs.get(run.id) == run
        assert await tx.report_runs.get("1") is None


async def test_a_sandbox_reset_empties_the_object_tables(db: SqlDatabase) -> None:
    c = campaign(1)
    async with db.transaction() as tx:
        await tx.campaigns.add(c)
        await tx.ad_sets.add(adset(1, c.id))
        await tx.ads.add(ad(1, adset(1, c.id).id, c.id))
    await db.reset()
    async with db.transaction() as tx:
        assert await tx.campaigns.get(c.id) is None
