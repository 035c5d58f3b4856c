"""The account list (seed, "Managing Account Lists"): filled by calls, managed by the tool's API."""

from __future__ import annotations

import httpx
import pytest
from gate_world import Shop, make_shop
from helpers import error_of, make_cast, short_lived_token

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def shop(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Shop:
    return await make_shop(services, client, admin_headers, accounts=0)


def list_path(shop: Shop, suffix: str = "") -> str:
    return f"/_apps/{shop.app_id}/account_list{suffix}"


async def listed(shop: Shop) -> list[str]:
    response = await shop.client.get(list_path(shop), headers=shop.admin_headers)
    assert response.status_code == 200, response.text
    return [item["account_id"] for item in response.json()["data"]]


@pytest.mark.parametrize(("level", "maximum"), [("development", 5), ("basic", 25)])
async def test_accounts_are_added_by_calls_up_to_the_levels_maximum_then_refused(
    shop: Shop, level: str, maximum: int
) -> None:
    await shop.level(level)
    accounts = await shop.new_accounts(maximum + 1)
    token = await shop.token()
    for account in accounts[:maximum]:
        assert (await shop.call("GET", f"act_{account}", token)).status_code == 200
    assert sorted(await listed(shop)) == sorted(accounts[:maximum])
    extra = accounts[maximum]
    response = await shop.call("GET", f"act_{extra}", token)
    error = error_of(response)
    assert (response.status_code, error["code"]) == (400, 10)
    title = level.capitalize()
    assert f"Ad account {extra} is not in the account list of app {shop.app_id}" in str(error["message"])
    assert f"{title} access allows {maximum} ad accounts" in str(error["message"])
    assert error["error_data"] == {"account_id": extra, "account_list_max": maximum, "access_level": level}
    # Accounts already listed keep working.
    assert (await shop.call("GET", f"act_{accounts[0]}", token)).status_code == 200


async def test_a_full_list_refuses_without_a_write_transaction(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = await shop.new_accounts(6)
    token = await shop.token()
    for account in accounts[:5]:
        assert (await shop.call("GET", f"act_{account}", token)).status_code == 200
    db = shop.services.core.db
    opened: list[bool] = []
    transaction = db.transaction

    def counting(**options: bool) -> object:
        opened.append(True)
        return transaction(**options)

    monkeypatch.setattr(db, "transaction", counting)
    for _ in range(3):
        assert error_of(await shop.call("GET", f"act_{accounts[5]}", token))["code"] == 10
    assert opened == []
    monkeypatch.undo()
    removed = await shop.client.delete(list_path(shop, f"/{accounts[0]}"), headers=shop.admin_headers)
    assert removed.status_code == 200, removed.text
    assert (await shop.call("GET", f"act_{accounts[5]}", token)).status_code == 200  # room again


async def test_standard_has_no_maximum_and_keeps_no_list(shop: Shop) -> None:
    await shop.level("standard")
    accounts = await shop.new_accounts(30)
    token = await shop.token()
    for account in accounts:
        assert (await shop.call("GET", f"act_{account}", token)).status_code == 200
    body = (await shop.client.get(list_path(shop), headers=shop.admin_headers)).json()
    assert (body["limit"], body["count"], body["can_add"]) == (None, 0, True)


async def test_a_refused_call_adds_nothing_to_the_list(shop: Shop) -> None:
    (account,) = await shop.new_accounts(1)
    response = await shop.call("POST", f"act_{account}", await shop.token(scopes=("ads_read",)), name="x")
    assert error_of(response)["code"] == 294
    assert await listed(shop) == []


async def test_removing_an_account_makes_room_for_another(shop: Shop) -> None:
    accounts = await shop.new_accounts(6)
    token = await shop.token()
    for account in accounts[:5]:
        await shop.call("GET", f"act_{account}", token)
    assert error_of(await shop.call("GET", f"act_{accounts[5]}", token))["code"] == 10
    removed = await shop.client.delete(list_path(shop, f"/{accounts[0]}"), headers=shop.admin_headers)
    assert removed.json()["count"] == 4
    assert (await shop.call("GET", f"act_{accounts[5]}", token)).status_code == 200


# --- the configuration tool's API ----------------------------------------------------------------


async def test_the_tool_lists_accounts_with_their_source_and_the_maximum(shop: Shop) -> None:
    auto, manual = await shop.new_accounts(2)
    await shop.call("GET", f"act_{auto}", await shop.token())
    added = await shop.client.post(list_path(shop), json={"account_id": manual}, headers=shop.admin_headers)
    assert added.status_code == 200, added.text
    body = added.json()
    assert (body["access_level"], body["limit"], body["count"], body["can_add"]) == (
        "development",
        5,
        2,
        True,
    )
    assert {(item["account_id"], item["source"]) for item in body["data"]} == {
        (auto, "auto"),
        (manual, "manual"),
    }
    assert {item["id"] for item in body["data"]} == {f"act_{auto}", f"act_{manual}"}


async def test_the_tool_refuses_an_id_with_act_and_says_to_drop_it(shop: Shop) -> None:
    (account,) = await shop.new_accounts(1)
    response = await shop.client.post(
        list_path(shop), json={"account_id": f"act_{account}"}, headers=shop.admin_headers
    )
    error = error_of(response)
    assert (response.status_code, error["code"]) == (400, 100)
    assert f"without act_: {account}, not act_{account}" in str(error["message"])


@pytest.mark.parametrize("given", ["12a", "", "-5", "1.5"])
async def test_the_tool_refuses_anything_but_digits(shop: Shop, given: str) -> None:
    response = await shop.client.post(list_path(shop), data={"account_id": given}, headers=shop.admin_headers)
    assert error_of(response)["code"] == 100


async def test_the_tool_refuses_an_id_that_is_no_ad_account(shop: Shop) -> None:
    response = await shop.client.post(
        list_path(shop), json={"account_id": shop.cast.admin.id}, headers=shop.admin_headers
    )
    assert error_of(response)["code"] == 100
    assert "is not the id of an ad account" in str(error_of(response)["message"])


async def test_add_is_disabled_at_the_maximum(shop: Shop) -> None:
    accounts = await shop.new_accounts(6)
    for account in accounts[:5]:
        response = await shop.client.post(
            list_path(shop), json={"account_id": account}, headers=shop.admin_headers
        )
        assert response.status_code == 200
    assert response.json()["can_add"] is False
    refused = await shop.client.post(
        list_path(shop), json={"account_id": accounts[5]}, headers=shop.admin_headers
    )
    assert error_of(refused)["code"] == 100
    assert "Development access allows 5 ad accounts" in str(error_of(refused)["message"])
    assert "apply for Basic access" in str(error_of(refused)["message"])


async def test_adding_a_listed_account_again_changes_nothing(shop: Shop) -> None:
    (account,) = await shop.new_accounts(1)
    for _ in range(2):
        body = (
            await shop.client.post(list_path(shop), json={"account_id": account}, headers=shop.admin_headers)
        ).json()
    assert body["count"] == 1


async def test_removing_an_account_not_listed_is_an_error(shop: Shop) -> None:
    (account,) = await shop.new_accounts(1)
    response = await shop.client.delete(
        list_path(shop), params={"account_id": account}, headers=shop.admin_headers
    )
    assert (response.status_code, error_of(response)["code"]) == (404, 100)


async def test_an_app_admins_own_user_token_may_manage_the_list(shop: Shop) -> None:
    (account,) = await shop.new_accounts(1)
    token = await shop.token(scopes=())
    response = await shop.client.post(
        list_path(shop), json={"account_id": account}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    by_param = await shop.client.get(list_path(shop), params={"access_token": token})
    assert by_param.json()["count"] == 1


async def test_people_who_are_no_admin_or_developer_of_the_app_may_not(shop: Shop) -> None:
    token = await shop.token(shop.cast.other, ())
    response = await shop.client.get(list_path(shop), headers={"Authorization": f"Bearer {token}"})
    assert (response.status_code, error_of(response)["code"]) == (403, 200)


async def test_no_key_or_another_apps_token_is_401_and_a_dead_token_says_why(shop: Shop) -> None:
    other = await make_cast(shop.services)
    foreign = await short_lived_token(shop.services, other, other.admin, ())
    for headers in ({}, {"Authorization": f"Bearer {foreign}"}):
        response = await shop.client.get(list_path(shop), headers=headers)
        assert (response.status_code, error_of(response)["code"]) == (401, 190)
    response = await shop.client.get(list_path(shop), headers={"Authorization": "Bearer nonsense"})
    assert (response.status_code, error_of(response)["code"]) == (400, 190)


async def test_an_unknown_app_is_803(shop: Shop) -> None:
    response = await shop.client.get("/_apps/123456789/account_list", headers=shop.admin_headers)
    assert (response.status_code, error_of(response)["code"]) == (404, 803)
