"""The permission step through the gate at every access level (seed, "Permissions"; docs/graph-facts.md §4.2).

Writes and audiences need ``ads_management``; reads and insights ``ads_read`` or
``ads_management``. An app token on a Marketing call is 10, a write or an audience call without
``ads_management`` is 294, a read with neither permission is 200. The level changes who may call
and how often, never which permission opens which call.
"""

from __future__ import annotations

import httpx
import pytest
from gate_world import Shop, make_shop
from helpers import error_of

from adgate.services.registry import Services

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("level", ["development", "basic", "standard"])]

NEITHER = "(#200) Requires one of the permissions: ads_read, ads_management"


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers)


def code_of(response: httpx.Response) -> tuple[int, object, object]:
    error = error_of(response)
    return response.status_code, error["code"], error.get("error_subcode")


def body(method: str) -> dict[str, str]:
    """A valid update of the ad account for a POST; nothing for a GET."""
    return {"name": "Renamed"} if method == "POST" else {}


async def test_an_app_token_on_a_marketing_call_is_10(shop: Shop, level: str) -> None:
    await shop.level(level)
    act = f"act_{shop.accounts[0]}"
    for method, path in (("GET", act), ("POST", act), ("GET", f"{act}/insights")):
        response = await shop.call(method, path, shop.cast.app_token, **body(method))
        assert code_of(response) == (400, 10, None), (method, path)
        assert error_of(response)["message"] == "(#10) Application does not have permission for this action"


async def test_a_write_or_an_audience_call_without_ads_management_is_294(shop: Shop, level: str) -> None:
    await shop.level(level)
    act, token = f"act_{shop.accounts[0]}", await shop.token(scopes=("ads_read",))
    for method, path in (("POST", act), ("GET", f"{act}/customaudiences")):
        response = await shop.call(method, path, token, **body(method))
        assert code_of(response) == (403, 294, None), (method, path)
        assert str(error_of(response)["message"]).startswith("(#294) Managing advertisements requires")


async def test_a_read_or_insights_with_neither_permission_is_200(shop: Shop, level: str) -> None:
    await shop.level(level)
    act, token = f"act_{shop.accounts[0]}", await shop.token(scopes=())
    for path in (act, f"{act}/insights"):
        response = await shop.call("GET", path, token)
        assert code_of(response) == (403, 200, None), path
        assert error_of(response)["message"] == NEITHER


async def test_ads_read_opens_reads_and_insights_and_ads_management_opens_everything(
    shop: Shop, level: str
) -> None:
    await shop.level(level)
    act = f"act_{shop.accounts[0]}"
    reader, manager = await shop.token(scopes=("ads_read",)), await shop.token(scopes=("ads_management",))
    for token, method, path in (
        (reader, "GET", act),
        (reader, "GET", f"{act}/insights"),
        (manager, "GET", act),
        (manager, "GET", f"{act}/insights"),
        (manager, "GET", f"{act}/customaudiences"),
        (manager, "POST", act),
    ):
        response = await shop.call(method, path, token, **body(method))
        assert response.status_code == 200, (method, path, response.text)
