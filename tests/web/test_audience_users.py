"""``POST|DELETE /{custom_audience_id}/users``: what a payload must look like, and what is counted."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
from gate_world import Shop, make_shop
from helpers import error_of

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio
HASH = hashlib.sha256(b"ada@example.com").hexdigest()


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers)


async def new_audience(shop: Shop, token: str) -> str:
    made = await shop.call(
        "POST", f"act_{shop.accounts[0]}/customaudiences", token,
        name="Buyers", subtype="CUSTOM", customer_file_source="USER_PROVIDED_ONLY",
    )  # fmt: skip
    assert made.status_code == 200, made.text
    audience_id: str = made.json()["id"]
    return audience_id


@pytest.mark.parametrize(
    "payload",
    [
        {"schema": "EMAIL", "data": [HASH]},
        {"schema": ["EMAIL", "EMAIL"], "data": [[HASH, HASH]]},
        {"schema": "EMAIL_SHA256", "data": []},
        {"schema": ["EMAIL", "FN"], "data": [[HASH]]},
        {"schema": "UID", "data": ["1"]},
        {"schema": "EMAIL_SHA256", "data": [HASH] * 10_001},
        "not json",
    ],
)
async def test_a_bad_payload_is_refused_with_code_100(shop: Shop, payload: object) -> None:
    token = await shop.token()
    audience = await new_audience(shop, token)
    body = payload if isinstance(payload, str) else json.dumps(payload)
    response = await shop.client.post(
        f"/v26.0/{audience}/users", data={"access_token": token, "payload": body}
    )
    assert (response.status_code, error_of(response)["code"]) == (400, 100)


async def test_invalid_rows_are_counted_with_samples(shop: Shop) -> None:
    token = await shop.token()
    audience = await new_audience(shop, token)
    payload = {
        "schema": ["EXTERN_ID", "EMAIL"],
        "data": [["c-1", HASH], ["c-2", "plain@example.com"], ["c-3", ""]],
    }
    response = await shop.call("DELETE", f"{audience}/users", token, payload=json.dumps(payload))
    body = response.json()
    assert (body["num_received"], body["num_invalid_entries"]) == (3, 1)
    assert list(body["invalid_entry_samples"].values()) == [
        "EMAIL must be a SHA-256 hash (64 lower-case hex digits)"
    ]


async def test_members_need_ads_management(shop: Shop) -> None:
    audience = await new_audience(shop, await shop.token())
    read_only = await shop.token(scopes=("ads_read",))
    payload = json.dumps({"schema": "EMAIL_SHA256", "data": [HASH]})
    response = await shop.call("POST", f"{audience}/users", read_only, payload=payload)
    assert error_of(response)["code"] == 294
