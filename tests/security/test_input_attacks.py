"""Attacks on input: deep JSON, header injection, a poisoned sandbox clock, and who-owns-what leaks.

Every case answers with the Graph error envelope, never a 500, and leaves the server working.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from ads_world import Advertiser, error_of, make_advertiser

from adgate.protocol import json_input
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio

DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def assert_envelope(response: httpx.Response, code: int = 100) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    error = error_of(response)
    assert error["code"] == code, error
    assert error["fbtrace_id"]
    return error


def test_the_decoder_refuses_depth_size_and_non_finite_numbers() -> None:
    assert json_input.loads('{"a": [1, {"b": "[[[[[[[["}]}') == {"a": [1, {"b": "[[[[[[[["}]}
    assert json_input.depth_of('[[{"x": "]]]]{{{{"}]]') == 3
    for text in (DEEP, DEEP_OBJECT, "NaN", "[Infinity]", '{"x": -Infinity}', "1e999", "x" * 11):
        with pytest.raises(json_input.JSONInputError):
            json_input.loads(text, max_chars=10 if text.startswith("x") else json_input.MAX_CHARS)
    assert json_input.loads("[" * 64 + "]" * 64) is not None


@pytest.fixture
async def adv(services: Services, client: httpx.AsyncClient) -> Advertiser:
    return await make_advertiser(services, client)


async def test_deep_json_bodies_and_parameters_are_code_100(
    adv: Advertiser, client: httpx.AsyncClient
) -> None:
    token = {"access_token": adv.token}
    # A Graph JSON body, without and with a token.
    for params in ({}, token):
        response = await client.post(
            f"/v26.0/{adv.act}/campaigns",
            params=params,
            content=DEEP_OBJECT,
            headers={"content-type": "application/json"},
        )
        assert_envelope(response, 100 if params else response.json()["error"]["code"])
    # A JSON-valued parameter, in the query string and in a form body.
    response = await adv.get(f"{adv.act}/campaigns", effective_status=DEEP)
    assert_envelope(response)
    response = await client.post(
        f"/v26.0/{adv.act}/campaigns",
        params=token,
        data={"name": "C", "objective": "OUTCOME_TRAFFIC", "special_ad_categories": DEEP},
    )
    assert_envelope(response)
    # The batch parameter, and a JSON value inside a batch item's body.
    response = await client.post("/v26.0/", data={**token, "batch": DEEP})
    assert_envelope(response)
    item = {"method": "GET", "relative_url": f"{adv.act}/campaigns?effective_status={DEEP}"}
    response = await client.post("/v26.0/", data={**token, "batch": json.dumps([item])})
    assert response.status_code == 200, response.text
    assert json.loads(response.json()[0]["body"])["error"]["code"] == 100
    # The server still answers.
    assert (await adv.get(f"{adv.act}/campaigns")).status_code == 200


async def test_deep_and_non_finite_sandbox_bodies_are_code_100(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    headers = {**admin_headers, "content-type": "application/json"}
    for body in (DEEP_OBJECT, '{"name": "x", "email": "a@b.c", "password": ' + DEEP + "}"):
        assert_envelope(await client.post("/_sandbox/people", content=body, headers=headers))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"advance": NaN}', None),
        ('{"advance": Infinity}', None),
        ('{"set": -Infinity}', None),
        ('{"advance": 1e999}', None),
        ('{"advance": 1e300}', "advance"),
        ('{"set": 1e300}', "set"),
        ('{"set": -5}', "set"),
    ],
)
async def test_the_sandbox_clock_refuses_non_finite_and_absurd_values(
    client: httpx.AsyncClient, admin_headers: dict[str, str], body: str, field: str | None
) -> None:
    before = (await client.get("/_sandbox/clock", headers=admin_headers)).json()
    headers = {**admin_headers, "content-type": "application/json"}
    error = assert_envelope(await client.post("/_sandbox/clock", content=body, headers=headers))
    if field is not None:
        assert field in error["message"]
    after = await client.get("/_sandbox/clock", headers=admin_headers)
    assert after.status_code == 200
    assert after.json()["offset"] == before["offset"]
    assert (await client.get("/_health")).status_code == 200


@pytest.mark.parametrize(
    "grant_type", ["pässwörd", "ünïcode\u2603", "a\rb", "a\nWWW-Authenticate: x", "a\x00b"]
)
async def test_input_never_reaches_a_response_header(client: httpx.AsyncClient, grant_type: str) -> None:
    response = await client.post(
        "/v26.0/oauth/access_token",
        data={"grant_type": grant_type, "client_id": "1", "client_secret": "x"},
    )
    assert_envelope(response)
    header = response.headers["www-authenticate"]
    assert header.startswith('OAuth "Facebook Platform" "invalid_request"')
    assert grant_type not in header and not any(ord(c) < 32 or ord(c) > 126 for c in header)


async def test_a_stranger_cannot_tell_a_missing_object_from_someone_elses(
    services: Services, client: httpx.AsyncClient, adv: Advertiser
) -> None:
    campaign = await adv.campaign()
    stranger = await make_advertiser(services, client)
    absent = "120" + "0" * 14
    answers = []
    for node in (campaign, absent):
        for response in (
            await stranger.get(f"{node}/", fields="name"),
            await stranger.post(f"{node}/", name="mine now"),
        ):
            error = assert_envelope(response)
            assert adv.account_id not in json.dumps(response.json())
            answers.append(
                (response.status_code, error["message"].replace(node, "<node>"), error["error_subcode"])
            )
    assert answers[:2] == answers[2:], answers
    assert "does not exist" in answers[0][1]
