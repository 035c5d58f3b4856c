"""Page tokens (seed, "Get Permanent Page Access Token"; docs/graph-facts.md §2, §6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from helpers import Cast, error_of, graph, make_cast, short_lived_token, user_token

from adgate import records as r
from adgate.clock import SandboxClock
from adgate.policy.tokens import LONG_LIVED_USER_SECONDS, SHORT_PAGE_SECONDS
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@dataclass
class Pages:
    cast: Cast
    shop: r.Page
    blog: r.Page
    stats: r.Page  # the admin is only an analyst here: no page token


@pytest.fixture
async def pages(services: Services) -> Pages:
    cast = await make_cast(services)
    world = services.world
    shop = await world.create_page("Shoes Shop", category="Shopping & Retail")
    blog = await world.create_page("Shoe Blog")
    stats = await world.create_page("Stats Page")
    await world.assign_role("page", shop.id, cast.admin.id, "admin")
    await world.assign_role("page", blog.id, cast.admin.id, "editor")
    await world.assign_role("page", stats.id, cast.admin.id, "analyst")
    return Pages(cast, shop, blog, stats)


async def accounts(client: httpx.AsyncClient, token: str, **params: str) -> dict[str, Any]:
    response = await graph(client, "GET", "me/accounts", token, **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_me_accounts_lists_the_pages_a_person_can_act_for_each_with_a_token(
    client: httpx.AsyncClient, services: Services, pages: Pages
) -> None:
    token = await user_token(client, services, pages.cast, pages.cast.admin, ("pages_show_list",))
    body = await accounts(client, token)
    data = body["data"]
    assert {p["id"] for p in data} == {pages.shop.id, pages.blog.id}
    shop = next(p for p in data if p["id"] == pages.shop.id)
    assert shop["name"] == "Shoes Shop"
    assert shop["category"] == "Shopping & Retail"
    assert "MANAGE" in shop["tasks"]
    assert shop["access_token"] not in (
        token,
        next(p for p in data if p["id"] == pages.blog.id)["access_token"],
    )
    assert set(body["paging"]["cursors"]) == {"before", "after"}
    assert "next" not in body["paging"]
    names_only = await accounts(client, token, fields="name")
    assert all(set(p) == {"id", "name"} for p in names_only["data"])


async def test_a_page_token_from_a_long_lived_user_token_never_expires(
    client: httpx.AsyncClient, services: Services, pages: Pages, clock: SandboxClock
) -> None:
    cast = pages.cast
    token = await user_token(client, services, cast, cast.admin, ("manage_pages",))
    page_token = next(p for p in (await accounts(client, token))["data"] if p["id"] == pages.shop.id)[
        "access_token"
    ]
    debug = (await graph(client, "GET", "debug_token", cast.app_token, input_token=page_token)).json()["data"]
    assert (debug["type"], debug["expires_at"], debug["profile_id"]) == ("PAGE", 0, pages.shop.id)
    assert debug["user_id"] == cast.admin.id
    clock.advance(LONG_LIVED_USER_SECONDS + 86400)  # the user token is dead by now; the page token lives
    assert error_of(await graph(client, "GET", "me", token))["error_subcode"] == 463
    me = await graph(client, "GET", "me", page_token)
    assert me.json() == {"id": pages.shop.id, "name": "Shoes Shop"}


async def test_a_page_token_from_a_short_lived_user_token_lasts_an_hour(
    client: httpx.AsyncClient, services: Services, pages: Pages, clock: SandboxClock
) -> None:
    cast = pages.cast
    short = await short_lived_token(services, cast, cast.admin, ("pages_show_list",))
    page_token = (await graph(client, "GET", pages.shop.id, short, fields="access_token")).json()[
        "access_token"
    ]
    debug = (await graph(client, "GET", "debug_token", cast.app_token, input_token=page_token)).json()["data"]
    assert debug["expires_at"] == int(clock.now()) + SHORT_PAGE_SECONDS
    clock.advance(SHORT_PAGE_SECONDS)
    assert error_of(await graph(client, "GET", "me", page_token))["error_subcode"] == 463


async def test_a_page_node_shows_its_token_only_to_people_who_can_act_for_it(
    client: httpx.AsyncClient, services: Services, pages: Pages
) -> None:
    cast = pages.cast
    token = await user_token(client, services, cast, cast.admin, ("pages_show_list",))
    shop = (await graph(client, "GET", pages.shop.id, token, fields="id,name,category,access_token")).json()
    assert set(shop) == {"id", "name", "category", "access_token"}
    stats = (await graph(client, "GET", pages.stats.id, token, fields="name,access_token")).json()
    assert stats == {"id": pages.stats.id, "name": "Stats Page"}
    without_scope = await user_token(client, services, cast, cast.admin)
    plain = (await graph(client, "GET", pages.shop.id, without_scope, fields="access_token")).json()
    assert plain == {"id": pages.shop.id}
    assert (await graph(client, "GET", pages.shop.id, token)).json() == {
        "name": "Shoes Shop",
        "id": pages.shop.id,
    }


async def test_me_accounts_needs_a_page_permission_and_a_user_token(
    client: httpx.AsyncClient, services: Services, pages: Pages
) -> None:
    cast = pages.cast
    without = await user_token(client, services, cast, cast.admin, ("ads_read",))
    refused = await graph(client, "GET", "me/accounts", without)
    assert (refused.status_code, error_of(refused)["code"]) == (403, 200)
    app = await graph(client, "GET", "me/accounts", cast.app_token)
    assert error_of(app)["code"] == 10
    token = await user_token(client, services, cast, cast.admin, ("pages_show_list",))
    page_token = (await graph(client, "GET", pages.shop.id, token, fields="access_token")).json()[
        "access_token"
    ]
    on_page = await graph(client, "GET", "me/accounts", page_token)
    assert error_of(on_page)["code"] == 100
    assert error_of(await graph(client, "GET", "me/accounts/extra", token))["code"] == 2500


async def test_a_person_without_pages_gets_an_empty_list(
    client: httpx.AsyncClient, services: Services, pages: Pages
) -> None:
    cast = pages.cast
    await services.world.assign_role("app", cast.app.id, cast.other.id, "developer")
    token = await user_token(client, services, cast, cast.other, ("pages_show_list",))
    assert await accounts(client, token) == {"data": []}
