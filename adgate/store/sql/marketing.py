"""SQL repositories for the Marketing objects (migration 0003): one generic table mapper.

Each record maps field by field onto its table; JSON-shaped fields (targeting, specs, review
feedback, the special ad categories) are stored as compact JSON text so that SQLite and
PostgreSQL hold the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    FromClause,
    Insert,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from adgate import ad_objects as o
from adgate.store import tables as t
from adgate.store.marketing import ActiveAds, ReviewCounts
from adgate.store.sql.world import _Repo

T = TypeVar("T")
DELETED = "DELETED"


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


class _Owned(_Repo):
    """A table of objects of one ad account each."""

    table: Table

    async def account_of(self, object_id: str) -> str | None:
        # Its own statement, not get(): a read of these two columns alone is kept across the
        # object's updates, which never change them (adgate.store.dependencies).
        c = self.table.c
        row = await self._one(select(c.account_id).where(c.id == object_id))
        return None if row is None else str(row["account_id"])


class _Objects(_Owned, Generic[T]):
    """Add, get, update and list-by-account for one record type and its table."""

    record: type[T]
    #: Fields held as JSON text; ``tuples`` are JSON arrays read back as tuples.
    json_fields: frozenset[str] = frozenset()
    tuples: frozenset[str] = frozenset()

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)

    def _values(self, item: T) -> dict[str, Any]:
        values = {k: getattr(item, k) for k in self.record.__dataclass_fields__}  # type: ignore[attr-defined]
        for name in self.json_fields:
            values[name] = _dump(values[name])
        return values

    def _record(self, row: Mapping[str, Any]) -> T:
        values = {k: row[k] for k in self.record.__dataclass_fields__}  # type: ignore[attr-defined]
        for name in self.json_fields:
            raw = values[name]
            if raw is not None:
                loaded = json.loads(raw)
                values[name] = tuple(loaded) if name in self.tuples else loaded
        return self.record(**values)

    async def add(self, item: T) -> None:
        await self.conn.execute(_inserts(self.table), self._values(item))

    async def get(self, object_id: str) -> T | None:
        row = await self._one(select(self.table).where(self.table.c.id == object_id))
        return None if row is None else self._record(row)

    async def update(self, item: T, before: T) -> None:
        values, old = self._values(item), self._values(before)
        c = self.table.c
        # An object never changes account: saying which one lets the read cache keep the other
        # accounts' reads, and setting only what changed keeps the reads of the other columns
        # (adgate.store.dependencies).
        where = (c.id == values.pop("id"), c.account_id == values.pop("account_id"))
        changed = {name: value for name, value in values.items() if value != old[name]}
        if changed:
            await self.conn.execute(update(self.table).where(*where).values(**changed))

    async def _where(self, *conditions: Any) -> Sequence[T]:
        c = self.table.c
        stmt = select(self.table).where(*conditions).order_by(c.created_at.desc(), c.id.desc())
        return [self._record(row) for row in await self._all(stmt)]

    async def for_account(self, account_id: str) -> Sequence[T]:
        return await self._where(self.table.c.account_id == account_id)

    async def _cascade(self, condition: Any, status: str, now: int) -> int:
        done = await self.conn.execute(
            update(self.table)
            .where(condition, self.table.c.status != DELETED)
            .values(status=status, updated_at=now)
        )
        return int(done.rowcount or 0)


@cache
def _inserts(table: Table) -> Insert:
    """``INSERT INTO table``, built once per table (its values come as parameters)."""
    return insert(table)


class SqlCampaigns(_Objects[o.Campaign]):
    table = t.campaigns
    record = o.Campaign
    json_fields = frozenset({"special_ad_categories"})
    tuples = frozenset({"special_ad_categories"})


class SqlAdSets(_Objects[o.AdSet]):
    table = t.ad_sets
    record = o.AdSet
    json_fields = frozenset({"targeting"})

    async def for_campaign(self, campaign_id: str) -> Sequence[o.AdSet]:
        return await self._where(t.ad_sets.c.campaign_id == campaign_id)

    async def cascade_status(self, campaign_id: str, status: str, now: int) -> int:
        return await self._cascade(t.ad_sets.c.campaign_id == campaign_id, status, now)


class SqlAdCreatives(_Objects[o.AdCreative]):
    table = t.ad_creatives
    record = o.AdCreative
    json_fields = frozenset({"object_story_spec"})


class SqlAds(_Objects[o.Ad]):
    table = t.ads
    record = o.Ad
    json_fields = frozenset({"review_feedback"})

    async def for_adset(self, adset_id: str) -> Sequence[o.Ad]:
        return await self._where(t.ads.c.adset_id == adset_id)

    async def for_campaign(self, campaign_id: str) -> Sequence[o.Ad]:
        return await self._where(t.ads.c.campaign_id == campaign_id)

    async def cascade_status(
        self, status: str, now: int, *, campaign_id: str | None = None, adset_id: str | None = None
    ) -> int:
        if (campaign_id is None) == (adset_id is None):
            raise ValueError("give exactly one of campaign_id and adset_id")
        c = t.ads.c
        condition = c.campaign_id == campaign_id if campaign_id is not None else c.adset_id == adset_id
        return await self._cascade(condition, status, now)

    async def review_counts(self, app_id: str, decided_by: int) -> ReviewCounts:
        c = t.ads.c
        pending = c.review_submitted_at > decided_by
        stmt = (
            select(pending.label("pending"), c.review_verdict, func.count().label("n"))
            .where(c.app_id == app_id)
            .group_by(pending, c.review_verdict)
        )
        counts = {"approved": 0, "disapproved": 0, "pending": 0}
        for row in await self._all(stmt):
            key = "pending" if row["pending"] else str(row["review_verdict"])
            counts[key] = counts.get(key, 0) + int(row["n"])
        return ReviewCounts(counts["approved"], counts["disapproved"], counts["pending"])

    async def count_active(self, account_id: str, decided_by: int) -> int:
        ads, delivering = _delivering(account_id)
        stmt = (
            select(func.count()).select_from(ads).where(delivering, t.ads.c.review_submitted_at <= decided_by)
        )
        return int((await self.conn.execute(stmt)).scalar_one())

    async def active_ads(self, account_id: str, decided_by: int) -> ActiveAds:
        params = {"account_id": account_id, "decided_by": decided_by}
        count, since, until = (await self.conn.execute(_ACTIVE_ADS, params)).one()
        return ActiveAds(int(count), _int_or_none(since), _int_or_none(until))


def _delivering(account_id: str | BindParameter[str]) -> tuple[FromClause, ColumnElement[bool]]:
    """The account's approved ads joined to their ad set and campaign, and "all three ACTIVE"."""
    a, s, c = t.ads, t.ad_sets, t.campaigns
    joined = a.join(s, s.c.id == a.c.adset_id).join(c, c.c.id == a.c.campaign_id)
    # An ad's ad set and campaign are of its account (the services refuse others): saying so
    # keys the read by account on all three tables (adgate.store.dependencies).
    return joined, and_(
        a.c.account_id == account_id,
        s.c.account_id == account_id,
        c.c.account_id == account_id,
        a.c.status == "ACTIVE",
        s.c.status == "ACTIVE",
        c.c.status == "ACTIVE",
        a.c.review_verdict == "approved",
    )


