"""The token endpoint: code exchange, fb_exchange_token, client_credentials (docs/graph-facts.md
§1.2-§1.4)."""

from __future__ import annotations

import base64

import httpx
import pytest
from helpers import CALLBACK, Cast, error_of, exchange, graph, login, make_cast, short_lived_token

from adgate.clock import SandboxClock
from adgate.policy.tokens import CODE_SECONDS, LONG_LIVED_USER_SECONDS
from adgate.protocol.pkce import s256
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


@pytest.fixture
async def cast(services: Services) -> Cast:
    return await make_cast(services)


def assert_oauth_error(response: httpx.Response, code: int, fragment: str) -> None:
    assert response.status_code in (400, 401, 403), response.text
    error = error_of(response)
    assert error["code"] == code, error
    assert fragment in str(error["message"]), error
    assert response.headers["cache-control"] == "no-store"


# --- authorization_code ---------------------------------------------------------------------------
async def test_the_server_side_flow_gives_a_long_lived_bearer_token_without_scope(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    code = await login(services, cast.app, cast.admin, ("ads_read",))
    response = await exchange(client, cast, code)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == LONG_LIVED_USER_SECONDS > 5_000_000
    assert response.headers["cache-control"] == "no-store"
    me = await client.get("/v26.0/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"id": cast.admin.id, "name": cast.admin.name}


async def test_credentials_may_come_in_a_form_body_or_as_http_basic(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    form = {
        "grant_type": "authorization_code",
        "client_id": cast.app.id,
        "client_secret": cast.secret,
        "redirect_uri": CALLBACK,
        "code": await login(services, cast.app, cast.admin),
    }
    assert (await client.post("/v26.0/oauth/access_token", data=form)).status_code == 200
    basic = base64.b64encode(f"{cast.app.id}:{cast.secret}".encode()).decode()
    body = {"grant_type": "authorization_code", "redirect_uri": CALLBACK}
    body["code"] = await login(services, cast.app, cast.admin)
    response = await client.post(
        "/v26.0/oauth/access_token", data=body, headers={"Authorization": f"Basic {basic}"}
    )
    assert response.status_code == 200, response.text


async def test_the_unversioned_path_is_the_same_endpoint(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    code = await login(services, cast.app, cast.admin)
    params = {"client_id": cast.app.id, "client_secret": cast.secret, "redirect_uri": CALLBACK, "code": code}
    response = await client.get("/oauth/access_token", params=params)
    assert response.status_code == 200, response.text


async def test_the_redirect_uri_must_be_identical_even_to_the_trailing_slash(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    code = await login(services, cast.app, cast.admin)
    for wrong in (CALLBACK + "/", "https://evil.example/callback", ""):
        response = await exchange(client, cast, code, redirect_uri=wrong)
        assert_oauth_error(response, 100, "redirect_uri is identical")
        assert response.headers["www-authenticate"].startswith('OAuth "Facebook Platform" "invalid_code"')
    # A failed attempt does not burn the code for its rightful owner.
    assert (await exchange(client, cast, code)).status_code == 200


async def test_a_replayed_code_revokes_the_tokens_issued_from_it(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    code = await login(services, cast.app, cast.admin, ("pages_show_list",))
    token = (await exchange(client, cast, code)).json()["access_token"]
    extended = await client.get(
        "/v26.0/oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": cast.app.id,
            "client_secret": cast.secret,
            "fb_exchange_token": token,
        },
    )
    assert (await graph(client, "GET", "me", token)).status_code == 200
    replay = await exchange(client, cast, code)
    assert_oauth_error(replay, 100, "This authorization code has been used.")
    for dead in (token, extended.json()["access_token"]):
        error = error_of(await graph(client, "GET", "me", dead))
        assert (error["code"], error["error_subcode"]) == (190, 466)


async def test_a_code_expires_after_ten_minutes(
    client: httpx.AsyncClient, services: Services, cast: Cast, clock: SandboxClock
) -> None:
    code = await login(services, cast.app, cast.admin)
    clock.advance(CODE_SECONDS)
    assert_oauth_error(await exchange(client, cast, code), 100, "This authorization code has expired.")


async def test_a_code_is_bound_to_the_app_it_was_issued_to(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    second = await make_cast(services)
    code = await login(services, second.app, second.admin)
    assert_oauth_error(await exchange(client, cast, code), 100, "Invalid verification code")
    assert_oauth_error(await exchange(client, cast, "AQ-garbage"), 100, "Invalid verification code")


async def test_a_code_refused_to_another_app_or_when_expired_is_left_as_it_was(
    client: httpx.AsyncClient, services: Services, cast: Cast, clock: SandboxClock
) -> None:
    # The exchange marks the code used in its first statement; a refusal rolls the mark back.
    second = await make_cast(services)
    code = await login(services, second.app, second.admin)
    assert_oauth_error(await exchange(client, cast, code), 100, "Invalid verification code")
    assert (await exchange(client, second, code)).status_code == 200
    late = await login(services, cast.app, cast.admin)
    clock.advance(CODE_SECONDS)
    for _ in range(2):  # still expired, not "used"
        assert_oauth_error(await exchange(client, cast, late), 100, "This authorization code has expired.")


async def test_a_code_made_before_a_password_change_cannot_be_exchanged(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    code = await login(services, cast.app, cast.admin)
    await services.world.change_password(cast.admin.id, "a brand new password")
    assert_oauth_error(await exchange(client, cast, code), 100, "expired")


async def test_pkce_s256_is_verified_when_the_code_carries_a_challenge(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    challenge = s256(VERIFIER)
    code = await login(services, cast.app, cast.admin, code_challenge=challenge, code_challenge_method="S256")
    assert_oauth_error(await exchange(client, cast, code), 100, "code verifier")
    wrong = VERIFIER[:-1] + ("A" if VERIFIER[-1] != "A" else "B")
    assert_oauth_error(await exchange(client, cast, code, code_verifier=wrong), 100, "code verifier")
    assert (await exchange(client, cast, code, code_verifier=VERIFIER)).status_code == 200


async def test_pkce_plain_and_no_downgrade(client: httpx.AsyncClient, services: Services, cast: Cast) -> None:
    code = await login(services, cast.app, cast.admin, code_challenge=VERIFIER, code_challenge_method="plain")
    assert (await exchange(client, cast, code, code_verifier=VERIFIER)).status_code == 200
    plain = await login(services, cast.app, cast.admin)
    assert_oauth_error(await exchange(client, cast, plain, code_verifier=VERIFIER), 100, "code verifier")


# --- client authentication -----------------------------------------------------------------------
async def test_client_credentials_are_checked_first(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    code = await login(services, cast.app, cast.admin)
    base = {"redirect_uri": CALLBACK, "code": code}
    cases = [
        ({"client_secret": cast.secret}, 100, "Missing client_id", "invalid_request"),
        ({"client_id": "abc", "client_secret": cast.secret}, 101, "Invalid application ID", "invalid_client"),
        (
            {"client_id": "123456789012345", "client_secret": cast.secret},
            101,
            "Invalid application",
            "invalid_client",
        ),
        ({"client_id": cast.app.id}, 100, "Missing client_secret", "invalid_request"),
        (
            {"client_id": cast.app.id, "client_secret": "0" * 32},
            1,
            "Error validating client secret",
            "invalid_client",
        ),
    ]
    for credentials, code_number, message, challenge in cases:
        response = await client.get("/v26.0/oauth/access_token", params={**base, **credentials})
        assert_oauth_error(response, code_number, message)
        assert f'"{challenge}"' in response.headers["www-authenticate"]
    assert (await exchange(client, cast, code)).status_code == 200


async def test_bad_requests_get_an_envelope_never_a_500(client: httpx.AsyncClient, cast: Cast) -> None:
    creds = {"client_id": cast.app.id, "client_secret": cast.secret}
    cases = [
        ({}, 100, "Missing code"),
        ({**creds, "grant_type": "password"}, 100, "Unsupported grant_type"),
        ({**creds, "grant_type": "authorization_code"}, 100, "Missing code"),
        ({**creds, "grant_type": "fb_exchange_token"}, 100, "Missing fb_exchange_token"),
    ]
    for params, code_number, message in cases:
        assert_oauth_error(await client.get("/v26.0/oauth/access_token", params=params), code_number, message)
    bad_basic = await client.post(
        "/v26.0/oauth/access_token", data={"code": "x"}, headers={"Authorization": "Basic !!!"}
    )
    assert_oauth_error(bad_basic, 100, "HTTP Basic")


# --- fb_exchange_token ----------------------------------------------------------------------------
def exchange_params(cast: Cast, token: str) -> dict[str, str]:
    return {
        "grant_type": "fb_exchange_token",
        "client_id": cast.app.id,
        "client_secret": cast.secret,
        "fb_exchange_token": token,
    }


async def test_a_short_lived_token_is_extended_to_a_new_long_lived_one(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    short = await short_lived_token(services, cast, cast.admin, ("ads_read",))
    response = await client.get("/v26.0/oauth/access_token", params=exchange_params(cast, short))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == LONG_LIVED_USER_SECONDS
    assert body["access_token"] != short
    debug = await graph(client, "GET", "debug_token", cast.app_token, input_token=body["access_token"])
    assert debug.json()["data"]["scopes"] == ["public_profile", "ads_read"]


async def test_an_expired_token_cannot_be_exchanged(
    client: httpx.AsyncClient, services: Services, cast: Cast, clock: SandboxClock
) -> None:
    short = await short_lived_token(services, cast, cast.admin)
    clock.advance(3 * 3600)
    response = await client.get("/v26.0/oauth/access_token", params=exchange_params(cast, short))
    error = error_of(response)
    assert (error["code"], error["error_subcode"]) == (190, 463)


async def test_only_a_user_token_of_the_same_app_can_be_exchanged(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    other = await make_cast(services)
    foreign = await short_lived_token(services, other, other.admin)
    for token in (foreign, "EAAnope"):
        response = await client.get("/v26.0/oauth/access_token", params=exchange_params(cast, token))
        assert error_of(response)["code"] == 190
    app_literal = await client.get("/v26.0/oauth/access_token", params=exchange_params(cast, cast.app_token))
    assert error_of(app_literal)["code"] == 100


# --- client_credentials ---------------------------------------------------------------------------
async def test_client_credentials_give_an_app_token_that_does_not_expire(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    params = {"grant_type": "client_credentials", "client_id": cast.app.id, "client_secret": cast.secret}
    response = await client.get("/v26.0/oauth/access_token", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type"}
    assert body["access_token"].startswith(f"{cast.app.id}|")
    debug = await graph(client, "GET", "debug_token", body["access_token"], input_token=body["access_token"])
    data = debug.json()["data"]
    assert (data["type"], data["expires_at"], data["is_valid"]) == ("APP", 0, True)
