"""The User node (https://developers.facebook.com/docs/graph-api/reference/user/), ``/{user-id}``
as ``/me`` for the person's own token, and multiple-id reads (``GET /?ids=a,b``)."""

from __future__ import annotations

import httpx
import pytest
from gate_world import Shop, make_shop
from helpers import error_of

from adgate.services.registry import Services
from adgate.services.world.profiles import name_parts

pytestmark = pytest.mark.anyio


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers, accounts=2)


async def test_the_user_node_has_the_public_profile_fields(shop: Shop) -> None:
    token = await shop.token(scopes=())
    fields = "id,name,first_name,middle_name,last_name,short_name,name_format,picture,email"
    body = (await shop.call("GET", "me", token, fields=fields)).json()
    assert body["first_name"] == "Ada"
    assert body["last_name"] == "Admin"
    assert body["short_name"] == "Ada"
    assert body["name_format"] == "{first} {last}"
    assert "middle_name" not in body  # a two-word name has none
    picture = body["picture"]["data"]
    assert picture["is_silhouette"] is True
    assert picture["url"].endswith("/static/silhouette.svg")
    assert "email" not in body  # not granted
    assert (await shop.client.get(picture["url"])).status_code == 200


def test_a_longer_name_has_a_middle_name() -> None:
    assert name_parts("Ada Byron King Lovelace") == {
        "first_name": "Ada",
        "short_name": "Ada",
        "middle_name": "Byron King",
        "last_name": "Lovelace",
        "name_format": "{first} {last}",
    }
    assert name_parts("Cher") == {"first_name": "Cher", "short_name": "Cher", "name_format": "{first}"}


async def test_email_comes_with_the_email_permission(shop: Shop) -> None:
    token = await shop.token(scopes=("email",))
    body = (await shop.call("GET", "me", token, fields="email,first_name")).json()
    assert body == {"id": shop.cast.admin.id, "email": shop.cast.admin.email, "first_name": "Ada"}


async def test_an_unknown_field_on_me_is_a_nonexisting_field(shop: Shop) -> None:
    token = await shop.token(scopes=())
    response = await shop.call("GET", "me", token, fields="id,favourite_colour")
    error = error_of(response)
    assert (response.status_code, error["code"]) == (400, 100)
    assert (
        error["message"] == "(#100) Tried accessing nonexisting field (favourite_colour) on node type (User)"
    )
    # a User field adgate keeps no data for is left out, not refused
    assert (await shop.call("GET", "me", token, fields="id,gender,birthday")).json() == {
        "id": shop.cast.admin.id
    }


async def test_a_user_id_is_me_for_that_persons_own_token(shop: Shop) -> None:
    admin = shop.cast.admin
    token = await shop.token(scopes=("ads_read", "pages_show_list"))
    assert (await shop.call("GET", admin.id, token, fields="id,first_name")).json() == {
        "id": admin.id,
        "first_name": "Ada",
    }
    mine = (await shop.call("GET", f"{admin.id}/adaccounts", token, fields="account_id")).json()
    assert sorted(a["account_id"] for a in mine["data"]) == sorted(shop.accounts)
    assert (await shop.call("GET", f"{admin.id}/accounts", token)).json()["data"] == []


async def test_someone_elses_user_id_stays_refused(shop: Shop) -> None:
    token = await shop.token(scopes=("ads_read",))
    for path in (shop.cast.other.id, f"{shop.cast.other.id}/adaccounts"):
        response = await shop.call("GET", path, token)
        error = error_of(response)
        assert (error["code"], error["error_subcode"]) == (100, 33), path
    app_token = await shop.call("GET", shop.cast.admin.id, shop.cast.app_token)
    assert (error_of(app_token)["code"], error_of(app_token)["error_subcode"]) == (100, 33)


async def test_ids_reads_each_object_with_the_callers_rights(shop: Shop) -> None:
    token = await shop.token()
    first, second = (f"act_{n}" for n in shop.accounts)
    response = await shop.call("GET", "", token, ids=f"{first},{second}", fields="name,account_id")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {first, second}
    assert body[first] == {"name": "Account 0", "account_id": shop.accounts[0], "id": first}
    assert "x-ad-account-usage" in response.headers
    both = (await shop.call("GET", "", token, ids=f'["me","{first}"]', fields="id")).json()
    assert both == {"me": {"id": shop.cast.admin.id}, first: {"id": first}}


async def test_ids_refuses_as_the_single_read_would(shop: Shop) -> None:
    token = await shop.token()
    [theirs] = await shop.new_accounts(1, person=shop.cast.other)
    mine = f"act_{shop.accounts[0]}"
    not_mine = await shop.call("GET", "", token, ids=f"{mine},act_{theirs}")
    alone = await shop.call("GET", f"act_{theirs}", token)
    assert error_of(not_mine)["code"] == error_of(alone)["code"]
    for alias in ("nosuchalias", "debug_token", "oauth"):
        unknown = await shop.call("GET", "", token, ids=f"{mine},{alias}")
        assert (unknown.status_code, error_of(unknown)["code"]) == (404, 803), alias
    no_token = await shop.call("GET", "", None, ids=mine)
    assert error_of(no_token)["code"] == error_of(await shop.call("GET", mine, None))["code"]
    too_many = await shop.call("GET", "", token, ids=",".join(str(n) for n in range(1, 52)))
    assert error_of(too_many)["code"] == 100
