from collections.abc import Callable

import pytest

from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params, fold_lists, select_fields


def test_json_encoded_lists_and_comma_lists_read_the_same() -> None:
    params = Params({"a": '["ACTIVE","PAUSED"]', "b": "ACTIVE,PAUSED"})
    assert params.get_list("a") == params.get_list("b") == ["ACTIVE", "PAUSED"]


def test_the_sdk_sends_booleans_and_dicts_as_json() -> None:
    params = Params({"flag": "false", "range": '{"since":"2024-01-01","until":"2024-01-07"}'})
    assert params.get_bool("flag") is False
    assert params.get_dict("range") == {"since": "2024-01-01", "until": "2024-01-07"}


def test_fields_split_at_top_level_commas_only() -> None:
    assert Params({"fields": "name,owner{id,name},account_id"}).fields() == [
        "name",
        "owner{id,name}",
        "account_id",
    ]
    assert Params({"fields": '["impressions","spend"]'}).fields() == ["impressions", "spend"]
    assert Params({}).fields() is None


@pytest.mark.parametrize(
    ("values", "call", "fragment"),
    [
        ({"limit": "ten"}, lambda p: p.get_int("limit"), "limit must be an integer"),
        ({"limit": "0"}, lambda p: p.get_int("limit", minimum=1), "at least 1"),
        ({"flag": "maybe"}, lambda p: p.get_bool("flag"), "must be a boolean"),
        ({"range": "{oops"}, lambda p: p.get_dict("range"), "valid JSON"),
        ({"range": "[1]"}, lambda p: p.get_dict("range"), "JSON object"),
        ({"ids": '[{"a":1}]'}, lambda p: p.get_list("ids"), "array of strings"),
        ({}, lambda p: p.require("name"), "name is required"),
    ],
)
def test_bad_values_are_a_code_100_that_names_the_parameter(
    values: dict[str, str], call: Callable[[Params], object], fragment: str
) -> None:
    with pytest.raises(GraphError) as info:
        call(Params(values))
    assert info.value.code == 100
    assert fragment in info.value.message


def test_field_selection_always_keeps_the_id() -> None:
    obj = {"id": "1", "name": "n", "status": "ACTIVE", "secret": None}
    assert select_fields(obj, ["name"], ("id",)) == {"id": "1", "name": "n"}
    assert select_fields(obj, None, ("id", "name")) == {"id": "1", "name": "n"}


@pytest.mark.parametrize(
    ("pairs", "folded"),
    [
        ([("a[]", "x"), ("a[]", "y")], {"a": '["x","y"]'}),
        ([("a[1]", "y"), ("a[0]", "x"), ("b", "1")], {"b": "1", "a": '["x","y"]'}),
        ([("a[0]", "x"), ("a[5]", "z"), ("a[0]", "w")], {"a": '["w","z"]'}),  # gaps close, last wins
        ([("a", "plain"), ("a[]", "x")], {"a": '["x"]'}),  # whichever comes last
        ([("a[]", "x"), ("a", "plain")], {"a": "plain"}),
        ([("a[b]", "1"), ("[]", "2"), ("a[0][b]", "3")], {"a[b]": "1", "[]": "2", "a[0][b]": "3"}),
        ([("a", "1"), ("a", "2")], {"a": "2"}),
    ],
)
def test_bracketed_lists_fold_into_one_json_array(
    pairs: list[tuple[str, str]], folded: dict[str, str]
) -> None:
    assert fold_lists(pairs) == folded


def test_a_folded_list_reads_as_the_sdk_json_list() -> None:
    params = Params(fold_lists([("asset[0]", "123"), ("asset[1]", "456"), ("scope[]", "ads_read")]))
    assert params.get_list("asset") == ["123", "456"]
    assert params.get_list("scope") == ["ads_read"]
    assert params.get_json("asset") == ["123", "456"]
