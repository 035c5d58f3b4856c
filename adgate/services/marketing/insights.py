"""Insights, synchronous and as async report runs (docs/graph-facts.md §12.2, §12.6).

- ``GET /act_<n>/insights`` and ``GET /{campaign|adset|ad}/insights``: the query
  (:mod:`adgate.protocol.insights`) answered from simulated delivery (:mod:`adgate.policy.delivery`)
  in the ad account's time zone, "today" taken from the server clock; cursor paging over the rows.
- ``POST …/insights``: an async report run, its dates fixed when it is made →
  ``{"report_run_id"}``. ``GET /{run}`` shows ``async_status`` and ``async_percent_completion``
  moving on the server clock — ``Job Not Started`` when made, ``Job Running`` with the percentage
  growing, ``Job Completed`` (100) after :data:`RUN_SECONDS`; ``GET /{run}/insights`` gives the
  rows once completed and a code-100 error before (OURS).
- A question too big to answer (ads * days * breakdown values beyond :data:`SYNC_CELLS`, or
  :data:`ASYNC_CELLS` for a run) gets Graph's "Please reduce the amount of data you're asking
  for" (code 1, subcode 99), with HTTP 400 (OURS) since it is the request that is too big.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from adgate import ad_objects as o
from adgate import ids
from adgate import records as r
from adgate.policy import delivery
from adgate.protocol.cursors import PageRequest, Position, page_request, paginate
from adgate.protocol.errors import GraphError
from adgate.protocol.insights import BREAKDOWNS, InsightsQuery, buckets, parse_query
from adgate.protocol.insights_filters import matches, sort_rows, split_actions
from adgate.protocol.params import Params, select_fields
from adgate.protocol.times import graph_time, local_day
from adgate.services.context import Core
from adgate.services.marketing.accounts import require_account, unsupported
from adgate.services.marketing.lifecycle import fetch
from adgate.services.marketing.listing import Listing
from adgate.store.interfaces import Repos

#: Seconds of server clock an async report run takes to complete (OURS).
RUN_SECONDS = 2
SYNC_CELLS = 100_000
ASYNC_CELLS = 500_000
AGE_BOUNDS = {"13-17": (13, 17), "18-24": (18, 24), "25-34": (25, 34), "35-44": (35, 44)}
AGE_BOUNDS |= {"45-54": (45, 54), "55-64": (55, 64), "65+": (65, 200)}
GENDERS = {1: "male", 2: "female"}


@dataclass(frozen=True, slots=True)
class Delivering:
    """An ad with what its rows show: its ad set, campaign and ad account."""

    ad: o.Ad
    adset: o.AdSet | None
    campaign: o.Campaign | None

    def entity(self, level: str, account_id: str) -> str:
        return {"account": account_id, "campaign": self.ad.campaign_id, "adset": self.ad.adset_id}.get(
            level, self.ad.id
        )


def breakdown_values(name: str, targeting: dict[str, Any]) -> tuple[str, ...]:
    """The values a breakdown takes for an ad: its ad set's targeting narrows age, gender, country."""
    if name == "age":
        low, high = targeting.get("age_min", 18), targeting.get("age_max", 65)
        if not isinstance(low, int) or not isinstance(high, int):
            low, high = 18, 65
        kept = tuple(k for k, (a, b) in AGE_BOUNDS.items() if a <= high and b >= low)
        return kept or BREAKDOWNS["age"]
    if name == "gender":
        genders = targeting.get("genders") or [1, 2]
        if isinstance(genders, list) and len(set(genders)) == 1 and genders[0] in GENDERS:
            return (GENDERS[genders[0]],)
        return BREAKDOWNS["gender"]
    if name == "country":
        geo = targeting.get("geo_locations")
        countries = geo.get("countries") if isinstance(geo, dict) else None
        if isinstance(countries, list) and countries and all(isinstance(c, str) for c in countries):
            return tuple(countries)
        return ("US",)
    return BREAKDOWNS[name]


