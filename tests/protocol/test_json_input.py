"""The one JSON decoder for input (adgate/protocol/json_input.py): limits on size and depth,
finite numbers only, and every refusal a JSONInputError that says why."""

from __future__ import annotations

import pytest

from adgate.protocol.json_input import JSONInputError, depth_of, loads


def test_depth_counts_brackets_outside_strings() -> None:
    assert depth_of("") == 0
    assert depth_of('{"a": [1, {"b": []}]}') == 4
    assert depth_of('["[[[[", "}}"]') == 1
    assert depth_of('[{"a": "\\"[["}]') == 2


def test_text_within_the_limits_decodes_as_json_does() -> None:
    assert loads('{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    assert loads('{"name": "caf\u00e9"}'.encode()) == {"name": "caf\u00e9"}
    assert loads("[" * 5 + "]" * 5, max_depth=5) == [[[[[]]]]]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b'{"a": "\xff"}', "not valid UTF-8"),
        ("[1]" + " " * 20, "longer than 10 characters"),
        ("[" * 6 + "]" * 6, "nested deeper than 5 levels"),
        ("[NaN]", "NaN is not a number JSON allows"),
        ("[-Infinity]", "-Infinity is not a number JSON allows"),
        ("[1e999]", "1e999 is too large a number"),
        ("{'a': 1}", "Expecting property name enclosed in double quotes"),
    ],
)
def test_each_refusal_says_which_limit_was_passed(raw: str | bytes, why: str) -> None:
    with pytest.raises(JSONInputError) as caught:
        loads(raw, max_depth=5, max_chars=10 if "longer" in why else 1000)
    assert why in str(caught.value)
    assert "column" not in str(caught.value), "the sentence, without the position"


def test_an_integer_longer_than_python_converts_is_refused() -> None:
    with pytest.raises(JSONInputError, match="Exceeds the limit"):
        loads("[" + "1" * 5000 + "]")


def test_nesting_past_the_interpreters_recursion_is_refused_the_same_way() -> None:
    deep = "[" * 200_000 + "]" * 200_000
    with pytest.raises(JSONInputError, match="nested deeper than 1000000 levels"):
        loads(deep, max_depth=1_000_000, max_chars=1_000_000)
