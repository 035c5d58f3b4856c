"""Active ads and audiences per ad account, held between reads (adgate.services.gate.active_counts).

A world built through the Graph API, on SQLite and PostgreSQL: every count is checked against the
uncached reference (:func:`adgate.services.marketing.counts.active_counts`) as well as the number
expected, and a held count must cost no read.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from ads_world import Advertiser, make_advertiser

from adgate.clock import SandboxClock
from adgate.policy.ad_review import REVIEW_SECONDS
from adgate.policy.ratelimit import buc_limit
from adgate.services.gate.active_counts import ActiveCountsSource
from adgate.services.gate.limits import ActiveCounts
from adgate.services.marketing.counts import active_counts as reference_counts
from adgate.services.registry import Services
from adgate.settings import Settings
from adgate.store.sql.database import SqlDatabase

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """The app of the ``app`` fixture, on each backend of ``database_url``."""
    env = {"ADGATE_PASSWORD_HASHING": "fast", "ADGATE_LOG_LEVEL": "WARNING"}
    return Settings.from_env(
        env, data_dir=tmp_path / "data", database_url=database_url
    ).with_persisted_secrets()


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


@pytest.fixture
def source(services: Services) -> ActiveCountsSource:
    return ActiveCountsSource(services.core.db)


@pytest.fixture
def db(services: Services) -> SqlDatabase:
    database = services.core.db
    assert isinstance(database, SqlDatabase)
    return database


class Counts:
    """What the source says for the advertiser's account at the clock's time, checked as it goes."""

    def __init__(self, source: ActiveCountsSource, adv: Advertiser, clock: SandboxClock) -> None:
        self.source, self.adv, self.clock = source, adv, clock

    async def now(self) -> tuple[int, int]:
        now = self.clock.now()
        counts = await self.source.get(self.adv.account_id, now)
        reference = await reference_counts(self.adv.services.core.db, "", self.adv.account_id, now=int(now))
        assert (counts.ads, counts.audiences) == reference
        return counts.ads, counts.audiences


@pytest.fixture
def counts(source: ActiveCountsSource, adv: Advertiser, clock: SandboxClock) -> Counts:
    return Counts(source, adv, clock)


async def audience(adv: Advertiser) -> str:
    return await adv.created(
        f"{adv.act}/customaudiences",
        name="Buyers",
        subtype="CUSTOM",
        customer_file_source="USER_PROVIDED_ONLY",
    )


async def test_a_new_audience_counts_on_the_next_call_and_a_new_ad_once_its_review_passes(
    adv: Advertiser, counts: Counts, clock: SandboxClock, db: SqlDatabase
) -> None:
    assert await counts.now() == (0, 0)
    await audience(adv)
    assert await counts.now() == (0, 1)
    await adv.ad()
    assert await counts.now() == (0, 1)  # PENDING_REVIEW is not ACTIVE
    written = db.generation.value
    clock.advance(REVIEW_SECONDS - 1)
    assert await counts.now() == (0, 1)
    clock.advance(1)  # the review ends: nothing is written, the count moves all the same
    assert await counts.now() == (1, 1)
    assert db.generation.value == written


async def test_pausing_deleting_and_resuming_count_on_the_next_call(
    adv: Advertiser, counts: Counts, clock: SandboxClock
) -> None:
    campaign_id = await adv.campaign()
    adset_id = await adv.adset(campaign_id)
    first, second = await adv.ad(adset_id), await adv.ad(adset_id)
    audience_id = await audience(adv)
    clock.advance(REVIEW_SECONDS)
    assert await counts.now() == (2, 1)
    await update(adv, first, status="PAUSED")
    assert await counts.now() == (1, 1)
    await update(adv, first, status="ACTIVE")
    assert await counts.now() == (2, 1)
    await update(adv, campaign_id, status="PAUSED")
    assert await counts.now() == (0, 1)
    await update(adv, campaign_id, status="ACTIVE")
    assert await counts.now() == (2, 1)
    assert (await adv.delete(second)).json() == {"success": True}
    assert await counts.now() == (1, 1)
    assert (await adv.delete(audience_id)).json() == {"success": True}
    assert await counts.now() == (1, 0)


async def update(adv: Advertiser, object_id: str, **params: str) -> None:
    response = await adv.post(object_id, **params)
    assert response.json() == {"success": True}, response.text


async def test_a_rename_keeps_the_held_count_and_a_status_change_reads_it_again(
    adv: Advertiser, source: ActiveCountsSource, clock: SandboxClock, db: SqlDatabase
) -> None:
    campaign_id = await adv.campaign()
    ad_id = await adv.ad(await adv.adset(campaign_id))
    clock.advance(REVIEW_SECONDS)
    account, now = adv.account_id, clock.now()
    assert await reads(db, source, account, now) == 1
    for object_id in (campaign_id, ad_id):
        await update(adv, object_id, name="Renamed")  # a column the count does not read
        assert await reads(db, source, account, now) == 0
    await update(adv, campaign_id, status="PAUSED")
    assert await reads(db, source, account, now) == 1
    assert await source.get(account, now) == ActiveCounts()


async def test_the_count_is_the_one_of_the_instant_asked_even_when_the_clock_goes_back(
    adv: Advertiser, counts: Counts, clock: SandboxClock
) -> None:
    adset_id = await adv.adset()
    start = clock.now()
    await adv.ad(adset_id)  # its review ends at start + REVIEW_SECONDS
    clock.advance(100)
    await adv.ad(adset_id)  # and this one's 100 s later
    clock.advance(REVIEW_SECONDS - 1)
    assert await counts.now() == (1, 0)
    clock.advance(1)
    assert await counts.now() == (2, 0)
    clock.set(start)
    assert await counts.now() == (0, 0)
    clock.set(start + REVIEW_SECONDS)
    assert await counts.now() == (1, 0)


async def reads(db: SqlDatabase, source: ActiveCountsSource, account_id: str, now: float) -> int:
    """How many times ``source.get`` went to the database."""
    misses = db.cache.misses
    await source.get(account_id, now)
    return db.cache.misses - misses


async def test_a_held_count_reads_nothing_until_a_write_or_a_review_end(
    adv: Advertiser, source: ActiveCountsSource, clock: SandboxClock, db: SqlDatabase
) -> None:
    account = adv.account_id
    await adv.ad()
    assert await reads(db, source, account, clock.now()) == 1
    clock.advance(REVIEW_SECONDS - 1)
    assert [await reads(db, source, account, clock.now()) for _ in range(3)] == [0, 0, 0]
    assert await source.get(account, clock.now()) == ActiveCounts()
    await audience(adv)  # a write
    assert await reads(db, source, account, clock.now()) == 1
    assert await source.get(account, clock.now()) == ActiveCounts(audiences=1)
    clock.advance(1)  # the review has ended
    assert await reads(db, source, account, clock.now()) == 1
    assert await source.get(account, clock.now()) == ActiveCounts(ads=1, audiences=1)
    clock.advance(30 * 86400)
    assert await reads(db, source, account, clock.now()) == 0


async def test_with_a_bus_a_held_count_lapses_after_the_generations_max_age(
    adv: Advertiser, clock: SandboxClock, db: SqlDatabase
) -> None:
    ticks = [100.0]
    source = ActiveCountsSource(db, monotonic=lambda: ticks[0])
    db.generation.max_age = 5.0  # what the bus sets (adgate.store.bus)
    try:
        assert await reads(db, source, adv.account_id, clock.now()) == 1
        ticks[0] += 5.0
        assert await reads(db, source, adv.account_id, clock.now()) == 0
        ticks[0] += 0.1
        clock.advance(1)  # a later second: not the database's own cache entry either
        assert await reads(db, source, adv.account_id, clock.now()) == 1
    finally:
        db.generation.max_age = None


async def test_nothing_is_held_while_caching_is_suspended(
    adv: Advertiser, source: ActiveCountsSource, clock: SandboxClock, db: SqlDatabase
) -> None:
    db.generation.suspend()  # what the bus does while it cannot hear the other nodes
    assert [await reads(db, source, adv.account_id, clock.now()) for _ in range(2)] == [1, 1]
    db.generation.resume()
    assert [await reads(db, source, adv.account_id, clock.now()) for _ in range(2)] == [1, 0]


async def test_the_business_use_case_limits_grow_with_the_counts_as_the_facts_say(
    adv: Advertiser, source: ActiveCountsSource, clock: SandboxClock
) -> None:
    adset_id = await adv.adset()
    for _ in range(3):
        await adv.ad(adset_id)
    for _ in range(2):
        await audience(adv)
    clock.advance(REVIEW_SECONDS)
    counts = await source.get(adv.account_id, clock.now())
    assert counts == ActiveCounts(ads=3, audiences=2)

    def limit(tier: str, buc_type: str) -> int:
        return buc_limit(
            tier,
            buc_type,
            active_ads=counts.ads,
            active_audiences=counts.audiences,
        )

    # docs/graph-facts.md §5.3, Dev/Limited and Standard/Full tiers.
    assert limit("development", "ads_management") == 300 + 40 * 3
    assert limit("development", "custom_audience") == 5_000 + 40 * 2
    assert limit("development", "ads_insights") == 600 + 400 * 3
    assert limit("standard", "ads_management") == 100_000 + 40 * 3
    assert limit("standard", "custom_audience") == 190_000 + 40 * 2
    assert limit("standard", "ads_insights") == 190_000 + 400 * 3
