"""Turning rows into records and back: the only place that knows both shapes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from adgate import records as r
from adgate.store.interfaces import SealedToken


def person(row: Mapping[str, Any]) -> r.Person:
    return r.Person(**{k: row[k] for k in r.Person.__dataclass_fields__})


def plain(cls: Any, row: Mapping[str, Any]) -> Any:
    return cls(**{k: row[k] for k in cls.__dataclass_fields__})


def app(row: Mapping[str, Any]) -> r.App:
    values = dict(row)
    values["redirect_uris"] = tuple(json.loads(values["redirect_uris"] or "[]"))
    return plain(r.App, values)  # type: ignore[no-any-return]


def app_values(record: r.App) -> dict[str, Any]:
    values = {k: getattr(record, k) for k in r.App.__dataclass_fields__}
    values["redirect_uris"] = json.dumps(list(record.redirect_uris))
    return values


def split_scopes(raw: str) -> tuple[str, ...]:
    return tuple(s for s in raw.split(",") if s)


def token(row: Mapping[str, Any]) -> r.Token:
    values = dict(row)
    values["scopes"] = split_scopes(values["scopes"])
    if values["assets"] is not None:
        values["assets"] = split_scopes(values["assets"])
    return plain(r.Token, values)  # type: ignore[no-any-return]


def sealed_token(row: Mapping[str, Any]) -> SealedToken:
    values = dict(row)
    values["scopes"] = split_scopes(values["scopes"])
    if values["assets"] is not None:
        values["assets"] = split_scopes(values["assets"])
    return plain(SealedToken, values)  # type: ignore[no-any-return]


def code(row: Mapping[str, Any]) -> r.AuthCode:
    values = dict(row)
    values["scopes"] = split_scopes(values["scopes"])
    return plain(r.AuthCode, values)  # type: ignore[no-any-return]


def values_of(record: Any) -> dict[str, Any]:
    values = {k: getattr(record, k) for k in record.__dataclass_fields__}
    if "scopes" in values:
        values["scopes"] = ",".join(values["scopes"])
    if values.get("assets") is not None:
        values["assets"] = ",".join(values["assets"])
    return values
