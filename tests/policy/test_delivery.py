"""Simulated delivery: deterministic numbers, exact breakdown splits, Graph's string formats."""

from __future__ import annotations

import re
from datetime import date

from adgate.policy.delivery import Totals, day_counts, metrics, split

DAY = date(2026, 9, 1)


def test_the_same_ad_and_day_always_give_the_same_numbers_and_others_differ() -> None:
    assert day_counts("123", DAY) == day_counts("123", DAY)
    assert day_counts("123", DAY) != day_counts("124", DAY)
    assert day_counts("123", DAY) != day_counts("123", date(2026, 9, 2))


def test_a_days_numbers_are_plausible() -> None:
    for n in range(50):
        c = day_counts(str(n), DAY)
        assert 200 <= c["impressions"] <= 5000
        assert 0 < c["reach"] <= c["impressions"]
        assert c["inline_link_clicks"] <= c["clicks"] <= c["impressions"]
        assert c["unique_clicks"] <= c["clicks"]


def test_a_breakdown_split_adds_up_exactly_to_the_total() -> None:
    counts = day_counts("42", DAY)
    parts = split("42", DAY, counts, [("age", ("18-24", "25-34", "35-44")), ("gender", ("female", "male"))])
    assert len(parts) == 6
    assert {combo for combo, _ in parts} == {
        (a, g) for a in ("18-24", "25-34", "35-44") for g in ("female", "male")
    }
    for metric, total in counts.items():
        assert sum(share[metric] for _, share in parts) == total


def test_metrics_are_strings_in_graphs_formats_and_undefined_rates_are_left_out() -> None:
    totals = Totals.empty()
    totals.add(day_counts("7", DAY), DAY)
    out = metrics(totals, ["impressions", "spend", "ctr", "cpc", "cpm", "frequency", "actions", "reach"])
    assert re.fullmatch(r"\d+", out["impressions"])
    assert re.fullmatch(r"\d+\.\d{2}", out["spend"])
    for name in ("ctr", "cpc", "cpm", "frequency"):
        assert re.fullmatch(r"\d+\.\d{6}", out[name]), name
    assert all(isinstance(a["value"], str) for a in out["actions"])
    empty = metrics(Totals.empty(), ["impressions", "ctr", "cpc"])
    assert empty == {"impressions": "0"}


def test_reach_over_several_days_is_discounted_so_frequency_grows() -> None:
    one, week = Totals.empty(), Totals.empty()
    one.add(day_counts("9", DAY), DAY)
    for offset in range(7):
        day = date(2026, 9, 1 + offset)
        week.add(day_counts("9", DAY), day)  # the same numbers each day
    assert float(metrics(week, ["frequency"])["frequency"]) > float(metrics(one, ["frequency"])["frequency"])
