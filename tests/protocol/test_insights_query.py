"""The Insights query: presets from "today", ranges, levels, breakdowns, increments."""

from __future__ import annotations

from datetime import date

import pytest

from adgate.protocol.errors import GraphError
from adgate.protocol.insights import buckets, parse_query, preset_range
from adgate.protocol.params import Params

TODAY = date(2026, 9, 16)  # a Wednesday


@pytest.mark.parametrize(
    ("preset", "since", "until"),
    [
        ("today", date(2026, 9, 16), date(2026, 9, 16)),
        ("yesterday", date(2026, 9, 15), date(2026, 9, 15)),
        ("last_7d", date(2026, 9, 9), date(2026, 9, 15)),
        ("last_30d", date(2026, 8, 17), date(2026, 9, 15)),
        ("this_month", date(2026, 9, 1), date(2026, 9, 16)),
        ("last_month", date(2026, 8, 1), date(2026, 8, 31)),
        ("this_quarter", date(2026, 7, 1), date(2026, 9, 16)),
        ("last_quarter", date(2026, 4, 1), date(2026, 6, 30)),
        ("last_year", date(2025, 1, 1), date(2025, 12, 31)),
        ("this_week_mon_today", date(2026, 9, 14), date(2026, 9, 16)),
        ("last_week_mon_sun", date(2026, 9, 7), date(2026, 9, 13)),
        ("last_week_sun_sat", date(2026, 9, 6), date(2026, 9, 12)),
        ("maximum", date(2023, 8, 16), date(2026, 9, 16)),
    ],
)
def test_date_presets_are_graphs(preset: str, since: date, until: date) -> None:
    assert preset_range(preset, TODAY) == (since, until)


def test_defaults_are_last_30d_all_days_at_the_nodes_level() -> None:
    query = parse_query(Params({}), "campaign", TODAY)
    assert (query.level, query.time_increment) == ("campaign", "all_days")
    assert (query.since, query.until) == (date(2026, 8, 17), date(2026, 9, 15))
    assert query.fields == ("impressions", "spend")


def test_time_range_wins_and_stops_at_today() -> None:
    params = Params({"date_preset": "yesterday", "time_range": '{"since":"2026-09-01","until":"2026-12-31"}'})
    query = parse_query(params, "ad_account", TODAY)
    assert (query.since, query.until) == (date(2026, 9, 1), TODAY)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"date_preset": "last_2_weeks"}, 100),
        ({"time_range": '{"since":"2026-09-10"}'}, 100),
        ({"time_range": '{"since":"2026-09-10","until":"2026-09-01"}'}, 100),
        ({"time_range": '{"since":"2020-01-01","until":"2020-01-02"}'}, 3018),
        ({"level": "everything"}, 100),
        ({"level": "account"}, 100),  # above a campaign
        ({"fields": "impressions,likes"}, 100),
        ({"breakdowns": '["age","zodiac"]'}, 100),
        ({"time_increment": "91"}, 100),
        ({"time_increment": "weekly"}, 100),
    ],
)
def test_bad_values_are_refused(params: dict[str, str], code: int) -> None:
    with pytest.raises(GraphError) as caught:
        parse_query(Params(params), "campaign", TODAY)
    assert caught.value.code == code


def test_time_increments_cut_the_range_into_periods() -> None:
    params = Params(
        {"time_range": '{"since":"2026-07-30","until":"2026-09-02"}', "time_increment": "monthly"}
    )
    assert buckets(parse_query(params, "ad", TODAY)) == [
        (date(2026, 7, 30), date(2026, 7, 31)),
        (date(2026, 8, 1), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2026, 9, 2)),
    ]
    weekly = parse_query(Params({"date_preset": "last_14d", "time_increment": "7"}), "ad", TODAY)
    assert buckets(weekly) == [(date(2026, 9, 2), date(2026, 9, 8)), (date(2026, 9, 9), date(2026, 9, 15))]
    fields = parse_query(Params({"fields": '["impressions","clicks"]'}), "ad", TODAY).fields
    assert fields == ("impressions", "clicks")
