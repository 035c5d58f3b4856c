"""The gate's access-level rules, through real Graph calls (seed, "Access Levels" and "Limits")."""

from __future__ import annotations

import httpx
import pytest
from gate_world import Shop, make_shop
from helpers import error_of

from adgate.services.gate.call import GraphCall, Need
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers)


def code_of(response: httpx.Response) -> tuple[int, object, object]:
    error = error_of(response)
    return response.status_code, error["code"], error.get("error_subcode")


# --- Development: app admins or developers, for ad-account admins or advertisers ----------------


async def test_development_lets_an_app_admin_read_an_account_they_administer(shop: Shop) -> None:
    account = shop.accounts[0]
    response = await shop.call("GET", f"act_{account}", await shop.token(), fields="name")
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "Account 0", "id": f"act_{account}"}


async def test_development_refuses_a_person_with_no_role_on_the_app_with_270(shop: Shop) -> None:
    olly = shop.cast.other
    (account,) = await shop.new_accounts(1, person=olly)
    response = await shop.call("GET", f"act_{account}", await shop.token(olly))
    assert code_of(response) == (400, 270, None)
    assert "development access level" in str(error_of(response)["message"])


async def test_development_refuses_an_app_tester_with_270(shop: Shop) -> None:
    olly = shop.cast.other
    await shop.app_role(olly, "tester")
    (account,) = await shop.new_accounts(1, person=olly)
    assert code_of(await shop.call("GET", f"act_{account}", await shop.token(olly)))[1] == 270


async def test_development_lets_an_app_developer_act_for_an_account_advertiser(shop: Shop) -> None:
    olly = shop.cast.other
    await shop.app_role(olly, "developer")
    (account,) = await shop.new_accounts(1, person=olly, role="advertiser")
    response = await shop.call("POST", f"act_{account}", await shop.token(olly), name="Renamed")
    assert response.json() == {"success": True}


async def test_development_refuses_an_analyst_or_a_stranger_to_the_account_with_273(shop: Shop) -> None:
    token = await shop.token()
    (analysed,) = await shop.new_accounts(1, role="analyst")
    (foreign,) = await shop.new_accounts(1, role="")
    for account in (analysed, foreign):
        response = await shop.call("GET", f"act_{account}", token)
        assert code_of(response) == (400, 273, None)
        assert f"User {shop.cast.admin.id} is not admin on ad account {account}" in str(
            error_of(response)["message"]
        )


async def test_the_caller_rule_comes_before_the_permission_rule(shop: Shop) -> None:
    olly = shop.cast.other
    (account,) = await shop.new_accounts(1, person=olly)
    response = await shop.call("GET", f"act_{account}", await shop.token(olly, ()))
    assert code_of(response)[1] == 270


async def test_a_business_admin_counts_as_admin_of_the_business_accounts(shop: Shop) -> None:
    business = await shop.services.world.create_business("Biz", admin_id=shop.cast.admin.id)
    (account,) = await shop.new_accounts(1, role="", business_id=business.id)
    assert (await shop.call("GET", f"act_{account}", await shop.token())).status_code == 200


# --- Basic and Standard: anyone who granted the app, on accounts they can see ----------------


@pytest.mark.parametrize("level", ["basic", "standard"])
async def test_above_development_a_person_without_an_app_role_may_call(shop: Shop, level: str) -> None:
    await shop.level(level)
    olly = shop.cast.other
    (account,) = await shop.new_accounts(1, person=olly)
    assert (await shop.call("GET", f"act_{account}", await shop.token(olly))).status_code == 200


@pytest.mark.parametrize("level", ["basic", "standard"])
async def test_an_account_the_caller_cannot_see_is_unsupported_get_100_33(shop: Shop, level: str) -> None:
    await shop.level(level)
    (foreign,) = await shop.new_accounts(1, role="")
    response = await shop.call("GET", f"act_{foreign}", await shop.token())
    assert code_of(response) == (400, 100, 33)
    assert f"Object with ID 'act_{foreign}' does not exist" in str(error_of(response)["message"])
    assert code_of(await shop.call("POST", f"act_{foreign}", await shop.token(), name="x")) == (400, 100, 33)


