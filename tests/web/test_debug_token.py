"""The access token debugger (docs/graph-facts.md §3; seed, "Check the properties in Access Token
Debugger")."""

from __future__ import annotations

import httpx
import pytest
from helpers import Cast, error_of, graph, make_cast, short_lived_token, user_token

from adgate.clock import SandboxClock
from adgate.policy.tokens import DATA_ACCESS_SECONDS, LONG_LIVED_USER_SECONDS, SHORT_LIVED_USER_SECONDS
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def cast(services: Services) -> Cast:
    return await make_cast(services)


async def debug(client: httpx.AsyncClient, viewer: str, input_token: str) -> dict[str, object]:
    response = await graph(client, "GET", "debug_token", viewer, input_token=input_token)
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()["data"]
    return data


async def test_a_long_lived_user_token_shows_its_app_person_expiry_and_scopes(
    client: httpx.AsyncClient, services: Services, cast: Cast, clock: SandboxClock
) -> None:
    now = int(clock.now())
    token = await user_token(client, services, cast, cast.admin, ("ads_read", "pages_show_list"))
    await services.world.create_page("Shoes")  # a page the person has no role on: not a target
    data = await debug(client, cast.app_token, token)
    assert data == {
        "app_id": cast.app.id,
        "type": "USER",
        "application": "Ads Helper",
        "data_access_expires_at": now + DATA_ACCESS_SECONDS,
        "expires_at": now + LONG_LIVED_USER_SECONDS,
        "is_valid": True,
        "issued_at": now,
        "scopes": ["public_profile", "ads_read", "pages_show_list"],
        "granular_scopes": [{"scope": "pages_show_list", "target_ids": []}],
        "user_id": cast.admin.id,
    }


async def test_a_short_lived_token_has_no_issued_at(
    client: httpx.AsyncClient, services: Services, cast: Cast, clock: SandboxClock
) -> None:
    token = await short_lived_token(services, cast, cast.admin)
    data = await debug(client, cast.app_token, token)
    assert "issued_at" not in data
    assert data["expires_at"] == int(clock.now()) + SHORT_LIVED_USER_SECONDS


async def test_an_expired_token_is_still_200_with_is_valid_false_and_the_error(
    client: httpx.AsyncClient, services: Services, cast: Cast, clock: SandboxClock
) -> None:
    token = await short_lived_token(services, cast, cast.admin)
    clock.advance(SHORT_LIVED_USER_SECONDS)
    data = await debug(client, cast.app_token, token)
    assert data["is_valid"] is False
    error = data["error"]
    assert isinstance(error, dict)
    assert (error["code"], error["subcode"]) == (190, 463)
    assert str(error["message"]).startswith("Error validating access token: Session has expired on ")
    assert data["scopes"] == ["public_profile"]


async def test_a_token_that_was_never_issued_is_invalid_not_an_error(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    for garbage in ("EAAnothing", "x" * 5000, "123|456", "💥"):
        data = await debug(client, cast.app_token, garbage)
        assert data["is_valid"] is False
        assert isinstance(data["error"], dict)
        assert data["error"]["code"] == 190


async def test_the_viewer_may_be_the_app_secret_an_app_token_or_a_developer_of_the_same_app(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    token = await user_token(client, services, cast, cast.admin)
    await services.world.assign_role("app", cast.app.id, cast.other.id, "developer")
    developer = await user_token(client, services, cast, cast.other)
    app_token = (
        await client.get(
            "/v26.0/oauth/access_token",
            params={
                "grant_type": "client_credentials",
                "client_id": cast.app.id,
                "client_secret": cast.secret,
            },
        )
    ).json()["access_token"]
    for viewer in (cast.app_token, app_token, developer, token):
        assert (await debug(client, viewer, token))["is_valid"] is True


async def test_a_tester_or_another_apps_token_may_not_look(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    token = await user_token(client, services, cast, cast.admin)
    await services.world.assign_role("app", cast.app.id, cast.other.id, "tester")
    tester = await user_token(client, services, cast, cast.other)
    refused = await graph(client, "GET", "debug_token", tester, input_token=token)
    assert refused.status_code == 400
    assert "owner or developer of the app" in str(error_of(refused)["message"])
    second = await make_cast(services)
    foreign = await graph(client, "GET", "debug_token", second.app_token, input_token=token)
    assert "did not match the Viewing App" in str(error_of(foreign)["message"])


async def test_the_literal_app_secret_as_input_is_an_app_token(client: httpx.AsyncClient, cast: Cast) -> None:
    data = await debug(client, cast.app_token, cast.app_token)
    assert data == {
        "app_id": cast.app.id,
        "type": "APP",
        "application": "Ads Helper",
        "data_access_expires_at": 0,
        "expires_at": 0,
        "is_valid": True,
        "scopes": [],
    }


async def test_missing_parameters_get_graph_errors(client: httpx.AsyncClient, cast: Cast) -> None:
    no_input = await graph(client, "GET", "debug_token", cast.app_token)
    assert (no_input.status_code, error_of(no_input)["code"]) == (400, 100)
    no_viewer = await client.get("/v26.0/debug_token", params={"input_token": cast.app_token})
    assert error_of(no_viewer)["code"] == 2500
    garbage_viewer = await graph(client, "GET", "debug_token", "garbage", input_token=cast.app_token)
    assert error_of(garbage_viewer)["code"] == 190