def _attributes(item: Delivering, level: str, account: r.AdAccount) -> dict[str, Any]:
    out: dict[str, Any] = {
        "account_id": account.id,
        "account_name": account.name,
        "account_currency": account.currency,
    }
    depth = ("account", "campaign", "adset", "ad").index(level)
    if depth >= 1 and item.campaign is not None:
        out |= {"campaign_id": item.campaign.id, "campaign_name": item.campaign.name}
        out |= {"objective": item.campaign.objective, "buying_type": item.campaign.buying_type}
    if depth >= 2 and item.adset is not None:
        out |= {"adset_id": item.adset.id, "adset_name": item.adset.name}
        out["optimization_goal"] = item.adset.optimization_goal
    if depth >= 3:
        out |= {"ad_id": item.ad.id, "ad_name": item.ad.name}
    return out


def compute_rows(
    query: InsightsQuery, account: r.AdAccount, ads: Sequence[Delivering], *, max_cells: int
) -> list[dict[str, Any]]:
    """Every row of the report that passes ``filtering``, ordered by period, then object id, then
    breakdown values, or by ``sort`` when given."""
    periods = buckets(query)
    days = sum((stop - start).days + 1 for start, stop in periods)
    combos = 1
    for name in query.breakdowns:
        combos *= len(BREAKDOWNS[name])
    if len(ads) * days * combos > max_cells:
        raise GraphError.of("insights_too_much")
    # What the filters and sort keys read, besides the fields asked for.
    needed = (*query.fields, *(rule.field for rule in query.filtering), *(field for field, _ in query.sort))
    by_device = "action_device" in query.action_breakdowns
    rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for start, stop in periods:
        groups: dict[tuple[str, tuple[str, ...]], tuple[Delivering, delivery.Totals]] = {}
        for item in ads:
            entity = item.entity(query.level, account.id)
            targeting = dict(item.adset.targeting) if item.adset else {}
            dimensions = [(name, breakdown_values(name, targeting)) for name in query.breakdowns]
            day = start
            while day <= stop:
                counts = delivery.day_counts(item.ad.id, day)
                parts = delivery.split(item.ad.id, day, counts, dimensions) if dimensions else [((), counts)]
                for combo, share in parts:
                    group = groups.setdefault((entity, combo), (item, delivery.Totals.empty()))
                    group[1].add(share, day)
                day += timedelta(days=1)
        for (_entity, combo), (item, totals) in sorted(groups.items(), key=lambda g: g[0]):
            row = _attributes(item, query.level, account) | delivery.metrics(totals, needed)
            row |= {"date_start": start.isoformat(), "date_stop": stop.isoformat()}
            row |= dict(zip(query.breakdowns, combo, strict=True))
            if "actions" in row:
                row["actions"] = split_actions(row["actions"], by_device)
            if all(matches(row, rule) for rule in query.filtering):
                rows.append((row, {name: row[name] for name in _order(query, row)}))
    if query.sort:
        rows = sort_rows(rows, query.sort, lambda pair: pair[0])
    return [shown for _row, shown in rows]


def _order(query: InsightsQuery, row: dict[str, Any]) -> list[str]:
    """Requested fields in the order asked, then the dates, then the breakdowns."""
    first = [name for name in query.fields if name in row and name not in ("date_start", "date_stop")]
    return [*first, "date_start", "date_stop", *query.breakdowns]


def run_status(run: o.ReportRun, now: int) -> tuple[str, int]:
    elapsed = now - run.created_at
    if elapsed <= 0:
        return "Job Not Started", 0
    if elapsed >= RUN_SECONDS:
        return "Job Completed", 100
    return "Job Running", elapsed * 100 // RUN_SECONDS


