"""Custom audiences: ``/act_<n>/customaudiences`` and ``/{custom_audience_id}``.

Audiences count for the ad account's ``custom_audience`` business-use-case limit (docs/graph-facts.md §5.3:
"5000 + 40 * active custom audiences" at Development), through
:func:`adgate.services.marketing.counts.active_counts`.

Create needs ``name`` and ``subtype``, and per subtype (the common subset of Graph's rules):

- CUSTOM: ``customer_file_source`` (USER_PROVIDED_ONLY, PARTNER_PROVIDED_ONLY or
  BOTH_USER_AND_PARTNER_PROVIDED);
- WEBSITE: ``rule`` (a JSON object), and optionally ``retention_days`` from 1 to 180;
- ENGAGEMENT, APP: ``rule`` (a JSON object);
- LOOKALIKE: ``origin_audience_id`` (an audience of the same account) and ``lookalike_spec`` with
  ``country`` (two letters) and ``ratio`` from 0.01 to 0.20.

Members (``POST /{id}/users``, :mod:`adgate.services.marketing.audience_users`) are not kept: the
approximate size is a deterministic number made from the audience id (OURS). ``rule`` is returned as
a JSON string, as Graph returns it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from adgate import ad_objects as o
from adgate import ids
from adgate.policy.effective_status import CREATIVE_STATUSES
from adgate.protocol.params import Params
from adgate.services.context import Core
from adgate.services.marketing.accounts import position, require_account
from adgate.services.marketing.lifecycle import changeable, fetch, mark_deleted
from adgate.services.marketing.listing import Listing, Row, list_query, listing, pick
from adgate.services.marketing.validation import (
    field_error,
    json_object,
    object_id,
    one_of,
    text,
    unchangeable,
)

SUBTYPES = ("CUSTOM", "WEBSITE", "LOOKALIKE", "ENGAGEMENT", "APP")
FILE_SOURCES = ("USER_PROVIDED_ONLY", "PARTNER_PROVIDED_ONLY", "BOTH_USER_AND_PARTNER_PROVIDED")
RETENTION_DAYS = (1, 180)
LOOKALIKE_RATIO = (0.01, 0.20)


def approximate_size(audience_id: str) -> tuple[int, int]:
    seed = int.from_bytes(hashlib.sha256(f"audience|{audience_id}".encode()).digest()[:4], "big")
    lower = 1000 + seed % 2_000_000
    return lower, lower + lower // 5


def audience_json(audience: o.CustomAudience) -> dict[str, Any]:
    lower, upper = approximate_size(audience.id)
    return {
        "id": audience.id,
        "account_id": audience.account_id,
        "name": audience.name,
        "subtype": audience.subtype,
        "description": audience.description,
        "customer_file_source": audience.customer_file_source,
        "retention_days": audience.retention_days,
        "rule": json.dumps(audience.rule, separators=(",", ":")) if audience.rule is not None else None,
        "origin_audience_id": audience.origin_audience_id,
        "lookalike_spec": dict(audience.lookalike_spec) if audience.lookalike_spec else None,
        "approximate_count_lower_bound": lower,
        "approximate_count_upper_bound": upper,
        "operation_status": {"code": 200, "description": "Normal"},
        "delivery_status": {"code": 200, "description": "This audience is ready for use."},
        "time_created": audience.created_at,
        "time_updated": audience.updated_at,
    }


def _retention(params: Params) -> int | None:
    raw = params.get_str("retention_days")
    if raw is None:
        return None
    value = raw.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 3) or not (
        RETENTION_DAYS[0] <= int(value) <= RETENTION_DAYS[1]
    ):
        raise field_error(
            "retention_days",
            f"Param retention_days must be a whole number from {RETENTION_DAYS[0]} to {RETENTION_DAYS[1]}",
            title="Invalid Retention",
        )
    return int(value)


def _lookalike_spec(params: Params) -> dict[str, Any]:
    spec = json_object(params, "lookalike_spec", required=True)
    country = spec.get("country")
    if not isinstance(country, str) or len(country) != 2 or not country.isalpha():
        raise field_error(
            "lookalike_spec.country", "lookalike_spec needs a two-letter country", title="Invalid Country"
        )
    ratio = spec.get("ratio")
    if (
        isinstance(ratio, bool)
        or not isinstance(ratio, int | float)
        or not LOOKALIKE_RATIO[0] <= ratio <= LOOKALIKE_RATIO[1]
    ):
        raise field_error(
            "lookalike_spec.ratio",
            f"lookalike_spec.ratio must be from {LOOKALIKE_RATIO[0]} to {LOOKALIKE_RATIO[1]}",
            title="Invalid Ratio",
        )
    return spec


class Audiences:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def create(self, app_id: str, account_id: str, params: Params) -> dict[str, str]:
        name = text(params, "name", required=True)
        subtype = one_of(params, "subtype", SUBTYPES, required=True)
        description = text(params, "description", required=False, max_len=2000)
        source = one_of(params, "customer_file_source", FILE_SOURCES, required=subtype == "CUSTOM")
        rule = json_object(params, "rule", required=subtype in ("WEBSITE", "ENGAGEMENT", "APP"))
        retention = _retention(params)
        origin = object_id(params, "origin_audience_id", required=subtype == "LOOKALIKE")
        lookalike = _lookalike_spec(params) if subtype == "LOOKALIKE" else None
        now = self.core.now()
        async with self.core.db.transaction() as tx:
            await require_account(tx, account_id, write=True)
            if origin is not None:
                seed = await tx.custom_audiences.get(origin)
                if seed is None or seed.account_id != account_id or seed.status == "DELETED":
                    raise field_error(
                        "origin_audience_id",
                        f"Param origin_audience_id must be an audience of ad account act_{account_id}",
                        title="Invalid Source Audience",
                    )
            audience = o.CustomAudience(
                id=ids.new_id(),
                account_id=account_id,
                app_id=app_id,
                name=name,
                subtype=subtype,
                description=description,
                customer_file_source=source,
                retention_days=retention,
                rule=rule,
                origin_audience_id=origin,
                lookalike_spec=lookalike,
                status="ACTIVE",
                created_at=now,
                updated_at=now,
            )
            await tx.custom_audiences.add(audience)
            await tx.nodes.add(audience.id, "custom_audience")
        return {"id": audience.id}

    async def read(self, audience_id: str, fields: list[str] | None) -> dict[str, Any]:
        async with self.core.db.transaction() as tx:
            audience = await fetch(tx.custom_audiences, audience_id, "GET")
        return pick(audience_json(audience), fields)

    async def list(self, account_id: str, params: Params) -> Listing:
        query = list_query(params, CREATIVE_STATUSES)
        async with self.core.db.transaction() as tx:
            await require_account(tx, account_id)
            audiences = await tx.custom_audiences.for_account(account_id)
        rows: list[Row] = [(position(a), a.status, audience_json(a)) for a in audiences]
        return listing(rows, query)

    async def update(self, audience_id: str, params: Params) -> dict[str, Any]:
        unchangeable(
            params, "subtype", "The subtype of an audience cannot change", title="Subtype Cannot Change"
        )
        name = text(params, "name", required=False)
        description = text(params, "description", required=False, max_len=2000)
        retention = _retention(params)
        rule = json_object(params, "rule", required=False)
        async with self.core.db.transaction() as tx:
            audience = await changeable(tx.custom_audiences, audience_id)
            if rule is not None and audience.subtype not in ("WEBSITE", "ENGAGEMENT", "APP"):
                raise field_error(
                    "rule", "Only WEBSITE, ENGAGEMENT and APP audiences have a rule", title="Rule Not Allowed"
                )
            await tx.custom_audiences.update(
                replace(
                    audience,
                    name=name or audience.name,
                    description=audience.description if description is None else description,
                    retention_days=audience.retention_days if retention is None else retention,
                    rule=audience.rule if rule is None else rule,
                    updated_at=self.core.now(),
                ),
                audience,
            )
        return {"success": True}

    async def delete(self, audience_id: str) -> dict[str, Any]:
        async with self.core.db.transaction() as tx:
            await mark_deleted(tx.custom_audiences, audience_id, self.core.now())
        return {"success": True}
