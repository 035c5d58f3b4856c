"""Cursor paging over a whole list: positions, not offsets, make the cursors."""

from __future__ import annotations

import pytest

from adgate.protocol.cursors import PageRequest, encode_position, page_json, page_request, paginate
from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params

ITEMS = [(t, f"id{t}") for t in range(10, 0, -1)]  # newest first: 10 … 1


def pos(item: tuple[int, str]) -> tuple[int, str]:
    return item


def test_pages_follow_each_other_with_after_and_come_back_with_before() -> None:
    first = paginate(ITEMS, pos, PageRequest(limit=4), descending=True)
    assert [t for t, _ in first.items] == [10, 9, 8, 7]
    assert first.has_next
    assert not first.has_previous
    second = paginate(ITEMS, pos, PageRequest(limit=4, after=first.after), descending=True)
    assert [t for t, _ in second.items] == [6, 5, 4, 3]
    assert second.has_previous
    last = paginate(ITEMS, pos, PageRequest(limit=4, after=second.after), descending=True)
    assert [t for t, _ in last.items] == [2, 1]
    assert not last.has_next
    back = paginate(ITEMS, pos, PageRequest(limit=4, before=last.before), descending=True)
    assert back.items == second.items


def test_an_item_removed_between_calls_neither_repeats_nor_skips_another() -> None:
    first = paginate(ITEMS, pos, PageRequest(limit=3), descending=True)
    shrunk = [item for item in ITEMS if item[0] != 8]  # the page's last item is gone
    second = paginate(shrunk, pos, PageRequest(limit=3, after=first.after), descending=True)
    assert [t for t, _ in second.items] == [7, 6, 5]


def test_the_last_page_has_no_next_and_an_empty_one_no_paging() -> None:
    page = paginate(ITEMS, pos, PageRequest(limit=50), descending=True)
    body = page_json(page, [{"id": i} for _, i in page.items], next_url="N", previous_url="P", summary=True)
    assert "next" not in body["paging"]
    assert "previous" not in body["paging"]
    assert body["summary"] == {"total_count": 10}
    empty = paginate(list[tuple[int, str]](), pos, PageRequest(), descending=True)
    assert page_json(empty, [], next_url=None, previous_url=None, summary=False) == {"data": []}


def test_paging_parameters_are_read_and_checked() -> None:
    request = page_request(Params({"limit": "9999", "after": encode_position((5, "x")), "summary": "true"}))
    assert request.limit == 500
    assert request.after == (5, "x")
    assert request.summary
    assert page_request(Params({})).limit == 25
    with pytest.raises(GraphError) as bad_cursor:
        page_request(Params({"after": "not-a-cursor"}))
    assert bad_cursor.value.code == 100
    with pytest.raises(GraphError):
        page_request(Params({"limit": "0"}))
