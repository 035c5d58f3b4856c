"""Reading and checking the fields of a Marketing object, with the errors a real user meets.

Every bad value is a code-100 Graph error (docs/graph-facts.md §4.1, §4.2) that says what is wrong in
``message``, carries a short ``error_user_title`` and a sentence in ``error_user_msg``, and names
the field in ``error_data.blame_field_specs`` (``[["daily_budget"]]``), which the SDK exposes as
``FacebookRequestError.api_blame_field_specs`` (docs/graph-facts.md §12.3). Messages for enums
follow Graph's ``Param X must be one of {A, B, …}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, overload

from adgate.protocol import json_input
from adgate.protocol.errors import GraphError
from adgate.protocol.params import Params
from adgate.protocol.times import parse_time

#: Longest object name accepted (OURS; Graph publishes none for every object).
MAX_NAME = 400
#: Largest amount accepted, in minor units (OURS: ten billion in the currency; keeps every amount
#: inside a 64-bit column).
MAX_AMOUNT = 10**12
#: Latest time accepted (the end of year 9999, the last one ISO 8601 writes with four digits).
MAX_TIME = 253_402_300_799
#: Smallest budget, in minor units (OURS: one unit of the currency, 1.00; Graph's minimums vary
#: with the currency and the billing event and are not published as one number).
MIN_BUDGET = 100


def field_error(field: str, message: str, *, title: str, user_msg: str | None = None) -> GraphError:
    """A code-100 error blaming ``field`` (a dotted path such as ``targeting.geo_locations``)."""
    error = GraphError.invalid(message)
    error.user_title = title
    error.user_msg = user_msg or message
    error.error_data = {"blame_field_specs": [field.split(".")]}
    return error


def missing(field: str, what: str | None = None) -> GraphError:
    return field_error(
        field,
        f"The parameter {field} is required",
        title="Missing Required Field",
        user_msg=f"Please provide {what or field}: it is required.",
    )


@overload
def text(params: Params, name: str, *, required: Literal[True], max_len: int = ...) -> str: ...
@overload
def text(params: Params, name: str, *, required: bool, max_len: int = ...) -> str | None: ...
def text(params: Params, name: str, *, required: bool, max_len: int = MAX_NAME) -> str | None:
    value = params.get(name)
    if value is None or not value.strip():
        if required:
            raise missing(name)
        return None
    value = value.strip()
    if "\x00" in value:
        raise field_error(name, f"Param {name} must not contain NUL characters", title="Invalid Text")
    if len(value) > max_len:
        raise field_error(
            name,
            f"Param {name} must be at most {max_len} characters long",
            title="Value Too Long",
        )
    return value


@overload
def one_of(
    params: Params, name: str, allowed: Sequence[str], *, required: Literal[True], title: str | None = ...
) -> str: ...
@overload
def one_of(
    params: Params, name: str, allowed: Sequence[str], *, required: bool, title: str | None = ...
) -> str | None: ...
def one_of(
    params: Params, name: str, allowed: Sequence[str], *, required: bool, title: str | None = None
) -> str | None:
    value = params.get_str(name)
    if value is None:
        if required:
            raise missing(name)
        return None
    return check_one_of(name, value.strip().upper(), allowed, title=title)


def check_one_of(name: str, value: str, allowed: Sequence[str], *, title: str | None = None) -> str:
    if value not in allowed:
        raise field_error(
            name,
            f"Param {name} must be one of {{{', '.join(allowed)}}}",
            title=title or f"Invalid {name.replace('_', ' ').title()}",
            user_msg=f"{value!r} is not a valid {name}. Use one of: {', '.join(allowed)}.",
        )
    return value


def json_value(params: Params, name: str) -> Any:
    raw = params.get_str(name)
    if raw is None:
        return None
    try:
        return json_input.loads(raw)
    except json_input.JSONInputError:
        raise field_error(name, f"Param {name} must be valid JSON", title="Invalid JSON") from None


@overload
def json_object(params: Params, name: str, *, required: Literal[True]) -> dict[str, Any]: ...
@overload
def json_object(params: Params, name: str, *, required: bool) -> dict[str, Any] | None: ...
def json_object(params: Params, name: str, *, required: bool) -> dict[str, Any] | None:
    value = json_value(params, name)
    if value is None:
        if required:
            raise missing(name)
        return None
    if not isinstance(value, dict):
        raise field_error(name, f"Param {name} must be a JSON object", title="Invalid Parameter Type")
    return value


@overload
def string_list(params: Params, name: str, *, required: Literal[True]) -> list[str]: ...
@overload
def string_list(params: Params, name: str, *, required: bool) -> list[str] | None: ...
def string_list(params: Params, name: str, *, required: bool) -> list[str] | None:
    """A JSON array of strings (the SDK's encoding); a lone ``A`` or ``A,B`` is accepted too."""
    raw = params.get(name)
    if raw is None:
        if required:
            raise missing(name)
        return None
    stripped = raw.strip()
    if not stripped.startswith("["):
        return [part.strip().upper() for part in stripped.split(",") if part.strip()]
    value = json_value(params, name)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise field_error(name, f"Param {name} must be an array of strings", title="Invalid Parameter Type")
    return [v.strip().upper() for v in value]


def each_one_of(name: str, values: Iterable[str], allowed: Sequence[str]) -> tuple[str, ...]:
    for index, value in enumerate(values):
        if value not in allowed:
            raise field_error(
                name,
                f"Param {name}[{index}] must be one of {{{', '.join(allowed)}}}",
                title=f"Invalid {name.replace('_', ' ').title()}",
                user_msg=f"{value!r} is not a valid value of {name}. Use: {', '.join(allowed)}.",
            )
    return tuple(dict.fromkeys(values))


def money(params: Params, name: str, *, minimum: int = 1) -> int | None:
    """A budget or bid: an integer in the currency's minor units (cents), at least ``minimum``."""
    raw = params.get_str(name)
    if raw is None:
        return None
    value = raw.strip()
    if not value.isascii() or not value.isdigit():
        raise field_error(
            name,
            f"Param {name} must be a positive integer in the account currency's minor units "
            f"(1000 for 10.00), got {value[:40]!r}",
            title="Invalid Budget" if "budget" in name else "Invalid Amount",
            user_msg=f"{name} must be a whole number of cents, like 1000 for 10.00.",
        )
    amount = int(value) if len(value) <= 15 else MAX_AMOUNT + 1
    if amount > MAX_AMOUNT:
        raise field_error(
            name,
            f"Param {name} must be at most {MAX_AMOUNT}",
            title="Amount Too High" if "budget" not in name else "Budget Too High",
        )
    if amount < minimum:
        raise field_error(
            name,
            f"Param {name} must be at least {minimum}",
            title="Budget Too Low" if "budget" in name else "Amount Too Low",
            user_msg=f"{name} must be at least {minimum} (in the account currency's minor units).",
        )
    return amount


def time_value(params: Params, name: str, timezone_name: str | None) -> int | None:
    raw = params.get_str(name)
    if raw is None:
        return None
    value = parse_time(raw, timezone_name)
    if value is None or not 0 <= value <= MAX_TIME:
        raise field_error(
            name,
            f"Param {name} must be a Unix time or an ISO 8601 time like 2026-01-31T12:00:00-0800",
            title="Invalid Time",
        )
    return value


def flag(params: Params, name: str) -> bool | None:
    if params.get(name) is None:
        return None
    try:
        return params.get_bool(name)
    except GraphError as exc:
        raise field_error(name, exc.message.removeprefix("(#100) "), title="Invalid Parameter Type") from None


@overload
def object_id(params: Params, name: str, *, required: Literal[True]) -> str: ...
@overload
def object_id(params: Params, name: str, *, required: bool) -> str | None: ...
def object_id(params: Params, name: str, *, required: bool) -> str | None:
    value = params.get_str(name)
    if value is None:
        if required:
            raise missing(name)
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        raise field_error(name, f"Param {name} must be a valid ID, got {value[:40]!r}", title="Invalid ID")
    return value


def unchangeable(params: Params, name: str, message: str, *, title: str) -> None:
    """Refuse ``name`` on an update: it is fixed when the object is created."""
    if params.get_str(name) is not None:
        raise field_error(name, message, title=title)


def check_changeable(status: str, node_id: str, wanted: str | None = None) -> None:
    """DELETED objects take no change; ARCHIVED ones can only be deleted (OURS: Graph documents
    neither rule, but its Ads Manager offers no other action on such objects)."""
    if status == "DELETED":
        raise field_error(
            "status",
            f"Object {node_id} has been deleted and can no longer be changed",
            title="Object Deleted",
        )
    if status == "ARCHIVED" and wanted not in ("DELETED", "ARCHIVED"):
        raise field_error(
            "status",
            f"Object {node_id} is archived: an archived object can only be deleted",
            title="Object Archived",
        )


def budgets(
    params: Params, current: tuple[int | None, int | None] = (None, None)
) -> tuple[int | None, int | None]:
    """``(daily_budget, lifetime_budget)`` after this call: at most one is set, and an object keeps
    its budget type (``current``) once it has one."""
    daily = money(params, "daily_budget", minimum=MIN_BUDGET)
    lifetime = money(params, "lifetime_budget", minimum=MIN_BUDGET)
    if daily is not None and lifetime is not None:
        raise field_error(
            "lifetime_budget",
            "Only one of daily_budget and lifetime_budget can be set",
            title="Choose One Budget Type",
        )
    if (daily is not None and current[1] is not None) or (lifetime is not None and current[0] is not None):
        raise field_error(
            "daily_budget" if daily is not None else "lifetime_budget",
            "The budget type cannot be changed: a daily budget stays daily and a lifetime budget "
            "stays lifetime",
            title="Budget Type Cannot Change",
        )
    return (daily, lifetime) if daily is not None or lifetime is not None else current