def _active_ads() -> Select[int, Any, Any]:
    # The same ads as count_active without the cut-off, split by it: those reviewed by it are
    # counted, and the first of the others is where the count next changes.
    submitted = t.ads.c.review_submitted_at
    decided = submitted <= bindparam("decided_by")
    ads, delivering = _delivering(bindparam("account_id"))
    return (
        select(
            func.count(case((decided, 1))),
            func.max(case((decided, submitted))),
            func.min(case((submitted > bindparam("decided_by"), submitted))),
        )
        .select_from(ads)
        .where(delivering)
    )


#: Built once, as the gate's point lookups are (adgate.store.sql.world.by_key): the rate-limit
#: step reads it after every write (adgate.services.gate.active_counts), and building it per call cost
#: ten times what running it does on SQLite.
_ACTIVE_ADS = _active_ads()


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


class SqlCustomAudiences(_Objects[o.CustomAudience]):
    table = t.custom_audiences
    record = o.CustomAudience
    json_fields = frozenset({"rule", "lookalike_spec"})

    async def count_active(self, account_id: str) -> int:
        return int((await self.conn.execute(_ACTIVE_AUDIENCES, {"account_id": account_id})).scalar_one())


#: Built once, like _ACTIVE_ADS.
_ACTIVE_AUDIENCES = (
    select(func.count())
    .select_from(t.custom_audiences)
    .where(t.custom_audiences.c.account_id == bindparam("account_id"), t.custom_audiences.c.status != DELETED)
)


#: Every column of ``ad_images`` but the bytes: what a record holds.
_IMAGE_COLUMNS = [c for c in t.ad_images.c if c.name != "data"]


class SqlAdImages(_Repo):
    def _record(self, row: Mapping[str, Any]) -> o.AdImage:
        return o.AdImage(**{k: row[k] for k in o.AdImage.__dataclass_fields__})

    async def add(self, image: o.AdImage, data: bytes) -> None:
        values = {k: getattr(image, k) for k in o.AdImage.__dataclass_fields__}
        await self.conn.execute(insert(t.ad_images).values(**values, data=data))

    async def get(self, account_id: str, image_hash: str) -> o.AdImage | None:
        c = t.ad_images.c
        row = await self._one(select(*_IMAGE_COLUMNS).where(c.account_id == account_id, c.hash == image_hash))
        return None if row is None else self._record(row)

    async def update(self, image: o.AdImage) -> None:
        c = t.ad_images.c
        await self.conn.execute(
            update(t.ad_images)
            .where(c.account_id == image.account_id, c.hash == image.hash)
            .values(name=image.name, status=image.status, updated_at=image.updated_at)
        )

    async def for_account(self, account_id: str, hashes: Sequence[str] | None = None) -> Sequence[o.AdImage]:
        c = t.ad_images.c
        stmt = select(*_IMAGE_COLUMNS).where(c.account_id == account_id)
        if hashes is not None:
            stmt = stmt.where(c.hash.in_(list(hashes)))
        stmt = stmt.order_by(c.created_at.desc(), c.hash.desc())
        return [self._record(row) for row in await self._all(stmt)]

    async def content(self, account_id: str, image_hash: str) -> bytes | None:
        c = t.ad_images.c
        row = await self._one(select(c.data).where(c.account_id == account_id, c.hash == image_hash))
        return None if row is None else bytes(row["data"])


class SqlReportRuns(_Owned):
    table = t.report_runs

    async def add(self, run: o.ReportRun) -> None:
        values = {k: getattr(run, k) for k in o.ReportRun.__dataclass_fields__}
        values["query"] = _dump(dict(run.query))
        await self.conn.execute(insert(t.report_runs).values(**values))

    async def get(self, run_id: str) -> o.ReportRun | None:
        row = await self._one(select(t.report_runs).where(t.report_runs.c.id == run_id))
        if row is None:
            return None
        values = {k: row[k] for k in o.ReportRun.__dataclass_fields__}
        values["query"] = json.loads(values["query"])
        return o.ReportRun(**values)
