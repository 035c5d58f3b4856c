"""Storage interfaces for the Marketing objects, attached to :class:`Repos`.

One small repository per noun, each inside the transaction :meth:`Database.transaction` hands
out. Lists come newest first (Graph lists edges most recent first), ties broken by id. Statuses
here are the configured ones; the effective status is computed by
:mod:`adgate.policy.effective_status` from an object, its parents and the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from adgate.ad_objects import Ad, AdCreative, AdImage, AdSet, Campaign, CustomAudience, ReportRun

T = TypeVar("T")


class Owned(Protocol):
    async def account_of(self, object_id: str) -> str | None:
        """The ad account of the object, None if there is no such object."""
        ...


class ObjectRepo(Owned, Protocol[T]):
    async def add(self, item: T) -> None: ...
    async def get(self, object_id: str) -> T | None: ...
    async def update(self, item: T, before: T) -> None:
        """Write the fields of ``item`` that differ from ``before`` (the stored object it was
        made from) over the stored object with its id."""
        ...

    async def for_account(self, account_id: str) -> Sequence[T]:
        """Every object of the ad account, deleted ones included, newest first."""
        ...


class CampaignRepo(ObjectRepo[Campaign], Protocol): ...


class AdCreativeRepo(ObjectRepo[AdCreative], Protocol): ...


class AdSetRepo(ObjectRepo[AdSet], Protocol):
    async def for_campaign(self, campaign_id: str) -> Sequence[AdSet]: ...
    async def cascade_status(self, campaign_id: str, status: str, now: int) -> int:
        """Give every ad set of the campaign that is not DELETED the ``status``; returns how many."""
        ...


@dataclass(frozen=True, slots=True)
class ReviewCounts:
    """An app's ads by the outcome of their latest review (seed, Basic: "ads pass ad review")."""

    approved: int = 0
    disapproved: int = 0
    pending: int = 0


@dataclass(frozen=True, slots=True)
class ActiveAds:
    """The ads delivering in an ad account by a review cut-off, and how far that count holds.

    ``count`` is :meth:`AdRepo.count_active` at ``decided_by``. Only the cut-off moves it without a
    write, one ad at a time as reviews end, so it is the same for every cut-off from ``since``
    (the latest submission it counts; None: it counts none) up to but excluding ``until`` (the
    earliest submission of an ad that will count once its review ends; None: there is none).
    """

    count: int
    since: int | None = None
    until: int | None = None


class AdRepo(ObjectRepo[Ad], Protocol):
    async def for_adset(self, adset_id: str) -> Sequence[Ad]: ...
    async def for_campaign(self, campaign_id: str) -> Sequence[Ad]: ...
    async def cascade_status(
        self, status: str, now: int, *, campaign_id: str | None = None, adset_id: str | None = None
    ) -> int:
        """Give every ad of the campaign (or ad set) that is not DELETED the ``status``."""
        ...

    async def review_counts(self, app_id: str, decided_by: int) -> ReviewCounts:
        """The app's ads by verdict; a review submitted after ``decided_by`` is still pending."""
        ...

    async def count_active(self, account_id: str, decided_by: int) -> int:
        """Ads delivering in the account: ad, ad set and campaign ACTIVE, approved by ``decided_by``."""
        ...

    async def active_ads(self, account_id: str, decided_by: int) -> ActiveAds:
        """:meth:`count_active`, with the cut-offs over which it stays the same (one query)."""
        ...


class CustomAudienceRepo(ObjectRepo[CustomAudience], Protocol):
    async def count_active(self, account_id: str) -> int:
        """Audiences of the account that are not DELETED."""
        ...


class ReportRunRepo(Owned, Protocol):
    async def add(self, run: ReportRun) -> None: ...
    async def get(self, run_id: str) -> ReportRun | None: ...


class AdImageRepo(Protocol):
    """An ad account's images, by the account and the MD5 of their bytes."""

    async def add(self, image: AdImage, data: bytes) -> None: ...
    async def get(self, account_id: str, image_hash: str) -> AdImage | None: ...
    async def update(self, image: AdImage) -> None:
        """Write the name, status and ``updated_at`` of ``image`` over the stored one (the bytes
        and what they determine never change)."""
        ...

    async def for_account(self, account_id: str, hashes: Sequence[str] | None = None) -> Sequence[AdImage]:
        """The account's images (deleted ones included), or only those of ``hashes``; newest first."""
        ...

    async def content(self, account_id: str, image_hash: str) -> bytes | None:
        """The image's bytes."""
        ...
