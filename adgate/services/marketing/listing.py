"""Lists of Marketing objects: ``effective_status`` filter, ``fields``, cursor paging, summary.

docs/graph-facts.md §12.2 and §12.3: the SDK sends ``effective_status=["ACTIVE","PAUSED"]`` (a JSON
array), ``fields=a,b``, ``limit``, ``summary=true`` and, for later pages, ``after=<cursor>``; it
follows only when both ``paging.cursors.after`` and ``paging.next`` are present.

Choices where Graph's behaviour is not written down:

- Without ``effective_status``, a list leaves out DELETED and ARCHIVED objects; asking for them
  by name shows them.
- Without ``fields``, an object shows only its ``id`` (Graph's default for Marketing objects);
  unknown field names are ignored rather than refused.
- A list is built whole and then cut into pages (sandbox scale: thousands of objects, not millions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adgate.policy.effective_status import shown
from adgate.protocol.cursors import Page, PageRequest, Position, page_request, paginate
from adgate.protocol.params import Params, select_fields
from adgate.services.marketing.validation import each_one_of, string_list

DEFAULT_FIELDS: tuple[str, ...] = ("id",)


@dataclass(frozen=True, slots=True)
class ListQuery:
    fields: list[str] | None
    #: ``effective_status`` asked for; None: the default (everything not deleted or archived).
    wanted: frozenset[str] | None
    page: PageRequest


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a list, rendered, with what the ``paging`` object needs."""

    page: Page[Any]
    data: list[dict[str, Any]]
    summary: bool


def list_query(params: Params, statuses: Sequence[str]) -> ListQuery:
    wanted = string_list(params, "effective_status", required=False)
    return ListQuery(
        fields=params.fields(),
        wanted=None if wanted is None else frozenset(each_one_of("effective_status", wanted, statuses)),
        page=page_request(params),
    )


#: One object of a list: its position, its effective status and its full rendering.
Row = tuple[Position, str, dict[str, Any]]


def listing(rows: Sequence[Row], query: ListQuery) -> Listing:
    """Filter rendered objects (newest first) by effective status, take a page, select fields."""
    kept = [row for row in rows if shown(row[1], query.wanted)]
    page = paginate(kept, lambda row: row[0], query.page, descending=True)
    data = [select_fields(obj, query.fields, DEFAULT_FIELDS) for _position, _status, obj in page.items]
    return Listing(page, data, query.page.summary)


def pick(obj: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    """A node read: the requested fields, ``id`` by default."""
    return select_fields(obj, fields, DEFAULT_FIELDS)


def money_text(amount: int | None) -> str | None:
    """Budgets come back as strings of minor units (``"1000"``), as Graph returns them."""
    return None if amount is None else str(amount)