async def test_an_account_that_does_not_exist_is_unsupported_get(shop: Shop) -> None:
    response = await shop.call("GET", "act_999999999999999", await shop.token())
    assert code_of(response) == (400, 100, 33)


@pytest.mark.parametrize("level", ["basic", "standard"])
async def test_an_analyst_may_read_but_not_manage_an_account(shop: Shop, level: str) -> None:
    await shop.level(level)
    (account,) = await shop.new_accounts(1, role="analyst")
    token = await shop.token()
    assert (await shop.call("GET", f"act_{account}", token)).status_code == 200
    assert code_of(await shop.call("POST", f"act_{account}", token, name="x")) == (403, 200, None)


# --- permissions by product (seed, "Permissions") --------------------------------------------


async def test_a_write_without_ads_management_is_294(shop: Shop) -> None:
    token = await shop.token(scopes=("ads_read",))
    response = await shop.call("POST", f"act_{shop.accounts[0]}", token, name="x")
    assert code_of(response) == (403, 294, None)


@pytest.mark.parametrize("scope", ["ads_read", "ads_management"])
async def test_a_read_needs_ads_read_or_ads_management(shop: Shop, scope: str) -> None:
    token = await shop.token(scopes=(scope,))
    assert (await shop.call("GET", f"act_{shop.accounts[0]}", token)).status_code == 200


async def test_a_read_with_neither_permission_is_200(shop: Shop) -> None:
    response = await shop.call("GET", f"act_{shop.accounts[0]}", await shop.token(scopes=()))
    assert code_of(response) == (403, 200, None)


async def test_an_app_token_may_not_make_marketing_calls_10(shop: Shop) -> None:
    response = await shop.call("GET", f"act_{shop.accounts[0]}", shop.cast.app_token)
    assert code_of(response)[1] == 10


# --- Business Manager, multi-account calls, Page creation ----------------------------------


@pytest.mark.parametrize(("level", "allowed"), [("development", False), ("basic", False), ("standard", True)])
async def test_managing_through_business_manager_is_standard_only(
    shop: Shop, level: str, allowed: bool
) -> None:
    shop.endpoint("POST", "me", "bm_test", Need(product="business_management", business_manager=True))
    await shop.level(level)
    response = await shop.call("POST", "me/bm_test", await shop.token(scopes=("ads_management",)))
    if allowed:
        assert response.json() == {"success": True}
    else:
        assert code_of(response)[1] == 10
        message = str(error_of(response)["message"])
        assert "limited Business Manager access" in message and "needs Standard access" in message


@pytest.mark.parametrize(("level", "allowed"), [("development", False), ("basic", False), ("standard", True)])
async def test_calls_spanning_several_accounts_are_standard_only(
    shop: Shop, level: str, allowed: bool
) -> None:
    shop.endpoint("GET", "me", "multi_test", Need(product="ads_read", multi_account=True))
    await shop.level(level)
    response = await shop.call("GET", "me/multi_test", await shop.token())
    if allowed:
        assert response.status_code == 200
    else:
        assert code_of(response)[1] == 10
        assert "spans several ad accounts" in str(error_of(response)["message"])


async def _no_account(call: GraphCall) -> str | None:
    return None


@pytest.mark.parametrize(("level", "allowed"), [("development", False), ("basic", False), ("standard", True)])
async def test_a_call_whose_account_cannot_be_identified_is_standard_only(
    shop: Shop, level: str, allowed: bool
) -> None:
    """An endpoint that names an ad account but finds none for this call fails closed below Standard."""
    shop.endpoint("GET", "me", "lost_test", Need(product="ads_read", account=_no_account))
    await shop.level(level)
    response = await shop.call("GET", "me/lost_test", await shop.token())
    if allowed:
        assert response.status_code == 200
    else:
        assert code_of(response)[1] == 10
        assert "spans several ad accounts" in str(error_of(response)["message"])


