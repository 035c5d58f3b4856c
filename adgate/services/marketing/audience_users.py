"""Custom audience members: ``POST /{custom_audience_id}/users`` adds, ``DELETE`` removes.

Graph's request (https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences#add):
``payload={"schema": …, "data": [...]}`` with ``schema`` one key (``EMAIL_SHA256``,
``PHONE_SHA256``, ``MOBILE_ADVERTISER_ID``; ``UID`` with ``app_ids``) or a list of keys
(``["EMAIL", "FN", "EXTERN_ID", …]``, each row a list as long as the schema), values SHA-256
hashed (lower-case hex) except ``EXTERN_ID``, ``MADID`` and ``MOBILE_ADVERTISER_ID``; at most
10,000 rows per call; an optional ``session={"session_id", "batch_seq", "last_batch_flag",
"estimated_num_total"}`` for uploads in several calls. The answer: ``{audience_id, session_id,
num_received, num_invalid_entries, invalid_entry_samples}``; a row whose hashed value is not a
SHA-256 hex digest is counted invalid, not refused.

Only CUSTOM audiences take members. Our choice: members are checked and counted, not kept; an
audience's size stays the deterministic number :mod:`adgate.services.marketing.audiences` gives it.
"""

from __future__ import annotations

import re
from typing import Any

from adgate.protocol.params import Params
from adgate.services.context import Core
from adgate.services.marketing.accounts import require_account
from adgate.services.marketing.lifecycle import fetch
from adgate.services.marketing.validation import field_error, json_object

SINGLE_KEYS = ("EMAIL_SHA256", "PHONE_SHA256", "MOBILE_ADVERTISER_ID", "UID")
MULTI_KEYS = (
    "EXTERN_ID",
    "EMAIL",
    "PHONE",
    "GEN",
    "DOBY",
    "DOBM",
    "DOBD",
    "LN",
    "FN",
    "FI",
    "CT",
    "ST",
    "ZIP",
    "MADID",
    "COUNTRY",
    "APPUID",
)
#: Keys sent as they are, not hashed.
UNHASHED = frozenset({"EXTERN_ID", "MADID", "MOBILE_ADVERTISER_ID", "UID", "APPUID"})
MAX_ROWS = 10_000
MAX_SAMPLES = 10
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _schema(payload: dict[str, Any]) -> list[str]:
    schema = payload.get("schema")
    if isinstance(schema, str) and schema in SINGLE_KEYS:
        if schema == "UID" and not payload.get("app_ids"):
            raise field_error("payload.app_ids", "Schema UID needs app_ids", title="Missing App IDs")
        return [schema]
    if (
        isinstance(schema, list)
        and schema
        and all(isinstance(k, str) and k in MULTI_KEYS for k in schema)
        and len(set(schema)) == len(schema)
    ):
        return list(schema)
    raise field_error(
        "payload.schema",
        f"payload.schema must be one of {', '.join(SINGLE_KEYS)} or a list of distinct keys from "
        f"{', '.join(MULTI_KEYS)}",
        title="Invalid Schema",
    )


def _rows(payload: dict[str, Any], width: int, multi: bool) -> list[list[Any]]:
    data = payload.get("data")
    if not isinstance(data, list) or not data:
        raise field_error("payload.data", "payload.data must be a non-empty list", title="No Data")
    if len(data) > MAX_ROWS:
        raise field_error(
            "payload.data",
            f"payload.data has {len(data)} rows; at most {MAX_ROWS} per call",
            title="Too Many Rows",
        )
    rows: list[list[Any]] = []
    for row in data:
        cells = row if multi else [row]
        if not isinstance(cells, list) or len(cells) != width:
            raise field_error(
                "payload.data",
                f"Each row of payload.data must have {width} values, one per schema key",
                title="Row Does Not Match Schema",
            )
        rows.append(cells)
    return rows


def _invalid(schema: list[str], row: list[Any]) -> str | None:
    for key, value in zip(schema, row, strict=True):
        if not isinstance(value, str | int) or isinstance(value, bool):
            return f"{key} must be a string"
        text = str(value)
        if key in UNHASHED:
            if len(text) > 1000:
                return f"{key} is too long"
        elif text and not _SHA256.match(text):
            return f"{key} must be a SHA-256 hash (64 lower-case hex digits)"
    return None


def _session(params: Params) -> dict[str, Any] | None:
    session = json_object(params, "session", required=False)
    if session is None:
        return None
    session_id = session.get("session_id")
    if isinstance(session_id, bool) or not isinstance(session_id, int | str) or not str(session_id).isdigit():
        raise field_error(
            "session.session_id", "session.session_id must be a number", title="Invalid Session"
        )
    batch_seq = session.get("batch_seq", 1)
    if isinstance(batch_seq, bool) or not isinstance(batch_seq, int) or batch_seq < 1:
        raise field_error(
            "session.batch_seq", "session.batch_seq must be a number from 1", title="Invalid Session"
        )
    if not isinstance(session.get("last_batch_flag", False), bool):
        raise field_error(
            "session.last_batch_flag",
            "session.last_batch_flag must be true or false",
            title="Invalid Session",
        )
    return session


class AudienceUsers:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def change(self, audience_id: str, params: Params, method: str) -> dict[str, Any]:
        """Add (POST) or remove (DELETE) members; the answer counts what was received."""
        payload = json_object(params, "payload", required=True)
        schema = _schema(payload)
        rows = _rows(payload, len(schema), multi=isinstance(payload.get("schema"), list))
        session = _session(params)
        async with self.core.db.transaction() as tx:
            audience = await fetch(tx.custom_audiences, audience_id, method)
            await require_account(tx, audience.account_id, write=True)
        if audience.status == "DELETED" or audience.subtype != "CUSTOM":
            raise field_error(
                "id",
                f"Audience {audience_id} takes no members: only a CUSTOM audience does",
                title="Audience Does Not Take Members",
            )
        samples: dict[str, str] = {}
        invalid = 0
        for row in rows:
            reason = _invalid(schema, row)
            if reason is not None:
                invalid += 1
                if len(samples) < MAX_SAMPLES:
                    samples[str(row if len(row) > 1 else row[0])[:200]] = reason
        answer: dict[str, Any] = {
            "audience_id": audience_id,
            "num_received": len(rows),
            "num_invalid_entries": invalid,
            "invalid_entry_samples": samples,
        }
        if session is not None:
            answer["session_id"] = str(session["session_id"])
        return answer
