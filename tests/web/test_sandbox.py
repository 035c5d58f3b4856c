"""The sandbox control API: guarded by the admin key, validated, Graph envelopes for errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from adgate.services.world.demo import create_demo

pytestmark = pytest.mark.anyio


async def test_a_missing_or_wrong_admin_key_gets_401_with_an_envelope(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        response = await client.get("/_sandbox/world", headers=headers)
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == 190
        assert "admin key" in error["message"]
        assert error["fbtrace_id"]


async def test_the_demo_world_is_seeded_once(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    first = (await client.post("/_sandbox/demo", headers=admin_headers)).json()
    second = (await client.post("/_sandbox/demo", headers=admin_headers)).json()
    assert first == second
    assert len(first["people"]) == 4
    assert len(first["ad_accounts"]) == 3
    assert all(a["id"] == f"act_{a['account_id']}" for a in first["ad_accounts"])
    assert first["app"]["access_level"] == "development"
    assert len(first["app"]["secret"]) == 32
    world = (await client.get("/_sandbox/world", headers=admin_headers)).json()
    assert {p["email"] for p in world["people"]} == {p["email"] for p in first["people"]}
    assert all("password_hash" not in p for p in world["people"])
    assert all("secret_encrypted" not in a and "secret" not in a for a in world["apps"])


async def test_people_businesses_accounts_pages_apps_and_roles_are_created(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    post: Callable[[str, dict[str, Any]], Awaitable[httpx.Response]] = lambda path, body: client.post(  # noqa: E731
        path, json=body, headers=admin_headers
    )
    person = (
        await post(
            "/_sandbox/people", {"name": "Dana", "email": "Dana@Example.com", "password": "longenough"}
        )
    ).json()
    assert person["email"] == "dana@example.com"
    business = (await post("/_sandbox/businesses", {"name": "Biz", "admin_id": person["id"]})).json()
    account = (await post("/_sandbox/ad_accounts", {"name": "Acct", "business_id": business["id"]})).json()
    assert account["node"] == f"act_{account['id']}"
    page = (await post("/_sandbox/pages", {"name": "Page", "category": "Brand"})).json()
    app = (
        await post(
            "/_sandbox/apps",
            {
                "name": "App",
                "admin_id": person["id"],
                "site_url": "https://app.example/",
                "redirect_uris": ["https://app.example/cb"],
            },
        )
    ).json()
    assert app["access_level"] == "development"
    assert app["redirect_uris"] == ["https://app.example/cb"]
    for kind, object_id, role in (("ad_account", account["id"], "advertiser"), ("page", page["id"], "admin")):
        response = await post(
            "/_sandbox/roles", {"kind": kind, "object_id": object_id, "person_id": person["id"], "role": role}
        )
        assert response.status_code == 200, response.text
    level = await post(f"/_sandbox/apps/{app['id']}/access_level", {"level": "basic"})
    assert level.json()["access_level"] == "basic"
    world = (await client.get("/_sandbox/world", headers=admin_headers)).json()
    assert {r["kind"] for r in world["roles"]} == {"business", "ad_account", "page", "app"}


async def test_a_new_app_starts_at_development_whatever_its_owners_other_apps_have(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    first = (await client.post("/_sandbox/apps", json={"name": "One"}, headers=admin_headers)).json()
    await client.post(
        f"/_sandbox/apps/{first['id']}/access_level", json={"level": "standard"}, headers=admin_headers
    )
    second = (await client.post("/_sandbox/apps", json={"name": "Two"}, headers=admin_headers)).json()
    assert second["access_level"] == "development"


@pytest.mark.parametrize(
    ("path", "body", "fragment"),
    [
        ("/_sandbox/people", {"name": "X", "email": "not-an-email", "password": "longenough"}, "e-mail"),
        ("/_sandbox/people", {"name": "X", "email": "x@example.com", "password": "short"}, "8 to 1024"),
        ("/_sandbox/people", {"name": "", "email": "x@example.com", "password": "longenough"}, "name"),
        ("/_sandbox/people", {"name": 5, "email": "x@example.com", "password": "longenough"}, "name"),
        ("/_sandbox/ad_accounts", {"name": "A", "currency": "dollars"}, "ISO 4217"),
        ("/_sandbox/ad_accounts", {"name": "A", "id": "act_123"}, "numeric"),
        ("/_sandbox/ad_accounts", {"name": "A", "business_id": "999999"}, "999999"),
        ("/_sandbox/apps", {"name": "A", "site_url": "http://example.com"}, "trailing /"),
        ("/_sandbox/apps", {"name": "A", "redirect_uris": ["ftp://x/"]}, "http"),
        ("/_sandbox/apps", {"name": "A", "redirect_uris": "https://x/"}, "array"),
        ("/_sandbox/apps", {"name": "A", "mode": "production"}, "mode"),
        ("/_sandbox/roles", {"kind": "galaxy", "object_id": "1", "person_id": "2", "role": "x"}, "kind"),
        ("/_sandbox/clock", {"advance": -5}, "forward"),
        ("/_sandbox/clock", {"advance": "soon"}, "number"),
        ("/_sandbox/clock", {}, "set"),
        ("/_sandbox/tokens", {"kind": "robot"}, "user, page or system_user"),
        ("/_sandbox/tokens", {"app_id": "1", "person_id": "2", "scopes": "ads_read"}, "array"),
        (
            "/_sandbox/tokens",
            {"app_id": "1", "person_id": "2", "scopes": ["ads_everything"]},
            "ads_everything",
        ),
        ("/_sandbox/tokens", {"kind": "system_user", "app_id": "1", "system_user_id": "2"}, "at least one"),
        ("/_sandbox/tokens", {"kind": "page", "app_id": "1", "person_id": "2"}, "page_id"),
    ],
)
async def test_bad_input_gets_a_4xx_envelope_that_says_what_is_wrong(
    client: httpx.AsyncClient, admin_headers: dict[str, str], path: str, body: object, fragment: str
) -> None:
    response = await client.post(path, json=body, headers=admin_headers)
    assert 400 <= response.status_code < 500
    error = response.json()["error"]
    assert fragment in error["message"]
    assert "Traceback" not in response.text


async def test_malformed_json_and_unknown_ids_are_4xx(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    bad_json = await client.post("/_sandbox/people", content=b"{not json", headers=admin_headers)
    assert bad_json.status_code == 400
    assert "JSON" in bad_json.json()["error"]["message"]
    not_object = await client.post("/_sandbox/people", content=b"[1,2]", headers=admin_headers)
    assert not_object.status_code == 400
    missing = await client.post(
        "/_sandbox/people/12345/password", json={"password": "longenough"}, headers=admin_headers
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == 803
    level = await client.post(
        "/_sandbox/apps/12345/access_level", json={"level": "platinum"}, headers=admin_headers
    )
    assert level.status_code == 400
    assert "development, basic, standard" in level.json()["error"]["message"]


async def test_a_duplicate_email_is_a_conflict(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    body = {"name": "Eve", "email": "eve@example.com", "password": "longenough"}
    assert (await client.post("/_sandbox/people", json=body, headers=admin_headers)).status_code == 200
    again = await client.post("/_sandbox/people", json=body, headers=admin_headers)
    assert again.status_code == 409
    assert "already exists" in again.json()["error"]["message"]


async def test_the_clock_moves_forward_and_is_kept(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    before = (await client.get("/_sandbox/clock", headers=admin_headers)).json()["now"]
    after = (await client.post("/_sandbox/clock", json={"advance": 60 * 86400}, headers=admin_headers)).json()
    assert after["now"] - before == 60 * 86400
    target = (await client.post("/_sandbox/clock", json={"set": 2_000_000_000}, headers=admin_headers)).json()
    assert target["now"] == 2_000_000_000


async def test_reset_empties_the_world(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> None:
    await client.post("/_sandbox/demo", headers=admin_headers)
    assert (await client.post("/_sandbox/reset", headers=admin_headers)).json() == {"success": True}
    world = (await client.get("/_sandbox/world", headers=admin_headers)).json()
    assert world["people"] == [] and world["apps"] == []


async def test_a_password_change_and_logout_bump_the_epochs(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    person = (
        await client.post(
            "/_sandbox/people",
            json={"name": "F", "email": "f@example.com", "password": "longenough"},
            headers=admin_headers,
        )
    ).json()
    changed = (
        await client.post(
            f"/_sandbox/people/{person['id']}/password",
            json={"password": "another-one"},
            headers=admin_headers,
        )
    ).json()
    assert changed["password_epoch"] == 1
    out = (await client.post(f"/_sandbox/people/{person['id']}/logout", headers=admin_headers)).json()
    assert out["session_epoch"] == 1


async def test_the_demo_has_a_reviewer_a_system_user_and_the_callbacks_the_readme_uses(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    demo = (await client.post("/_sandbox/demo", headers=admin_headers)).json()
    world = (await client.get("/_sandbox/world", headers=admin_headers)).json()
    reviewers = [p["email"] for p in world["people"] if p["is_reviewer"]]
    assert reviewers == ["rita@demo.adgate.test"]
    assert [(u["name"], u["role"]) for u in demo["system_users"]] == [("Demo Bot", "ADMIN")]
    assert demo["app"]["redirect_uris"] == [
        "http://localhost:8000/callback",
        "http://adgate.test/console/tools/explorer/callback",
    ]
    explorer = await client.get("/console/tools/explorer/callback")
    assert explorer.status_code != 404, explorer.text  # the registered address is the explorer's own callback
    # The first ad account and page are Alice's (the README's AD_ACCOUNT_ID and PAGE_ID).
    assert demo["ad_accounts"][0]["name"] == "Demo Shoes" and demo["pages"][0]["name"] == "Demo Shoes Page"


async def test_a_demo_seeded_without_the_reviewer_and_the_callback_gets_them(
    client: httpx.AsyncClient, admin_headers: dict[str, str], app: Starlette
) -> None:
    """A data directory seeded by an earlier version: the next start completes it, once."""
    services = app.state.services
    await create_demo(services.world)
    before = (await client.get("/_sandbox/world", headers=admin_headers)).json()
    assert len(before["people"]) == 3 and before["apps"][0]["redirect_uris"] == [
        "http://localhost:8000/callback"
    ]
    await client.post("/_sandbox/demo", headers=admin_headers)
    again = (await client.post("/_sandbox/demo", headers=admin_headers)).json()
    assert len(again["people"]) == 4 and len(again["system_users"]) == 1
    assert len(again["app"]["redirect_uris"]) == 2


async def _mint(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, object]
) -> httpx.Response:
    return await client.post("/_sandbox/tokens", json=body, headers=headers)


async def _debug(client: httpx.AsyncClient, demo: dict[str, Any], token: str) -> dict[str, Any]:
    app_token = f"{demo['app']['id']}|{demo['app']['secret']}"
    answer = await client.get("/v26.0/debug_token", params={"input_token": token, "access_token": app_token})
    data: dict[str, Any] = answer.json()["data"]
    return data


async def test_a_minted_system_user_token_installs_the_app_and_never_expires(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    demo = (await client.post("/_sandbox/demo", headers=admin_headers)).json()
    bot = demo["system_users"][0]["id"]
    body = {"kind": "system_user", "app_id": demo["app"]["id"], "system_user_id": bot, "scopes": ["ads_read"]}
    minted = (await _mint(client, admin_headers, body)).json()
    assert set(minted) == {"access_token", "token_type"}
    debug = await _debug(client, demo, minted["access_token"])
    assert (debug["type"], debug["expires_at"], debug["scopes"]) == ("SYSTEM_USER", 0, ["ads_read"])
    # An admin system user reads every ad account of its business.
    shoes = demo["ad_accounts"][0]["id"]
    read = await client.get(
        f"/v26.0/{shoes}", params={"fields": "name", "access_token": minted["access_token"]}
    )
    assert read.status_code == 200 and read.json()["name"] == "Demo Shoes"
    sixty = (await _mint(client, admin_headers, {**body, "set_token_expires_in_60_days": True})).json()
    assert sixty["expires_in"] == 60 * 86400
    unknown = await _mint(client, admin_headers, {**body, "system_user_id": "123456789012345"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == 803


async def test_a_minted_page_token_grants_the_scopes_asked_first(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    demo = (await client.post("/_sandbox/demo", headers=admin_headers)).json()
    alice = demo["people"][0]["id"]
    body = {
        "kind": "page",
        "app_id": demo["app"]["id"],
        "person_id": alice,
        "page_id": demo["pages"][0]["id"],
        "scopes": ["pages_show_list"],
    }
    minted = (await _mint(client, admin_headers, body)).json()
    debug = await _debug(client, demo, minted["access_token"])
    assert debug["type"] == "PAGE" and debug["expires_at"] == 0
    assert "pages_show_list" in debug["scopes"]
    short = (await _mint(client, admin_headers, {**body, "long_lived": False})).json()
    assert short["expires_in"] == 3600
