"""Simulated delivery: the numbers Insights reports, made up deterministically.

adgate delivers no ads; its Insights exist so that real clients exercise the ``ads_insights``
rules with realistic answers. Every number is a pure function of the ad id, the day and the
breakdown values, seeded by SHA-256, so the same question always gets the same answer:

- each ad that passed review has delivered every day up to today (OURS: a synthetic history
  within Insights' 37-month window; a disapproved ad never delivered);
- a day of an ad has 200 to 5000 impressions; reach is 60 to 95 % of them; the click-through
  rate 0.3 to 4 %; 70 to 95 % of clicks are link clicks; the CPM is 2.00 to 15.00 in the account currency;
- a breakdown splits a day's whole numbers over its values by seeded weights (largest
  remainder), so the rows of a breakdown add up exactly to the unbroken total;
- reach over several days is the daily reach summed and discounted by 5 % per extra day, so
  frequency grows with the period (reach is never additive in Graph either);
- campaign, ad set and account rows are the sums of their ads.

Graph returns every metric as a string: whole numbers as ``"1234"``, money with two decimals
(``"12.34"``), rates and costs per result with six (``"1.234568"``); a rate whose denominator is
zero is left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import product
from typing import Any

#: Additive counts kept per day; spend is in minor units (cents).
COUNTS = ("impressions", "reach", "clicks", "unique_clicks", "inline_link_clicks", "spend", "engagement")
REACH_DISCOUNT_PER_DAY = 0.05


def _seed(*parts: object) -> int:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _between(seed: int, low: float, high: float, salt: int) -> float:
    unit = ((seed >> (salt * 7)) % 10_007) / 10_006
    return low + (high - low) * unit


def day_counts(ad_id: str, day: date) -> dict[str, int]:
    """One ad's delivery on one day."""
    seed = _seed("delivery", ad_id, day.isoformat())
    impressions = 200 + seed % 4801
    clicks = round(impressions * _between(seed, 0.003, 0.04, 1))
    return {
        "impressions": impressions,
        "reach": round(impressions * _between(seed, 0.60, 0.95, 2)),
        "clicks": clicks,
        "unique_clicks": round(clicks * _between(seed, 0.80, 0.97, 3)),
        "inline_link_clicks": round(clicks * _between(seed, 0.70, 0.95, 4)),
        "spend": round(impressions * _between(seed, 200, 1500, 5) / 1000),
        "engagement": clicks + round(impressions * _between(seed, 0.005, 0.02, 6)),
    }


def split(
    ad_id: str, day: date, counts: dict[str, int], dimensions: Sequence[tuple[str, Sequence[str]]]
) -> list[tuple[tuple[str, ...], dict[str, int]]]:
    """``counts`` shared over every combination of the breakdown values, each summing exactly."""
    combos = list(product(*(values for _name, values in dimensions)))
    weights = []
    for combo in combos:
        weight = 1.0
        for (name, _values), value in zip(dimensions, combo, strict=True):
            weight *= 1 + _seed("share", ad_id, day.isoformat(), name, value) % 100 / 25
        weights.append(weight)
    total_weight = sum(weights)
    shares: list[dict[str, int]] = [{} for _ in combos]
    for metric, amount in counts.items():
        exact = [amount * w / total_weight for w in weights]
        floors = [int(x) for x in exact]
        left = amount - sum(floors)
        order = sorted(range(len(combos)), key=lambda i: (floors[i] - exact[i], i))
        for i in order[:left]:
            floors[i] += 1
        for i, amount_i in enumerate(floors):
            shares[i][metric] = amount_i
    return [(tuple(combo), share) for combo, share in zip(combos, shares, strict=True)]


@dataclass(slots=True)
class Totals:
    """Counts summed over ads and days, with the number of days for the reach discount."""

    counts: dict[str, int]
    days: set[date]

    @classmethod
    def empty(cls) -> Totals:
        return cls({name: 0 for name in COUNTS}, set())

    def add(self, counts: dict[str, int], day: date) -> None:
        for name, value in counts.items():
            self.counts[name] += value
        self.days.add(day)


def _ratio(numerator: float, denominator: float, scale: float = 1.0) -> str | None:
    return None if denominator <= 0 else f"{numerator * scale / denominator:.6f}"


def metrics(totals: Totals, wanted: Iterable[str]) -> dict[str, Any]:
    """The requested metrics of ``totals`` as Graph's strings (undefined rates left out)."""
    c = totals.counts
    discounted = round(c["reach"] / (1 + REACH_DISCOUNT_PER_DAY * max(0, len(totals.days) - 1)))
    reach = max(min(discounted, c["impressions"]), 1 if c["impressions"] else 0)
    spend = c["spend"] / 100
    values: dict[str, Any] = {
        "impressions": str(c["impressions"]),
        "reach": str(reach),
        "clicks": str(c["clicks"]),
        "unique_clicks": str(c["unique_clicks"]),
        "inline_link_clicks": str(c["inline_link_clicks"]),
        "spend": f"{spend:.2f}",
        "frequency": _ratio(c["impressions"], reach),
        "ctr": _ratio(c["clicks"], c["impressions"], 100),
        "unique_ctr": _ratio(c["unique_clicks"], reach, 100),
        "inline_link_click_ctr": _ratio(c["inline_link_clicks"], c["impressions"], 100),
        "cpc": _ratio(spend, c["clicks"]),
        "cpm": _ratio(spend, c["impressions"], 1000),
        "cpp": _ratio(spend, reach, 1000),
        "cost_per_inline_link_click": _ratio(spend, c["inline_link_clicks"]),
        "actions": [
            {"action_type": "link_click", "value": str(c["inline_link_clicks"])},
            {"action_type": "landing_page_view", "value": str(c["inline_link_clicks"] * 4 // 5)},
            {"action_type": "post_engagement", "value": str(c["engagement"])},
            {"action_type": "page_engagement", "value": str(c["engagement"])},
        ],
    }
    return {name: values[name] for name in wanted if name in values and values[name] is not None}
