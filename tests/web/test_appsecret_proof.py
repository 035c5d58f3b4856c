"""appsecret_proof on Graph calls (docs/graph-facts.md §8; docs/graph-facts.md §12.2)."""

from __future__ import annotations

import httpx
import pytest
from helpers import error_of, graph, make_cast, user_token

from adgate.clock import SandboxClock
from adgate.policy.appsecret_proof import make_proof
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


async def test_a_proof_is_verified_whenever_one_is_sent(
    client: httpx.AsyncClient, services: Services
) -> None:
    cast = await make_cast(services)
    token = await user_token(client, services, cast, cast.admin)
    good = await graph(client, "GET", "me", token, appsecret_proof=make_proof(cast.secret, token))
    assert good.status_code == 200, good.text
    bad = await graph(client, "GET", "me", token, appsecret_proof=make_proof("not the secret", token))
    error = error_of(bad)
    assert (bad.status_code, error["code"], error["type"]) == (400, 100, "GraphMethodException")
    assert error["message"] == "Invalid appsecret_proof provided in the API argument"
    assert (await graph(client, "GET", "me", token)).status_code == 200  # not required: may be left out


async def test_an_app_that_requires_the_secret_refuses_calls_without_a_proof(
    client: httpx.AsyncClient, services: Services
) -> None:
    cast = await make_cast(services, require_app_secret=True)
    token = await user_token(client, services, cast, cast.admin)
    missing = await graph(client, "GET", "me", token)
    assert error_of(missing)["message"] == "API calls from the server require an appsecret_proof argument"
    proven = await client.get(
        "/v26.0/me",
        params={"appsecret_proof": make_proof(cast.secret, token)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert proven.status_code == 200, proven.text
    # The literal app_id|app_secret carries the secret itself.
    literal = await graph(client, "GET", "debug_token", cast.app_token, input_token=token)
    assert literal.status_code == 200, literal.text


async def test_the_timed_proof_lasts_five_minutes(
    client: httpx.AsyncClient, services: Services, clock: SandboxClock
) -> None:
    cast = await make_cast(services)
    token = await user_token(client, services, cast, cast.admin)
    stamp = int(clock.now())
    timed = make_proof(cast.secret, token, stamp)
    fresh = await graph(client, "GET", "me", token, appsecret_proof=timed, appsecret_time=str(stamp))
    assert fresh.status_code == 200, fresh.text
    clock.advance(301)
    stale = await graph(client, "GET", "me", token, appsecret_proof=timed, appsecret_time=str(stamp))
    assert "appsecret_time" in str(error_of(stale)["message"])
    junk = await graph(client, "GET", "me", token, appsecret_proof=timed, appsecret_time="soon")
    assert error_of(junk)["code"] == 100


async def test_a_proof_made_with_a_reset_secret_is_refused(
    client: httpx.AsyncClient, services: Services
) -> None:
    cast = await make_cast(services)
    token = await user_token(client, services, cast, cast.admin)
    _app, new_secret = await services.world.reset_app_secret(cast.app.id)
    old = await graph(client, "GET", "me", token, appsecret_proof=make_proof(cast.secret, token))
    assert error_of(old)["message"] == "Invalid appsecret_proof provided in the API argument"
    new = await graph(client, "GET", "me", token, appsecret_proof=make_proof(new_secret, token))
    assert new.status_code == 200, new.text