@pytest.mark.parametrize(("level", "allowed"), [("development", False), ("basic", False), ("standard", True)])
async def test_page_creation_is_standard_only(shop: Shop, level: str, allowed: bool) -> None:
    await shop.level(level)
    token = await shop.token(scopes=("manage_pages",))
    response = await shop.call("POST", "me/accounts", token, name="New Page", category="Brand")
    if allowed:
        page_id = response.json()["id"]
        async with shop.services.core.db.transaction() as tx:
            role = await tx.page_roles.get(page_id, shop.cast.admin.id)
        assert role is not None and role.role == "admin"
    else:
        assert code_of(response)[1] == 10
        assert "Creating Pages through the API needs Standard access" in str(error_of(response)["message"])


@pytest.mark.parametrize(
    ("params", "category"),
    [
        ({"category_enum": "LOCAL_BUSINESS"}, "Local business"),
        ({"category_list": '["2500","2201"]'}, "2500"),
        ({"category_list": "2500"}, "2500"),
        ({"category": "Brand", "category_enum": "BRAND"}, "Brand"),
    ],
)
async def test_page_creation_takes_graphs_category_parameters(
    shop: Shop, params: dict[str, str], category: str
) -> None:
    await shop.level("standard")
    token = await shop.token(scopes=("manage_pages",))
    response = await shop.call("POST", f"{shop.cast.admin.id}/accounts", token, name="New Page", **params)
    assert response.status_code == 200, response.text
    async with shop.services.core.db.transaction() as tx:
        page = await tx.pages.get(response.json()["id"])
    assert page is not None and page.category == category


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"category_enum": "local business"},
        {"category_list": "[]"},
        {"category_list": "1,2,3,4"},
        {"category_list": "x"},
    ],
)
async def test_page_creation_refuses_a_missing_or_bad_category(shop: Shop, params: dict[str, str]) -> None:
    await shop.level("standard")
    token = await shop.token(scopes=("manage_pages",))
    response = await shop.call("POST", "me/accounts", token, name="New Page", **params)
    assert (response.status_code, code_of(response)[1]) == (400, 100)
    assert "categor" in str(error_of(response)["message"])


# --- /me/adaccounts ---------------------------------------------------------------------------


async def test_me_adaccounts_lists_the_persons_accounts_at_development(shop: Shop) -> None:
    await shop.new_accounts(1, role="advertiser")
    response = await shop.call("GET", "me/adaccounts", await shop.token())
    body = response.json()
    assert sorted(item["account_id"] for item in body["data"]) == sorted(shop.accounts)
    assert {"account_id": shop.accounts[0], "id": f"act_{shop.accounts[0]}"} in body["data"]
    assert "cursors" in body["paging"]
    named = await shop.call("GET", "me/adaccounts", await shop.token(), fields="name,currency")
    first = {"id": f"act_{shop.accounts[0]}", "name": "Account 0", "currency": "USD"}
    assert first in named.json()["data"]


async def test_me_adaccounts_shows_only_listed_accounts_once_the_list_is_full(shop: Shop) -> None:
    await shop.new_accounts(5)  # six in all; the Development list holds five
    token = await shop.token()
    for account in shop.accounts[:5]:
        assert (await shop.call("GET", f"act_{account}", token)).status_code == 200
    listed = (await shop.call("GET", "me/adaccounts", token)).json()["data"]
    assert sorted(item["account_id"] for item in listed) == sorted(shop.accounts[:5])


async def test_an_unknown_field_of_an_ad_account_is_100(shop: Shop) -> None:
    response = await shop.call("GET", f"act_{shop.accounts[0]}", await shop.token(), fields="nope")
    assert code_of(response) == (400, 100, None)
    assert "nonexisting field (nope)" in str(error_of(response)["message"])
