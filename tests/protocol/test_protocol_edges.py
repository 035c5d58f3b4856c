"""The wire's smaller rules (adgate/protocol): parameters as a mapping, the envelope's optional
fields, cursors of a one-page list, reporting periods, and the filters' value shapes."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from adgate.protocol.cursors import PageRequest, decode_cursor, page_json, paginate, single_page
from adgate.protocol.envelope import error_body
from adgate.protocol.errors import GraphError
from adgate.protocol.insights import ROW_FIELDS, InsightsQuery, buckets
from adgate.protocol.insights_filters import Filter, matches, parse_filtering, split_actions
from adgate.protocol.params import Params


def test_params_merge_with_later_sources_winning_and_act_as_a_mapping() -> None:
    params = Params.merge({"a": "1", "b": "query"}, {"b": "body"})
    assert dict(params) == {"a": "1", "b": "body"}
    assert (params["b"], len(params), sorted(params)) == ("body", 2, ["a", "b"])
    assert params.get("c") is None
    assert params.get("c", "d") == "d"
    assert dict(params.without("a", "zzz")) == {"b": "body"}


def test_a_required_parameter_is_returned_or_refused_by_name() -> None:
    assert Params({"feature": "x"}).require("feature") == "x"
    with pytest.raises(GraphError, match="The parameter feature is required"):
        Params({"feature": ""}).require("feature")


def test_an_integer_above_its_maximum_is_refused_by_name() -> None:
    assert Params({"limit": "7"}).get_int("limit", maximum=7) == 7
    with pytest.raises(GraphError, match="Param limit must be at most 7"):
        Params({"limit": "8"}).get_int("limit", maximum=7)


def test_the_envelope_carries_the_user_facing_fields_only_when_set() -> None:
    error = GraphError.invalid("Param x is wrong")
    assert str(error) == error.message == "(#100) Param x is wrong"
    bare = error_body(error, "Atrace")["error"]
    assert not {"error_user_title", "error_user_msg", "error_data"} & set(bare)
    error.user_title, error.user_msg, error.error_data = "Title", "Say this", {"blame_field_specs": [["x"]]}
    full = error_body(error, "Atrace")["error"]
    assert full["error_user_title"] == "Title"
    assert full["error_user_msg"] == "Say this"
    assert full["error_data"] == {"blame_field_specs": [["x"]]}
    assert list(full)[-1] == "fbtrace_id"


def test_a_one_page_list_has_cursors_around_it_and_an_empty_one_none() -> None:
    assert single_page([]) == {"data": []}
    body = single_page([{"id": "1"}, {"id": "2"}, {"id": "3"}])
    cursors = body["paging"]["cursors"]
    assert (decode_cursor(cursors["before"]), decode_cursor(cursors["after"])) == ("1", "3")
    assert "next" not in body["paging"]
    keyed = single_page([{"name": "x"}, {"name": "y"}], key="name")
    assert decode_cursor(keyed["paging"]["cursors"]["after"]) == "y"


def test_a_middle_page_links_both_ways() -> None:
    items = list(range(10, 0, -1))
    page = paginate(items, lambda t: (t, str(t)), PageRequest(limit=3, after=(8, "8")), descending=True)
    assert page.items == [7, 6, 5]
    body = page_json(
        page, [{"id": str(t)} for t in page.items], next_url="N", previous_url="P", summary=False
    )
    assert (body["paging"]["next"], body["paging"]["previous"]) == ("N", "P")
    assert "summary" not in body


def query(since: date, until: date, increment: str | int) -> InsightsQuery:
    return InsightsQuery("ad", ("spend",), since, until, increment, ())


def test_all_days_is_one_period_and_an_inverted_range_none() -> None:
    assert buckets(query(date(2026, 1, 1), date(2026, 3, 5), "all_days")) == [
        (date(2026, 1, 1), date(2026, 3, 5))
    ]
    assert buckets(query(date(2026, 3, 5), date(2026, 1, 1), "all_days")) == []
    assert buckets(query(date(2026, 3, 5), date(2026, 1, 1), 1)) == []


@pytest.mark.parametrize(
    "bad",
    [
        [{"field": "spend", "operator": "GREATER_THAN", "value": True}],
        [{"field": "spend", "operator": "GREATER_THAN", "value": None}],
        [{"field": "spend", "operator": "IN", "value": "1,2"}],
        [{"field": "spend", "operator": "IN", "value": [[1]]}],
        [{"field": "campaign.name", "operator": "EQUAL", "value": ["A"]}],
        [{"field": "campaign.name", "operator": "CONTAIN", "value": False}],
    ],
)
def test_each_operator_takes_its_shape_of_value(bad: list[dict[str, Any]]) -> None:
    with pytest.raises(GraphError) as caught:
        parse_filtering(Params({"filtering": json.dumps(bad)}), ROW_FIELDS)
    assert caught.value.code == 100


def test_a_numeric_filter_never_matches_a_value_that_is_no_number() -> None:
    assert not matches({"spend": "n/a"}, Filter("spend", "GREATER_THAN", 1))
    assert not matches({"spend": None}, Filter("spend", "IN_RANGE", [0, 10]))
    assert matches({"spend": "5"}, Filter("spend", "IN_RANGE", [0, 10]))


def test_actions_are_split_only_by_device() -> None:
    actions = [{"action_type": "link_click", "value": "10"}]
    assert split_actions(actions, by_device=False) is actions
