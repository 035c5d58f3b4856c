"""Batch parsing and result references."""

from __future__ import annotations

import json

import pytest

from adgate.protocol.batch import parse_batch, split_url, substitute
from adgate.protocol.errors import GraphError


def test_items_are_read_with_their_defaults() -> None:
    items = parse_batch(
        json.dumps(
            [
                {"method": "GET", "relative_url": "act_1/?fields=name"},
                {"method": "post", "relative_url": "act_1/campaigns", "body": "name=x", "name": "c"},
                {"relative_url": "me", "body": {"fields": ["a", "b"]}},
            ]
        )
    )
    assert [(i.method, i.relative_url, i.name) for i in items] == [
        ("GET", "act_1/?fields=name", None),
        ("POST", "act_1/campaigns", "c"),
        ("GET", "me", None),
    ]
    assert items[2].body == "fields=%5B%22a%22%2C%22b%22%5D"
    assert split_url("/act_1/?fields=name,id&limit=2") == ("/act_1/", {"fields": "name,id", "limit": "2"})


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, 100),
        ("not json", 100),
        ("{}", 100),
        ("[]", 100),
        (json.dumps([{"method": "PUT", "relative_url": "me"}]), 100),
        (json.dumps([{"method": "GET"}]), 100),
        (json.dumps([{"method": "GET", "relative_url": "me"}] * 51), 100),
    ],
)
def test_bad_batches_are_refused_whole(raw: str | None, code: int) -> None:
    with pytest.raises(GraphError) as caught:
        parse_batch(raw)
    assert caught.value.code == code


def test_fifty_items_are_allowed_and_fifty_one_are_not() -> None:
    assert len(parse_batch(json.dumps([{"method": "GET", "relative_url": "me"}] * 50))) == 50
    with pytest.raises(GraphError) as caught:
        parse_batch(json.dumps([{"method": "GET", "relative_url": "me"}] * 51))
    assert "Maximum batch size is 50" in caught.value.message


def test_references_take_values_from_earlier_results() -> None:
    results = {"c": {"id": "77"}, "l": {"data": [{"id": "1"}, {"id": "2"}]}, "bad": None}
    assert substitute("campaign_id={result=c:$.id}", results) == "campaign_id=77"
    assert substitute("ids={result=l:$.data.*.id}", results) == "ids=1,2"
    assert substitute("first={result=l:$.data.0.id}", results) == "first=1"
    for text in ("x={result=bad:$.id}", "x={result=nobody:$.id}", "x={result=c:$.missing}"):
        with pytest.raises(GraphError):
            substitute(text, results)
