"""Business Manager: managing ad accounts, user permissions and Pages (seed, "Limits": Standard only).

Calls go as the SDK sends them: the token in the query string, POST parameters form-encoded,
lists JSON-encoded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
import pytest
from gate_world import Shop, make_shop
from helpers import error_of, proof

from adgate import records as r
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio

ADVERTISE = json.dumps(["ADVERTISE", "ANALYZE"])


@dataclass
class Bm:
    """Ada administers the app and the business Shoes Inc, which owns one ad account (``account``)."""

    shop: Shop
    business: r.Business
    account: str
    token: str  # Ada's, with ads_read and ads_management

    @property
    def services(self) -> Services:
        return self.shop.services

    @property
    def olly(self) -> r.Person:
        return self.shop.cast.other

    async def call(self, method: str, path: str, token: str | None = None, **params: str) -> httpx.Response:
        url = f"/v26.0/{path.lstrip('/')}"
        query = {"access_token": token or self.token}
        if method == "POST":
            return await self.shop.client.post(url, params=query, data=params)
        return await self.shop.client.request(method, url, params={**query, **params})

    async def employee(self, person: r.Person) -> str:
        """Make ``person`` a business user (role EMPLOYEE) and return their token."""
        await self.services.world.assign_role("business", self.business.id, person.id, "EMPLOYEE")
        return await self.shop.token(person)

    async def system_user(self, role: str = "EMPLOYEE") -> tuple[str, str]:
        """A system user of the business and its token (docs/graph-facts.md §7), made by Ada through Graph."""
        cast = self.shop.cast
        created = await self.call("POST", f"{self.business.id}/system_users", name=f"Bot {role}", role=role)
        assert created.status_code == 200, created.text
        user_id: str = created.json()["id"]
        await self.call("POST", f"{user_id}/applications", business_app=cast.app.id)
        made = await self.call(
            "POST",
            f"{user_id}/access_tokens",
            business_app=cast.app.id,
            scope="ads_read,ads_management",
            appsecret_proof=proof(cast.secret, self.token),
        )
        assert made.status_code == 200, made.text
        return user_id, made.json()["access_token"]


async def make_bm(
    services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str], level: str
) -> Bm:
    shop = await make_shop(services, client, admin_headers, accounts=0)
    business = await services.world.create_business("Shoes Inc", admin_id=shop.cast.admin.id)
    (account,) = await shop.new_accounts(1, role="", business_id=business.id)
    for step in ("basic", "standard")[: {"development": 0, "basic": 1, "standard": 2}[level]]:
        await shop.level(step)
    return Bm(shop, business, account, await shop.token())


@pytest.fixture
async def bm(services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str]) -> Bm:
    return await make_bm(services, client, admin_headers, "standard")


def refused(response: httpx.Response, code: int, *words: str) -> None:
    error = error_of(response)
    assert error["code"] == code, response.text
    for word in words:
        assert word in str(error["message"]), response.text


async def owned_ids(bm: Bm) -> list[str]:
    listed = await bm.call("GET", f"{bm.business.id}/owned_ad_accounts")
    assert listed.status_code == 200, listed.text
    return [a["id"] for a in listed.json()["data"]]


# --- the access level -------------------------------------------------------------------------
@pytest.mark.parametrize(("level", "title"), [("development", "Development"), ("basic", "Basic")])
async def test_below_standard_every_management_call_is_refused_with_code_10_naming_the_level(
    services: Services, client: httpx.AsyncClient, admin_headers: dict[str, str], level: str, title: str
) -> None:
    bm = await make_bm(services, client, admin_headers, level)
    (loose,) = await bm.shop.new_accounts(1)  # Ada administers it; no business owns it
    page = await services.world.create_page("Shoes")
    await services.world.assign_role("page", page.id, bm.shop.cast.admin.id, "admin")
    await bm.employee(bm.olly)
    act = f"act_{bm.account}"
    calls = [
        ("POST", f"{bm.business.id}/owned_ad_accounts", {"adaccount_id": f"act_{loose}"}),
        ("POST", f"{act}/assigned_users", {"user": bm.olly.id, "tasks": ADVERTISE}),
        ("GET", f"{act}/assigned_users", {"business": bm.business.id}),
        ("DELETE", f"{act}/assigned_users", {"user": bm.olly.id}),
        ("POST", f"{bm.business.id}/owned_pages", {"page_id": page.id}),
        ("DELETE", f"{bm.business.id}/ad_accounts", {"adaccount_id": f"act_{loose}"}),
    ]
    for method, path, params in calls:
        response = await bm.call(method, path, **params)
        assert response.status_code == 400, (method, path, response.text)
        refused(response, 10, f"{title} access", "Business Manager", "Standard")
    # The same calls, once the app has Standard access.
    for step in ("basic", "standard")[1 if level == "basic" else 0 :]:
        await bm.shop.level(step)
    for method, path, params in calls:
        response = await bm.call(method, path, **params)
        assert response.status_code == 200, (method, path, response.text)


# --- ad accounts ------------------------------------------------------------------------------
async def test_a_business_admin_claims_an_ad_account_they_administer_and_removes_it(bm: Bm) -> None:
    (loose,) = await bm.shop.new_accounts(1)
    claimed = await bm.call("POST", f"{bm.business.id}/owned_ad_accounts", adaccount_id=f"act_{loose}")
    assert (claimed.status_code, claimed.json()) == (200, {"access_status": "CONFIRMED"})
    assert f"act_{loose}" in await owned_ids(bm)
    again = await bm.call("POST", f"{bm.business.id}/owned_ad_accounts", adaccount_id=loose)  # bare id
    assert (again.status_code, error_of(again)["code"]) == (400, 3944)
    removed = await bm.call("DELETE", f"{bm.business.id}/ad_accounts", adaccount_id=f"act_{loose}")
    assert (removed.status_code, removed.json()) == (200, {"success": True})
    assert f"act_{loose}" not in await owned_ids(bm)
    # Graph documents no delete on owned_ad_accounts: the edge for it is ad_accounts.
    wrong_edge = await bm.call("DELETE", f"{bm.business.id}/owned_ad_accounts", adaccount_id=f"act_{loose}")
    assert (error_of(wrong_edge)["code"], error_of(wrong_edge)["error_subcode"]) == (100, 33)


async def test_an_account_leaving_the_business_takes_its_system_users_assignments_not_its_people(
    bm: Bm,
) -> None:
    await bm.employee(bm.olly)
    bot, _token = await bm.system_user()
    act = f"act_{bm.account}"
    for user in (bm.olly.id, bot):
        assert (await bm.call("POST", f"{act}/assigned_users", user=user, tasks=ADVERTISE)).status_code == 200
    removed = await bm.call("DELETE", f"{bm.business.id}/ad_accounts", adaccount_id=act)
    assert removed.status_code == 200, removed.text
    async with bm.services.core.db.read() as tx:
        assert await tx.system_user_ad_accounts.for_account(bm.account) == []
        role = await tx.ad_account_roles.get(bm.account, bm.olly.id)
        assert role is not None and role.role == "advertiser"
        account = await tx.ad_accounts.get(bm.account)
        assert account is not None and account.business_id is None


# --- people and system users on an ad account -------------------------------------------------
async def test_a_business_user_given_advertise_uses_the_account_until_removed(bm: Bm) -> None:
    olly = await bm.employee(bm.olly)
    act = f"act_{bm.account}"
    before = await bm.call("GET", act, olly)
    assert (error_of(before)["code"], error_of(before)["error_subcode"]) == (100, 33)

    assigned = await bm.call("POST", f"{act}/assigned_users", user=bm.olly.id, tasks=ADVERTISE)
    assert (assigned.status_code, assigned.json()) == (200, {"success": True})
    assert (await bm.call("GET", act, olly)).status_code == 200
    assert (await bm.call("POST", act, olly, name="Renamed by Olly")).status_code == 200
    listed = await bm.call("GET", f"{act}/assigned_users", business=bm.business.id)
    assert listed.json()["data"] == [
        {"id": bm.olly.id, "name": "Olly Other", "tasks": ["ADVERTISE", "ANALYZE"]}
    ]

    analyst = await bm.call("POST", f"{act}/assigned_users", user=bm.olly.id, tasks='["ANALYZE"]')
    assert analyst.status_code == 200, analyst.text
    assert (await bm.call("GET", act, olly)).status_code == 200
    write = await bm.call("POST", act, olly, name="Not allowed")
    assert (write.status_code, error_of(write)["code"]) == (403, 200)

    gone = await bm.call("DELETE", f"{act}/assigned_users", user=bm.olly.id)
    assert (gone.status_code, gone.json()) == (200, {"success": True})
    after = await bm.call("GET", act, olly)
    assert (error_of(after)["code"], error_of(after)["error_subcode"]) == (100, 33)
    assert (await bm.call("GET", f"{act}/assigned_users", business=bm.business.id)).json()["data"] == []


async def test_system_users_are_assigned_with_their_tasks_listed_and_removed(bm: Bm) -> None:
    bot, _token = await bm.system_user()
    act = f"act_{bm.account}"
    manage = json.dumps(["MANAGE", "ADVERTISE", "ANALYZE"])
    assert (await bm.call("POST", f"{act}/assigned_users", user=bot, tasks=manage)).status_code == 200
    listed = await bm.call(
        "GET", f"{act}/assigned_users", business=bm.business.id, fields="id,name,user_type,tasks,business"
    )
    assert listed.json()["data"] == [
        {
            "id": bot,
            "name": "Bot EMPLOYEE",
            "user_type": "SYSTEM_USER",
            "tasks": ["MANAGE", "ADVERTISE", "ANALYZE"],
            "business": {"id": bm.business.id, "name": "Shoes Inc"},
        }
    ]
    # The Business Manager guide's own form: a single-quoted list.
    quoted = await bm.call("POST", f"{act}/assigned_users", user=bot, tasks="['ANALYZE']")
    assert quoted.status_code == 200, quoted.text
    body = (await bm.call("GET", f"{act}/assigned_users", business=bm.business.id, summary="true")).json()
    assert (body["data"][0]["tasks"], body["summary"]) == (["ANALYZE"], {"total_count": 1})
    assert (await bm.call("DELETE", f"{act}/assigned_users", user=bot)).json() == {"success": True}
    assert (await bm.call("GET", f"{act}/assigned_users", business=bm.business.id)).json()["data"] == []


async def test_a_system_user_reaches_an_account_only_while_it_is_assigned(bm: Bm) -> None:
    bot, token = await bm.system_user()
    act = f"act_{bm.account}"
    assert (await bm.call("POST", f"{act}/assigned_users", user=bot, tasks=ADVERTISE)).status_code == 200
    assert (await bm.call("GET", act, token)).status_code == 200
    assert (await bm.call("DELETE", f"{act}/assigned_users", user=bot)).status_code == 200
    after = await bm.call("GET", act, token)
    assert (error_of(after)["code"], error_of(after)["error_subcode"]) == (100, 33)


# --- who may ----------------------------------------------------------------------------------
async def test_only_an_admin_of_the_business_manages_its_assets(bm: Bm) -> None:
    olly = await bm.employee(bm.olly)
    act = f"act_{bm.account}"
    # Olly administers the account directly, but is only an employee of the business.
    await bm.services.world.assign_role("ad_account", bm.account, bm.olly.id, "admin")
    page = await bm.services.world.create_page("Shoes")
    await bm.services.world.assign_role("page", page.id, bm.olly.id, "admin")
    (loose,) = await bm.shop.new_accounts(1, person=bm.olly)
    attempts = [
        ("POST", f"{act}/assigned_users", {"user": bm.olly.id, "tasks": ADVERTISE}),
        ("GET", f"{act}/assigned_users", {"business": bm.business.id}),
        ("DELETE", f"{act}/assigned_users", {"user": bm.olly.id}),
        ("POST", f"{bm.business.id}/owned_ad_accounts", {"adaccount_id": f"act_{loose}"}),
        ("DELETE", f"{bm.business.id}/ad_accounts", {"adaccount_id": act}),
        ("POST", f"{bm.business.id}/owned_pages", {"page_id": page.id}),
    ]
    for method, path, params in attempts:
        response = await bm.call(method, path, olly, **params)
        assert response.status_code == 403, (method, path, response.text)
        refused(response, 200, f"admin of business {bm.business.id}")
    # An employee system user, even one assigned to the account, is no admin of the business.
    bot, employee_bot = await bm.system_user("EMPLOYEE")
    assert (await bm.call("POST", f"{act}/assigned_users", user=bot, tasks=ADVERTISE)).status_code == 200
    as_bot = await bm.call("POST", f"{act}/assigned_users", employee_bot, user=bm.olly.id, tasks=ADVERTISE)
    refused(as_bot, 200, "admin system users")
    _boss, admin_bot = await bm.system_user("ADMIN")
    as_boss = await bm.call("POST", f"{act}/assigned_users", admin_bot, user=bm.olly.id, tasks=ADVERTISE)
    assert as_boss.json() == {"success": True}


async def test_claiming_needs_the_admin_role_on_the_asset(bm: Bm) -> None:
    (advertised,) = await bm.shop.new_accounts(1, role="advertiser")
    claim = await bm.call("POST", f"{bm.business.id}/owned_ad_accounts", adaccount_id=f"act_{advertised}")
    assert claim.status_code == 403
    refused(claim, 200, f"admin of ad account act_{advertised}", "PENDING")
    page = await bm.services.world.create_page("Not mine")
    await bm.services.world.assign_role("page", page.id, bm.shop.cast.admin.id, "editor")
    refused(await bm.call("POST", f"{bm.business.id}/owned_pages", page_id=page.id), 200, "admin of Page")


async def test_business_manager_calls_need_ads_management(bm: Bm) -> None:
    act = f"act_{bm.account}"
    for scopes in (("ads_read",), ("ads_read", "business_management")):
        narrow = await bm.shop.token(scopes=scopes)
        for method, path, params in [
            ("GET", f"{act}/assigned_users", {"business": bm.business.id}),
            ("POST", f"{act}/assigned_users", {"user": bm.olly.id, "tasks": ADVERTISE}),
            ("POST", f"{bm.business.id}/owned_ad_accounts", {"adaccount_id": act}),
        ]:
            response = await bm.call(method, path, narrow, **params)
            assert (response.status_code, error_of(response)["code"]) == (403, 294), response.text


# --- Pages ------------------------------------------------------------------------------------
async def test_a_business_admin_claims_a_page_they_administer(bm: Bm) -> None:
    world = bm.services.world
    page = await world.create_page("Shoes")
    await world.assign_role("page", page.id, bm.shop.cast.admin.id, "admin")
    claimed = await bm.call("POST", f"{bm.business.id}/owned_pages", page_id=page.id)
    assert (claimed.status_code, claimed.json()) == (200, {"access_status": "CONFIRMED"})
    async with bm.services.core.db.read() as tx:
        stored = await tx.pages.get(page.id)
    assert stored is not None and stored.business_id == bm.business.id
    refused(await bm.call("POST", f"{bm.business.id}/owned_pages", page_id=page.id), 3944)
    other = await world.create_business("Other Inc")
    theirs = await world.create_page("Theirs", business_id=other.id)
    await world.assign_role("page", theirs.id, bm.shop.cast.admin.id, "admin")
    refused(
        await bm.call("POST", f"{bm.business.id}/owned_pages", page_id=theirs.id), 100, "another business"
    )


# --- bad input --------------------------------------------------------------------------------
async def test_bad_input_gets_code_100_naming_the_parameter(bm: Bm) -> None:
    world, biz, act = bm.services.world, bm.business.id, f"act_{bm.account}"
    other = await world.create_business("Other Inc")
    theirs = await world.create_ad_account("Theirs", business_id=other.id)
    await world.assign_role("ad_account", theirs.id, bm.shop.cast.admin.id, "admin")
    (loose,) = await bm.shop.new_accounts(1)
    bad = [
        ("POST", f"{biz}/owned_ad_accounts", {}, "adaccount_id"),
        ("POST", f"{biz}/owned_ad_accounts", {"adaccount_id": "shoes"}, "adaccount_id"),
        ("POST", f"{biz}/owned_ad_accounts", {"adaccount_id": f"act_{theirs.id}"}, "another business"),
        ("DELETE", f"{biz}/ad_accounts", {"adaccount_id": f"act_{loose}"}, f"not owned by business {biz}"),
        ("POST", f"{act}/assigned_users", {"tasks": ADVERTISE}, "user"),
        ("POST", f"{act}/assigned_users", {"user": "olly", "tasks": ADVERTISE}, "user"),
        ("POST", f"{act}/assigned_users", {"user": bm.olly.id, "tasks": ADVERTISE}, "not a business user"),
        ("POST", f"{act}/assigned_users", {"user": bm.shop.cast.admin.id}, "tasks"),
        ("POST", f"{act}/assigned_users", {"user": bm.shop.cast.admin.id, "tasks": '["OWN"]'}, "tasks"),
        ("POST", f"{act}/assigned_users", {"user": bm.shop.cast.admin.id, "tasks": "[]"}, "tasks"),
        (
            "POST",
            f"{act}/assigned_users",
            {"user": bm.shop.cast.admin.id, "tasks": ADVERTISE, "business": other.id},
            "business",
        ),
        ("GET", f"{act}/assigned_users", {}, "business"),
        ("GET", f"{act}/assigned_users", {"business": other.id}, f"not owned by business {other.id}"),
        (
            "POST",
            f"act_{loose}/assigned_users",
            {"user": bm.olly.id, "tasks": ADVERTISE},
            "belongs to no business",
        ),
        ("POST", f"{biz}/owned_pages", {"page_id": "front-page"}, "page_id"),
    ]
    for method, path, params, words in bad:
        response = await bm.call(method, path, **params)
        assert response.status_code == 400, (method, path, params, response.text)
        refused(response, 100, words)
    unknown = await bm.call("POST", f"{biz}/owned_ad_accounts", adaccount_id="act_123456789012345")
    assert (error_of(unknown)["code"], error_of(unknown)["error_subcode"]) == (100, 33)
    no_page = await bm.call("POST", f"{biz}/owned_pages", page_id="123456789012345")
    assert (error_of(no_page)["code"], error_of(no_page)["error_subcode"]) == (100, 33)
