"""Graph's cursor paging shape for edges (docs/graph-facts.md §12.3 and §12.6).

``{"data": [...], "paging": {"cursors": {"before": B, "after": A}, "next": URL}}``. The SDK's Cursor
asks for another page only when both ``paging.cursors.after`` and ``paging.next`` are present and
resends the same call with ``after=``; a list served whole is one page without ``next``. Cursors
are opaque base64url strings, as Graph's are.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params

T = TypeVar("T")


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    """The value behind a cursor, or None for one adgate did not make."""
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None


def single_page(items: Sequence[Mapping[str, Any]], key: str = "id") -> dict[str, Any]:
    """Every item on one page: cursors around it, no ``next``; an empty list has no paging."""
    data = [dict(item) for item in items]
    if not data:
        return {"data": []}
    first, last = str(data[0].get(key, 0)), str(data[-1].get(key, len(data) - 1))
    return {
        "data": data,
        "paging": {"cursors": {"before": encode_cursor(first), "after": encode_cursor(last)}},
    }


# --- cursor paging over a whole list (every Marketing list) ---------------------------
#: Graph's default page size; the largest page adgate serves (OURS: larger asks are cut to it).
DEFAULT_LIMIT = 25
MAX_LIMIT = 500

#: A position in a list, compared in list order: ``(created_at, id)`` for objects listed newest
#: first, ``(row number, "")`` for insights rows.
Position = tuple[int, str]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """``limit``, ``after`` and ``before`` of a list call, cursors already decoded."""

    limit: int = DEFAULT_LIMIT
    after: Position | None = None
    before: Position | None = None
    #: ``summary=true``: add ``summary.total_count``.
    summary: bool = False


def page_request(params: Params) -> PageRequest:
    """Read the paging parameters; a cursor adgate did not make is a code-100 error."""
    limit = params.get_int("limit", DEFAULT_LIMIT, minimum=1)
    assert limit is not None
    return PageRequest(
        limit=min(limit, MAX_LIMIT),
        after=_position(params, "after"),
        before=_position(params, "before"),
        summary=params.get_bool("summary"),
    )


def _position(params: Params, name: str) -> Position | None:
    raw = params.get_str(name)
    if raw is None:
        return None
    decoded = decode_cursor(raw) or ""
    first, sep, second = decoded.partition(":")
    digits = first.removeprefix("-")
    if not sep or not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise GraphError.invalid(f"Param {name} is not a valid cursor")
    return int(first), second


def encode_position(position: Position) -> str:
    return encode_cursor(f"{position[0]}:{position[1]}")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, with what its ``paging`` object needs."""

    items: list[T]
    before: Position | None
    after: Position | None
    has_next: bool
    has_previous: bool
    total: int


def paginate(
    items: Sequence[T], position: Callable[[T], Position], request: PageRequest, *, descending: bool
) -> Page[T]:
    """The page of ``items`` (already in list order) that ``request`` asks for.

    ``descending``: the list runs from the greatest position to the smallest (newest first).
    Positions, not offsets, make the cursors: an object added or removed between two calls
    neither repeats nor skips another one.
    """

    def comes_after(p: Position, cursor: Position) -> bool:
        return p < cursor if descending else p > cursor

    start, end = 0, len(items)
    if request.after is not None:
        after = request.after
        start = next((i for i, item in enumerate(items) if comes_after(position(item), after)), end)
        end = min(end, start + request.limit)
    elif request.before is not None:
        before = request.before
        end = next((i for i, item in enumerate(items) if not comes_after(before, position(item))), end)
        start = max(0, end - request.limit)
    else:
        end = min(end, request.limit)
    chosen = list(items[start:end])
    return Page(
        items=chosen,
        before=position(chosen[0]) if chosen else None,
        after=position(chosen[-1]) if chosen else None,
        has_next=end < len(items),
        has_previous=start > 0,
        total=len(items),
    )


def page_json(
    page: Page[Any],
    data: list[dict[str, Any]],
    *,
    next_url: str | None,
    previous_url: str | None,
    summary: bool,
) -> dict[str, Any]:
    """``{"data", "paging": {"cursors", "next"?, "previous"?}, "summary"?}``, as Graph lists it.

    ``next`` is left out on the last page (the SDK stops there, docs/graph-facts.md §12.3); an empty
    page carries no ``paging``.
    """
    body: dict[str, Any] = {"data": data}
    if page.before is not None and page.after is not None:
        paging: dict[str, Any] = {
            "cursors": {"before": encode_position(page.before), "after": encode_position(page.after)}
        }
        if previous_url is not None and page.has_previous:
            paging["previous"] = previous_url
        if next_url is not None and page.has_next:
            paging["next"] = next_url
        body["paging"] = paging
    if summary:
        body["summary"] = {"total_count": page.total}
    return body
