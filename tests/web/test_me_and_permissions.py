"""``/me`` and the permissions edge (docs/graph-facts.md §6; seed, "Store Token": "the user revokes
permissions")."""

from __future__ import annotations

import httpx
import pytest
from helpers import Cast, error_of, graph, login, make_cast, user_token

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def cast(services: Services) -> Cast:
    return await make_cast(services)


async def test_me_is_the_person_with_email_only_when_asked_and_granted(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    plain = await user_token(client, services, cast, cast.admin)
    assert (await graph(client, "GET", "me", plain)).json() == {"id": cast.admin.id, "name": "Ada Admin"}
    assert (await graph(client, "GET", "me", plain, fields="email")).json() == {"id": cast.admin.id}
    with_email = await user_token(client, services, cast, cast.admin, ("email",))
    body = (await graph(client, "GET", "me/", with_email, fields="id,email")).json()
    assert body == {"id": cast.admin.id, "email": cast.admin.email}


async def test_an_app_token_has_no_me(client: httpx.AsyncClient, cast: Cast) -> None:
    response = await graph(client, "GET", "me", cast.app_token)
    assert (response.status_code, error_of(response)["code"]) == (400, 2500)


async def test_me_permissions_lists_granted_and_declined(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    code = await login(services, cast.app, cast.admin, ("ads_read",), declined=("ads_management",))
    token = (
        await client.get(
            "/v26.0/oauth/access_token",
            params={
                "client_id": cast.app.id,
                "client_secret": cast.secret,
                "redirect_uri": "https://app.example/callback",
                "code": code,
            },
        )
    ).json()["access_token"]
    listed = (await graph(client, "GET", "me/permissions", token)).json()["data"]
    assert sorted(listed, key=lambda p: p["permission"]) == [
        {"permission": "ads_management", "status": "declined"},
        {"permission": "ads_read", "status": "granted"},
        {"permission": "public_profile", "status": "granted"},
    ]
    one = await graph(client, "GET", "me/permissions/ads_read", token)
    assert one.json() == {"data": [{"permission": "ads_read", "status": "granted"}]}
    by_id = await graph(client, "GET", f"{cast.admin.id}/permissions/ads_read", cast.app_token)
    assert by_id.json() == one.json()


async def test_revoking_one_permission_takes_effect_on_existing_tokens(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    token = await user_token(client, services, cast, cast.admin, ("pages_show_list", "ads_read"))
    assert (await graph(client, "GET", "me/accounts", token)).status_code == 200
    deleted = await graph(client, "DELETE", "me/permissions/pages_show_list", token)
    assert deleted.json() == {"success": True}
    refused = await graph(client, "GET", "me/accounts", token)
    assert (refused.status_code, error_of(refused)["code"]) == (403, 200)
    status = (await graph(client, "GET", "me/permissions/pages_show_list", token)).json()["data"]
    assert status == [{"permission": "pages_show_list", "status": "declined"}]
    debug = await graph(client, "GET", "debug_token", cast.app_token, input_token=token)
    assert debug.json()["data"]["scopes"] == ["public_profile", "ads_read"]


async def test_deleting_all_permissions_de_authorizes_the_app_and_kills_its_tokens(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    token = await user_token(client, services, cast, cast.admin, ("ads_read",))
    other = await user_token(client, services, cast, cast.admin)
    assert (await graph(client, "DELETE", "me/permissions", token)).json() == {"success": True}
    for dead in (token, other):
        error = error_of(await graph(client, "GET", "me", dead))
        assert (error["code"], error["error_subcode"]) == (190, 458)
        assert cast.app.id in str(error["message"])
    # Logging in again authorizes afresh; the old tokens stay dead.
    fresh = await user_token(client, services, cast, cast.admin)
    assert (await graph(client, "GET", "me", fresh)).status_code == 200
    assert error_of(await graph(client, "GET", "me", token))["error_subcode"] == 458


async def test_the_app_can_de_authorize_a_person_with_its_app_token(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    token = await user_token(client, services, cast, cast.admin)
    response = await graph(client, "DELETE", f"{cast.admin.id}/permissions", cast.app_token)
    assert response.json() == {"success": True}
    assert error_of(await graph(client, "GET", "me", token))["error_subcode"] == 458
    assert (await graph(client, "GET", "me/permissions", cast.app_token)).status_code == 400


async def test_a_person_cannot_read_or_revoke_someone_elses_permissions(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    token = await user_token(client, services, cast, cast.admin)
    await services.world.assign_role("app", cast.app.id, cast.other.id, "tester")
    victim = await user_token(client, services, cast, cast.other)
    for method in ("GET", "DELETE"):
        response = await graph(client, method, f"{cast.other.id}/permissions", token)
        assert (response.status_code, error_of(response)["code"]) == (400, 100)
    assert (await graph(client, "GET", "me", victim)).status_code == 200


async def test_bad_permission_paths_get_graph_errors(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    token = await user_token(client, services, cast, cast.admin)
    cases = [
        ("DELETE", "me/permissions/not_a_permission", 100),
        ("DELETE", "me/permissions/public_profile", 100),
        ("GET", "me/permissions/a/b", 2500),
        ("GET", "me/nothing_here", 2500),
        ("GET", "not-an-id/permissions", 803),
        ("GET", "99999999999/permissions", 100),
    ]
    for method, path, code in cases:
        response = await graph(client, method, path, token)
        assert 400 <= response.status_code < 500, (path, response.text)
        assert error_of(response)["code"] == code, (path, response.text)
