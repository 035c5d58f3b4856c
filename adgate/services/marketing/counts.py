"""Counts other parts of adgate read from the Marketing objects.

- :func:`active_counts` — active ads and active custom audiences of an ad account, the variables
  of the business-use-case limits (docs/graph-facts.md §5.3: ``ads_management`` 300 + 40 * active ads,
  ``custom_audience`` 5000 + 40 * active audiences, ``ads_insights`` 600 + 400 * active ads at
  Development). Meta counts them per ad account, whichever app made them; ``app_id`` is accepted
  for the caller's convenience and does not narrow the count. An active ad is one whose effective
  status is ACTIVE (it, its ad set and its campaign ACTIVE, review passed); an active audience is
  one not deleted.
- :func:`ad_review_counts` — an app's ads by the outcome of their latest review, for the Basic
  criterion "the app's ads pass ad review with no bad creatives" (seed). Deleted ads count too: a
  disapproved creative is not undone by deleting the ad.

Both take the :class:`Core` (one short transaction of their own, the clock's ``now``), a
:class:`Database` with ``now=`` (what :class:`adgate.services.gate.limits.RateLimits` holds), or an open
transaction (:class:`Repos`) with ``now=``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar, cast

from adgate.policy.ad_review import decided_by
from adgate.services.context import Core
from adgate.store.interfaces import Database, Repos
from adgate.store.marketing import ReviewCounts

T = TypeVar("T")


Source = Core | Database | Repos


async def _in_transaction(source: Source, now: int | None, work: Callable[[Repos, int], Awaitable[T]]) -> T:
    if isinstance(source, Core):
        at = source.now()
        async with source.db.transaction() as tx:
            return await work(tx, at)
    if now is None:
        raise TypeError("give now= with a Database or a transaction")
    if hasattr(source, "transaction"):
        async with cast(Database, source).transaction() as tx:
            return await work(tx, now)
    return await work(source, now)


async def active_counts(
    source: Source, app_id: str, account_id: str, *, now: int | None = None
) -> tuple[int, int]:
    """``(active_ads, active_audiences)`` of the ad account."""

    async def count(tx: Repos, at: int) -> tuple[int, int]:
        return await tx.ads.count_active(account_id, decided_by(at)), await tx.custom_audiences.count_active(
            account_id
        )

    return await _in_transaction(source, now, count)


async def ad_review_counts(source: Source, app_id: str, *, now: int | None = None) -> tuple[int, int, int]:
    """``(approved, disapproved, pending)`` ads made by the app, by their latest review."""

    async def count(tx: Repos, at: int) -> tuple[int, int, int]:
        counts: ReviewCounts = await tx.ads.review_counts(app_id, decided_by(at))
        return counts.approved, counts.disapproved, counts.pending

    return await _in_transaction(source, now, count)
