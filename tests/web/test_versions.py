"""Version prefixes (https://developers.facebook.com/docs/graph-api/guides/versioning): a retired
version is answered as the oldest one served, except by the Marketing API, which refuses it with
2635; every answer names its version in ``facebook-api-version``."""

from __future__ import annotations

import httpx
import pytest
from helpers import Cast, error_of, make_cast, user_token

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def cast(services: Services) -> Cast:
    return await make_cast(services)


@pytest.mark.parametrize("version", ["v2.8", "v3.1", "v3.2", "v12.0", "v19.0"])
async def test_a_retired_version_is_answered_as_the_oldest_served(
    client: httpx.AsyncClient, services: Services, cast: Cast, version: str
) -> None:
    token = await user_token(client, services, cast, cast.admin)
    response = await client.get(f"/{version}/me", params={"access_token": token})
    assert response.status_code == 200, response.text
    assert response.json() == {"id": cast.admin.id, "name": "Ada Admin"}
    assert response.headers["facebook-api-version"] == "v20.0"
    debug = await client.get(
        f"/{version}/debug_token", params={"input_token": token, "access_token": cast.app_token}
    )
    assert debug.json()["data"]["is_valid"] is True


@pytest.mark.parametrize("path", ["me/adaccounts", "act_1/campaigns", "act_1/"])
async def test_the_ads_api_refuses_a_retired_version_with_2635(
    client: httpx.AsyncClient, services: Services, cast: Cast, path: str
) -> None:
    token = await user_token(client, services, cast, cast.admin, ("ads_read",))
    response = await client.get(f"/v3.1/{path}", params={"access_token": token})
    error = error_of(response)
    assert (response.status_code, error["code"]) == (400, 2635)
    assert "v26.0" in str(error["message"])
    assert error["fbtrace_id"] == response.headers["x-fb-trace-id"]


async def test_the_header_names_the_version_that_answered(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v24.0/")).headers["facebook-api-version"] == "v24.0"
    assert (await client.get("/")).headers["facebook-api-version"] == "v20.0"
    refused = await client.get("/v24.0/me")
    assert refused.status_code == 400
    assert refused.headers["facebook-api-version"] == "v24.0"


async def test_a_version_that_does_not_exist_yet_is_an_unknown_path(client: httpx.AsyncClient) -> None:
    response = await client.get("/v27.0/me")
    assert (response.status_code, error_of(response)["code"]) == (400, 2500)


async def test_the_dialog_at_a_retired_version_shows_the_login_page(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    page = await client.get(
        "/v3.1/dialog/oauth",
        params={"client_id": cast.app.id, "redirect_uri": "https://app.example/callback"},
    )
    assert page.status_code == 200, page.text
    assert 'id="login-form"' in page.text
    assert 'action="/v3.1/dialog/oauth/login' in page.text
