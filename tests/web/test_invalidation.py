"""Every way a token dies, each with its documented code and subcode (docs/graph-facts.md §2, §4.3; seed,
"Store Token").

Driven the way a sandbox user drives them: the clock, and the ``/_sandbox`` control API.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from helpers import Cast, error_of, graph, make_cast, user_token

from adgate import records as r
from adgate.clock import SandboxClock
from adgate.policy.tokens import DATA_ACCESS_SECONDS, LONG_LIVED_USER_SECONDS
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@dataclass
class Tokens:
    cast: Cast
    page: r.Page
    user: str
    page_token: str


@pytest.fixture
async def tokens(client: httpx.AsyncClient, services: Services) -> Tokens:
    cast = await make_cast(services)
    page = await services.world.create_page("Shoes Shop")
    await services.world.assign_role("page", page.id, cast.admin.id, "admin")
    user = await user_token(client, services, cast, cast.admin, ("pages_show_list", "ads_read"))
    page_token = (await graph(client, "GET", page.id, user, fields="access_token")).json()["access_token"]
    return Tokens(cast, page, user, page_token)


async def dies_with(
    client: httpx.AsyncClient, token: str, subcode: int, app_token: str | None = None
) -> None:
    """The token is refused on a call with 190/subcode, and debug_token says the same."""
    response = await graph(client, "GET", "me", token)
    error = error_of(response)
    assert (response.status_code, error["code"], error.get("error_subcode")) == (400, 190, subcode), error
    assert response.headers["www-authenticate"].startswith('OAuth "Facebook Platform" "invalid_token"')
    if app_token is not None:
        data = (await graph(client, "GET", "debug_token", app_token, input_token=token)).json()["data"]
        assert data["is_valid"] is False
        assert (data["error"]["code"], data["error"]["subcode"]) == (190, subcode)


async def lives(client: httpx.AsyncClient, token: str) -> None:
    response = await graph(client, "GET", "me", token)
    assert response.status_code == 200, response.text


async def test_a_user_token_dies_when_it_expires(
    client: httpx.AsyncClient, tokens: Tokens, clock: SandboxClock
) -> None:
    clock.advance(LONG_LIVED_USER_SECONDS - 1)
    await lives(client, tokens.user)
    clock.advance(1)
    await dies_with(client, tokens.user, 463, tokens.cast.app_token)
    await lives(client, tokens.page_token)  # taken with a long-lived token: never expires


async def test_a_password_change_kills_every_user_and_page_token_of_the_person(
    client: httpx.AsyncClient, tokens: Tokens, admin_headers: dict[str, str]
) -> None:
    changed = await client.post(
        f"/_sandbox/people/{tokens.cast.admin.id}/password",
        json={"password": "a new password!"},
        headers=admin_headers,
    )
    assert changed.status_code == 200, changed.text
    await dies_with(client, tokens.user, 460, tokens.cast.app_token)
    await dies_with(client, tokens.page_token, 460, tokens.cast.app_token)


async def test_a_log_out_kills_the_persons_tokens(
    client: httpx.AsyncClient, tokens: Tokens, admin_headers: dict[str, str]
) -> None:
    out = await client.post(f"/_sandbox/people/{tokens.cast.admin.id}/logout", headers=admin_headers)
    assert out.status_code == 200, out.text
    await dies_with(client, tokens.user, 467, tokens.cast.app_token)
    await dies_with(client, tokens.page_token, 467)


async def test_de_authorizing_the_app_kills_user_and_page_tokens(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    assert (await graph(client, "DELETE", "me/permissions", tokens.user)).json() == {"success": True}
    await dies_with(client, tokens.user, 458, tokens.cast.app_token)
    await dies_with(client, tokens.page_token, 458)


async def test_data_access_expires_ninety_days_after_the_last_login(
    client: httpx.AsyncClient, tokens: Tokens, clock: SandboxClock
) -> None:
    cast = tokens.cast
    clock.advance(50 * 86400)
    extended = await client.get(
        "/v26.0/oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": cast.app.id,
            "client_secret": cast.secret,
            "fb_exchange_token": tokens.user,
        },
    )
    fresh = extended.json()["access_token"]  # good for 60 more days, but data access ends at 90
    clock.advance(DATA_ACCESS_SECONDS - 50 * 86400 - 1)
    await lives(client, fresh)
    clock.advance(1)
    await dies_with(client, fresh, 493, cast.app_token)
    await lives(client, tokens.page_token)  # the 90-day rule is for user tokens (adgate's reading)


async def test_removing_the_page_role_kills_the_page_token(
    client: httpx.AsyncClient, tokens: Tokens, admin_headers: dict[str, str]
) -> None:
    role = {"kind": "page", "object_id": tokens.page.id, "person_id": tokens.cast.admin.id}
    removed = await client.request("DELETE", "/_sandbox/roles", json=role, headers=admin_headers)
    assert removed.json() == {"success": True}
    await dies_with(client, tokens.page_token, 492, tokens.cast.app_token)
    await lives(client, tokens.user)


async def test_a_page_role_too_weak_to_act_for_the_page_kills_the_page_token(
    client: httpx.AsyncClient, tokens: Tokens, admin_headers: dict[str, str]
) -> None:
    role = {"kind": "page", "object_id": tokens.page.id, "person_id": tokens.cast.admin.id, "role": "analyst"}
    assert (await client.post("/_sandbox/roles", json=role, headers=admin_headers)).status_code == 200
    await dies_with(client, tokens.page_token, 492)


async def test_an_app_secret_reset_kills_app_tokens_and_the_old_secret(
    client: httpx.AsyncClient, tokens: Tokens, admin_headers: dict[str, str]
) -> None:
    cast = tokens.cast
    issued = await client.get(
        "/v26.0/oauth/access_token",
        params={"grant_type": "client_credentials", "client_id": cast.app.id, "client_secret": cast.secret},
    )
    app_token = issued.json()["access_token"]
    reset = await client.post(f"/_sandbox/apps/{cast.app.id}/secret", headers=admin_headers)
    new_literal = f"{cast.app.id}|{reset.json()['secret']}"
    data = (await graph(client, "GET", "debug_token", new_literal, input_token=app_token)).json()["data"]
    assert data["is_valid"] is False
    assert (data["error"]["code"], data["error"]["subcode"]) == (190, 467)
    old_literal = await graph(client, "GET", "debug_token", cast.app_token, input_token=new_literal)
    assert error_of(old_literal)["code"] == 190
    await lives(client, tokens.user)  # user tokens do not depend on the app secret