class Insights:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def report(self, node_kind: str, node_id: str, params: Params) -> Listing:
        request = page_request(params)
        async with self.core.db.transaction() as tx:
            account, ads = await self._node(tx, node_kind, node_id, "GET")
            query = parse_query(params, node_kind, local_day(self.core.now(), account.timezone_name))
        return _listing(compute_rows(query, account, ads, max_cells=SYNC_CELLS), request)

    async def start_run(self, app_id: str, node_kind: str, node_id: str, params: Params) -> dict[str, str]:
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            account, _ads = await self._node(tx, node_kind, node_id, "POST")
            query = parse_query(params, node_kind, local_day(now, account.timezone_name))
            run = o.ReportRun(ids.new_id(), account.id, app_id, node_id, node_kind, query.to_json(), now)
            await tx.report_runs.add(run)
            await tx.nodes.add(run.id, "report_run")
        return {"report_run_id": run.id}

    async def run(self, run_id: str, fields: list[str] | None) -> dict[str, Any]:
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            run = await fetch(tx.report_runs, run_id, "GET")
            account = await require_account(tx, run.account_id)
        status, percent = run_status(run, now)
        query = InsightsQuery.from_json(dict(run.query))
        body: dict[str, Any] = {
            "id": run.id,
            "account_id": run.account_id,
            "async_status": status,
            "async_percent_completion": percent,
            "date_start": query.since.isoformat(),
            "date_stop": query.until.isoformat(),
            "time_ref": run.created_at,
            "time_completed": run.created_at + RUN_SECONDS if percent == 100 else None,
            "is_running": percent < 100,
            "emails": [],
            "friendly_name": f"Report {run.id} ({graph_time(run.created_at, account.timezone_name)})",
        }
        if fields is None:  # the SDK's AdReportRun.api_get() asks for no fields: show them all
            return {name: value for name, value in body.items() if value is not None}
        return select_fields(body, fields, ("id",))

    async def run_results(self, run_id: str, params: Params) -> Listing:
        request = page_request(params)
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            run = await fetch(tx.report_runs, run_id, "GET")
            status, percent = run_status(run, now)
            if percent < 100:
                raise GraphError.of("report_not_ready", run_id=run_id, status=status)
            account, ads = await self._node(tx, run.node_kind, run.node_id, "GET")
        query = InsightsQuery.from_json(dict(run.query))
        return _listing(compute_rows(query, account, ads, max_cells=ASYNC_CELLS), request)

    @staticmethod
    async def _node(
        tx: Repos, node_kind: str, node_id: str, method: str
    ) -> tuple[r.AdAccount, list[Delivering]]:
        """The ad account of the node and the ads under it that passed review."""
        if node_kind == "ad_account":
            account = await require_account(tx, node_id, write=method != "GET")
            ads = await tx.ads.for_account(node_id)
        else:
            found: Any = {
                "campaign": tx.campaigns.get,
                "adset": tx.ad_sets.get,
                "ad": tx.ads.get,
            }[node_kind]
            node = await found(node_id)
            if node is None:
                raise unsupported(node_id, method)
            account = await require_account(tx, node.account_id)
            if node_kind == "campaign":
                ads = await tx.ads.for_campaign(node_id)
            elif node_kind == "adset":
                ads = await tx.ads.for_adset(node_id)
            else:
                ads = [node]
        campaigns = {c.id: c for c in await tx.campaigns.for_account(account.id)}
        adsets = {s.id: s for s in await tx.ad_sets.for_account(account.id)}
        delivering = [
            Delivering(ad, adsets.get(ad.adset_id), campaigns.get(ad.campaign_id))
            for ad in sorted(ads, key=lambda a: a.id)
            if ad.review_verdict == "approved"
        ]
        return account, delivering


def _listing(rows: list[dict[str, Any]], request: PageRequest) -> Listing:
    indexed = list(enumerate(rows))

    def position(item: tuple[int, dict[str, Any]]) -> Position:
        return item[0], ""

    page = paginate(indexed, position, request, descending=False)
    return Listing(page, [row for _index, row in page.items], summary=False)
