"""Batch requests (adgate/protocol/batch.py), beyond tests/protocol/test_batch_items.py: each
malformed item named by its index, bodies as forms, paths through results, and one item's answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adgate.protocol.batch import form, item_response, parse_batch, substitute
from adgate.protocol.errors import GraphError


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ("GET me", "batch[1] must be a JSON object"),
        ({"relative_url": "me", "body": 5}, "batch[1].body must be a form-encoded string"),
        ({"relative_url": "me", "name": 5}, "batch[1].name must be a string"),
    ],
)
def test_a_malformed_item_is_named_by_its_index(item: Any, words: str) -> None:
    with pytest.raises(GraphError) as caught:
        parse_batch(json.dumps([{"relative_url": "me"}, item]))
    assert caught.value.code == 100
    assert words in caught.value.message


def test_a_body_reads_as_a_form_with_blank_values_kept() -> None:
    (item,) = parse_batch(
        json.dumps([{"method": "post", "relative_url": "act_1/campaigns", "body": {"a": 1}}])
    )
    assert form(item.body) == {"a": "1"}
    assert form("name=x%20y&status=&objective=OUTCOME_SALES") == {
        "name": "x y",
        "status": "",
        "objective": "OUTCOME_SALES",
    }


def test_a_path_that_leaves_the_result_has_no_value() -> None:
    results = {"c": {"id": "77", "data": [{"id": "1"}]}}
    for path in ("id.*", "data.5.id", "data.x", "data.0.id.more"):
        with pytest.raises(GraphError, match=r"has no value at \$\."):
            substitute(f"{{result=c:$.{path}}}", results)


def test_an_items_answer_carries_its_headers_and_its_body_when_kept() -> None:
    answer = item_response(200, {"Content-Type": "application/json"}, '{"id":"1"}')
    assert answer == {
        "code": 200,
        "headers": [{"name": "Content-Type", "value": "application/json"}],
        "body": '{"id":"1"}',
    }
    assert item_response(200, {}, None) == {"code": 200, "headers": []}
