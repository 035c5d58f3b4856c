from collections.abc import Callable

import pytest

from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params, select_fields


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
