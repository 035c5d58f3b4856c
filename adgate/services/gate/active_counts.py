"""Active ads and active custom audiences of an ad account, for its hourly BUC limits, per call.

docs/graph-facts.md §5.3: the business-use-case limits grow with the account's active ads
(``ads_management`` 300 + 40 * active ads at Development, ``ads_insights`` 600 + 400 * active ads)
and active custom audiences (``custom_audience`` 5000 + 40 * active audiences). What is counted is
what :func:`adgate.services.marketing.counts.active_counts` counts: ads whose effective status is
ACTIVE (ad, ad set and campaign ACTIVE, review passed) and audiences not deleted, per ad account
whichever app made them. The ``ads_insights`` formula's user errors are per (app, ad account) and
counted by the limiter store (:meth:`adgate.services.gate.limits.RateLimits.user_error`), not here.

The rate-limit step runs on every Graph call against an ad account, so a count already read costs
one lookup in a :class:`adgate.store.cache.ReadCache` of this source's own, keyed by the account
alone (the gate's memo is the same kind of cache): stamped with the database's generation before
the read begins, it depends on what its read read (:mod:`adgate.store.dependencies`), so any
committed write of those rows (a new, paused or deleted ad or audience of the account) is counted
on the very next call, and a write elsewhere leaves it be.
A count is read through :meth:`Database.cached`, which reads it on the event loop's thread on a
SQLite file.

Exact at every instant, not bucketed. One thing changes the count without a write: an ad's review
ends as the clock moves (:mod:`adgate.policy.ad_review`). Each read also finds the instants between
which its count holds (:meth:`adgate.store.marketing.AdRepo.active_ads`: from the end of the latest
review it counts to the end of the earliest review still pending), and the memo answers only for a
``now`` inside them; a sandbox clock moved forwards or back included.

A held count also lapses after the generation's ``max_age`` when one is set
(:class:`adgate.store.cache.Generation`), as every read cache's entries do.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable

from adgate.policy.ad_review import decided_at, decided_by
from adgate.services.gate.limits import ActiveCounts
from adgate.store.cache import ReadCache
from adgate.store.dependencies import collecting
from adgate.store.interfaces import Database, Repos

#: First element of this module's keys in :meth:`Database.cached`.
KEY = "active_counts"
#: Accounts held before the memo starts over.
MEMO_SIZE = 50_000

#: A count as the database returned it: ``(counts, since, until)``, good for ``since <= now < until``.
Read = tuple[ActiveCounts, float, float]


class ActiveCountsSource:
    """The exact :class:`ActiveCounts` of an ad account at an instant, held between reads."""

    def __init__(self, db: Database, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        #: account id → (counts, since, until), on the read cache's terms (void after any write, on
        #: any node; aged out with the generation's ``max_age``, if set); ``monotonic`` only for that age.
        self._memo = ReadCache(db.generation, capacity=MEMO_SIZE, monotonic=monotonic, name="active_counts")

    async def get(self, account_id: str, now: float) -> ActiveCounts:
        """The counts at ``now``: the one clock's time, as the caller (the rate-limit step) read it."""
        memo = self._memo
        found, held = memo.get(account_id)
        if found and held[1] <= now < held[2]:
            memo.hits += 1
            return held[0]  # type: ignore[no-any-return]
        memo.misses += 1
        return await self._read(account_id, now)

    async def _read(self, account_id: str, now: float) -> ActiveCounts:
        stamp = self._memo.generation.stamp()  # before the read begins: see adgate.store.cache
        at = int(now)
        # The key names everything the read depends on: the account, and the second it counts at.
        with collecting() as depends:
            counts, since, until = await self.db.cached((KEY, account_id, at), _reader(account_id, at))
        self._memo.put(account_id, (counts, since, until), stamp, depends)
        return counts


def _reader(account_id: str, at: int) -> Callable[[Repos], Awaitable[Read]]:
    async def read(tx: Repos) -> Read:
        ads = await tx.ads.active_ads(account_id, decided_by(at))
        audiences = await tx.custom_audiences.count_active(account_id)
        since = -math.inf if ads.since is None else decided_at(ads.since)
        until = math.inf if ads.until is None else decided_at(ads.until)
        return ActiveCounts(ads=ads.count, audiences=audiences), since, until

    return read
