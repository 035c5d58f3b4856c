"""Insights ``filtering``, ``sort`` and ``action_breakdowns`` (:mod:`adgate.protocol.insights_filters`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from adgate.protocol.errors import GraphError
from adgate.protocol.insights import ROW_FIELDS, InsightsQuery, parse_query
from adgate.protocol.insights_filters import (
    Filter,
    matches,
    parse_action_breakdowns,
    parse_filtering,
    parse_sort,
    sort_rows,
    split_actions,
)
from adgate.protocol.params import Params

ROW = {"impressions": "1500", "spend": "12.50", "campaign_name": "Spring Sale", "age": "25-34"}


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("GREATER_THAN", 1000, True),
        ("GREATER_THAN", "1500", False),
        ("GREATER_THAN_OR_EQUAL", 1500, True),
        ("LESS_THAN", 1500.5, True),
        ("LESS_THAN_OR_EQUAL", 1499, False),
        ("EQUAL", 1500, True),
        ("NOT_EQUAL", "1500", False),
        ("IN_RANGE", [1000, 2000], True),
        ("NOT_IN_RANGE", [1000, 2000], False),
        ("IN", ["1500", "10"], True),
        ("NOT_IN", [1500], False),
    ],
)
def test_numeric_operators(operator: str, value: Any, expected: bool) -> None:
    assert matches(ROW, Filter("impressions", operator, value)) is expected


def test_text_operators_ignore_case_and_a_missing_field_never_matches() -> None:
    assert matches(ROW, Filter("campaign_name", "CONTAIN", "sale"))
    assert matches(ROW, Filter("campaign_name", "STARTS_WITH", "spring"))
    assert not matches(ROW, Filter("campaign_name", "NOT_CONTAIN", "SALE"))
    assert not matches(ROW, Filter("ad_name", "NOT_CONTAIN", "x"))


def test_parse_maps_dotted_fields_and_refuses_bad_filters() -> None:
    params = Params(
        {"filtering": json.dumps([{"field": "campaign.name", "operator": "EQUAL", "value": "A"}])}
    )
    assert parse_filtering(params, ROW_FIELDS) == (Filter("campaign_name", "EQUAL", "A"),)
    for bad in (
        [{"field": "nope", "operator": "EQUAL", "value": 1}],
        [{"field": "spend", "operator": "LIKE", "value": 1}],
        [{"field": "spend", "operator": "IN_RANGE", "value": [1]}],
        [{"field": "spend", "operator": "GREATER_THAN", "value": "lots"}],
        [{"field": "actions", "operator": "EQUAL", "value": 1}],
        [{"field": "spend"}],
        {"field": "spend"},
    ):
        with pytest.raises(GraphError):
            parse_filtering(Params({"filtering": json.dumps(bad)}), ROW_FIELDS)


def test_sort_orders_numbers_as_numbers_and_puts_missing_fields_last() -> None:
    keys = parse_sort(Params({"sort": '["impressions_descending","spend_ascending"]'}), ROW_FIELDS)
    assert keys == (("impressions", True), ("spend", False))
    rows = [{"impressions": "9", "spend": "2"}, {"impressions": "10", "spend": "1"}, {"spend": "0"},
            {"impressions": "9", "spend": "1"}]  # fmt: skip
    ordered = sort_rows(rows, keys, lambda row: row)
    assert ordered == [rows[1], rows[3], rows[0], rows[2]]
    with pytest.raises(GraphError):
        parse_sort(Params({"sort": "impressions_sideways"}), ROW_FIELDS)


def test_action_device_splits_each_action_exactly() -> None:
    assert parse_action_breakdowns(Params({})) == ("action_type",)
    with pytest.raises(GraphError):
        parse_action_breakdowns(Params({"action_breakdowns": "action_reaction"}))
    split = split_actions([{"action_type": "link_click", "value": "7"}], by_device=True)
    assert [a["action_device"] for a in split] == ["desktop", "android_smartphone", "iphone"]
    assert sum(int(a["value"]) for a in split) == 7


def test_an_async_runs_query_keeps_its_filters_and_sort() -> None:
    params = Params(
        {
            "filtering": json.dumps([{"field": "spend", "operator": "IN_RANGE", "value": [1, 5]}]),
            "sort": "spend_descending",
            "action_breakdowns": "action_device",
        }
    )
    query = parse_query(params, "ad_account", date(2026, 12, 1))
    stored = json.loads(json.dumps(query.to_json()))
    assert InsightsQuery.from_json(stored) == query
    old = {k: v for k, v in stored.items() if k not in ("filtering", "sort", "action_breakdowns")}
    assert InsightsQuery.from_json(old).action_breakdowns == ("action_type",)  # runs stored before
