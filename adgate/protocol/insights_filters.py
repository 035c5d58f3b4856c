"""Insights ``filtering``, ``sort`` and ``action_breakdowns``, as Graph reads them
(https://developers.facebook.com/docs/marketing-api/reference/ads-insights/#parameters).

- ``filtering=[{"field":"impressions","operator":"GREATER_THAN","value":100}, …]``: every filter
  must hold. Fields: the metrics and attributes of :mod:`adgate.protocol.insights`, the breakdown
  dimensions, and ``campaign.id``/``campaign.name``/``adset.id``/``adset.name``/``ad.id``/``ad.name``.
  Operators: ``EQUAL``, ``NOT_EQUAL``, ``GREATER_THAN``, ``GREATER_THAN_OR_EQUAL``, ``LESS_THAN``,
  ``LESS_THAN_OR_EQUAL``, ``IN_RANGE``, ``NOT_IN_RANGE`` (``[low, high]``), ``IN``, ``NOT_IN`` (a
  list), ``CONTAIN``, ``NOT_CONTAIN``, ``STARTS_WITH`` (text). A field not on a row (a campaign name
  at account level) does not match.
- ``sort=["spend_descending", "impressions_ascending"]``: ``<field>_ascending|_descending`` over
  the metrics and attributes; the rows are sorted before paging.
- ``action_breakdowns``: ``action_type`` (the default) and ``action_device`` (each action split
  over ``desktop``, ``android_smartphone`` and ``iphone``, summing exactly). OURS: other action
  breakdowns Graph has are refused with code 100 rather than silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params

T = TypeVar("T")

#: Dotted filter fields → the row attribute they name.
DOTTED = {
    "campaign.id": "campaign_id",
    "campaign.name": "campaign_name",
    "adset.id": "adset_id",
    "adset.name": "adset_name",
    "ad.id": "ad_id",
    "ad.name": "ad_name",
}
NUMERIC = ("GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL")
RANGE = ("IN_RANGE", "NOT_IN_RANGE")
LISTS = ("IN", "NOT_IN")
TEXT = ("CONTAIN", "NOT_CONTAIN", "STARTS_WITH")
OPERATORS = ("EQUAL", "NOT_EQUAL", *NUMERIC, *RANGE, *LISTS, *TEXT)
MAX_FILTERS = 50
ACTION_BREAKDOWNS = ("action_type", "action_device")
#: action_device values and their shares in tenths (OURS).
ACTION_DEVICES = (("desktop", 3), ("android_smartphone", 4), ("iphone", 3))


@dataclass(frozen=True, slots=True)
class Filter:
    field: str
    operator: str
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "operator": self.operator, "value": self.value}


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise GraphError.invalid(f"Param filtering: {what} must be a number")
    try:
        return float(value)
    except ValueError:
        raise GraphError.invalid(f"Param filtering: {what} must be a number") from None


def parse_filtering(params: Params, fields: frozenset[str]) -> tuple[Filter, ...]:
    """The filters, checked; ``fields`` are the names a row can hold (metrics, attributes, breakdowns)."""
    raw = params.get_json("filtering")
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_FILTERS:
        raise GraphError.invalid(f"Param filtering must be a list of at most {MAX_FILTERS} filters")
    out: list[Filter] = []
    for item in raw:
        if not isinstance(item, dict) or not {"field", "operator", "value"} <= set(item):
            raise GraphError.invalid('Param filtering: each filter is {"field", "operator", "value"}')
        name, operator, value = item["field"], item["operator"], item["value"]
        field = DOTTED.get(name, name) if isinstance(name, str) else None
        if field is None or field not in fields or field == "actions":
            raise GraphError.invalid(f"Filtering field {str(name)[:64]} is invalid")
        if operator not in OPERATORS:
            raise GraphError.invalid(f"Param filtering: operator must be one of {', '.join(OPERATORS)}")
        if operator in NUMERIC:
            _number(value, f"the value of {operator}")
        elif operator in RANGE:
            if not isinstance(value, list) or len(value) != 2:
                raise GraphError.invalid(f"Param filtering: {operator} takes [low, high]")
            _number(value[0], "low")
            _number(value[1], "high")
        elif operator in LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
                raise GraphError.invalid(f"Param filtering: {operator} takes a list of values")
        elif not isinstance(value, str | int | float) or isinstance(value, bool):
            raise GraphError.invalid(f"Param filtering: {operator} takes one value")
        out.append(Filter(field, operator, value))
    return tuple(out)


def parse_sort(params: Params, fields: frozenset[str]) -> tuple[tuple[str, bool], ...]:
    """``(field, descending)`` pairs, first key first."""
    out: list[tuple[str, bool]] = []
    for entry in params.get_list("sort") or ():
        field, _, direction = entry.rpartition("_")
        if direction not in ("ascending", "descending") or field not in fields or field == "actions":
            raise GraphError.invalid(
                f"Param sort: {entry[:64]} must be <field>_ascending or <field>_descending, "
                "for a field of the report"
            )
        out.append((field, direction == "descending"))
    return tuple(out)


def parse_action_breakdowns(params: Params) -> tuple[str, ...]:
    asked = tuple(dict.fromkeys(params.get_list("action_breakdowns") or ("action_type",)))
    for name in asked:
        if name not in ACTION_BREAKDOWNS:
            raise GraphError.invalid(
                f"{name[:64]} is not valid for action_breakdowns param. "
                f"Use one of: {', '.join(ACTION_BREAKDOWNS)}"
            )
    return asked


def _as_number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def matches(row: dict[str, Any], rule: Filter) -> bool:
    if rule.field not in row:
        return False
    value, op, want = row[rule.field], rule.operator, rule.value
    if op in NUMERIC or op in RANGE:
        number = _as_number(value)
        if number is None:
            return False
        if op in RANGE:
            inside = float(want[0]) <= number <= float(want[1])
            return inside if op == "IN_RANGE" else not inside
        bound = float(want)
        return {
            "GREATER_THAN": number > bound,
            "GREATER_THAN_OR_EQUAL": number >= bound,
            "LESS_THAN": number < bound,
            "LESS_THAN_OR_EQUAL": number <= bound,
        }[op]
    text = str(value)
    if op in ("EQUAL", "NOT_EQUAL"):
        same = text == str(want) or (_as_number(value) is not None and _as_number(value) == _as_number(want))
        return same if op == "EQUAL" else not same
    if op in LISTS:
        inside = text in {str(v) for v in want}
        return inside if op == "IN" else not inside
    needle = str(want).lower()
    if op == "STARTS_WITH":
        return text.lower().startswith(needle)
    contained = needle in text.lower()
    return contained if op == "CONTAIN" else not contained


def sort_rows(
    items: list[T], keys: tuple[tuple[str, bool], ...], row_of: Callable[[T], dict[str, Any]]
) -> list[T]:
    """Items ordered by their rows' keys (numbers as numbers); a row without a key's field goes last."""
    for field, descending in reversed(keys):
        present = [item for item in items if field in row_of(item)]
        absent = [item for item in items if field not in row_of(item)]

        def key(item: T, field: str = field) -> tuple[int, float, str]:
            value = row_of(item)[field]
            number = _as_number(value)
            return (0, number, "") if number is not None else (1, 0.0, str(value))

        items = sorted(present, key=key, reverse=descending) + absent
    return items


def split_actions(actions: list[dict[str, str]], by_device: bool) -> list[dict[str, str]]:
    if not by_device:
        return actions
    out: list[dict[str, str]] = []
    for action in actions:
        total = int(action["value"])
        left = total
        for index, (device, tenths) in enumerate(ACTION_DEVICES):
            share = left if index == len(ACTION_DEVICES) - 1 else total * tenths // 10
            left -= share
            out.append({**action, "action_device": device, "value": str(share)})
    return out
