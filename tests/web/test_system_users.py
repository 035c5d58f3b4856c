"""System users and their tokens (seed, "Limits: System User"; docs/graph-facts.md §7)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from helpers import Cast, error_of, graph, make_cast, proof, user_token

from adgate import records as r
from adgate.clock import SandboxClock
from adgate.policy.tokens import SYSTEM_USER_60_DAYS_SECONDS
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@dataclass
class Biz:
    cast: Cast
    business: r.Business
    token: str  # the business admin's user token, with ads_management (what Business Manager needs)


@pytest.fixture
async def biz(client: httpx.AsyncClient, services: Services) -> Biz:
    cast = await make_cast(services)
    business = await services.world.create_business("Shoes Inc", admin_id=cast.admin.id)
    token = await user_token(client, services, cast, cast.admin, ("ads_management", "business_management"))
    return Biz(cast, business, token)


async def create(
    client: httpx.AsyncClient, biz: Biz, name: str, role: str, token: str | None = None
) -> httpx.Response:
    return await graph(
        client, "POST", f"{biz.business.id}/system_users", token or biz.token, name=name, role=role
    )


async def system_user_token(
    client: httpx.AsyncClient, biz: Biz, user_id: str, **extra: str
) -> httpx.Response:
    installed = await graph(
        client, "POST", f"{user_id}/applications", biz.token, business_app=biz.cast.app.id
    )
    assert installed.json() == {"success": True}
    return await graph(
        client,
        "POST",
        f"{user_id}/access_tokens",
        biz.token,
        business_app=biz.cast.app.id,
        scope="ads_management,business_management",
        appsecret_proof=proof(biz.cast.secret, biz.token),
        **extra,
    )


async def test_a_business_admin_creates_and_lists_system_users(client: httpx.AsyncClient, biz: Biz) -> None:
    body = {"access_token": biz.token, "name": "Reporting server", "role": "EMPLOYEE"}
    created = await client.post(f"/v26.0/{biz.business.id}/system_users", data=body)  # the SDK's form body
    assert created.status_code == 200, created.text
    user_id = created.json()["id"]
    listed = (await graph(client, "GET", f"{biz.business.id}/system_users", biz.token, summary="true")).json()
    assert listed["data"] == [{"id": user_id, "name": "Reporting server", "role": "EMPLOYEE"}]
    assert "cursors" in listed["paging"]


async def test_at_development_a_business_gets_one_system_user_and_one_admin_system_user(
    client: httpx.AsyncClient, biz: Biz
) -> None:
    assert (await create(client, biz, "One", "EMPLOYEE")).status_code == 200
    assert (await create(client, biz, "Boss", "ADMIN")).status_code == 200
    for role in ("EMPLOYEE", "ADMIN"):
        refused = await create(client, biz, "Too many", role)
        error = error_of(refused)
        assert (refused.status_code, error["code"]) == (400, 100)
        assert "Development" in str(error["message"])


@pytest.mark.parametrize(("level", "employees"), [("basic", 3), ("standard", 10)])
async def test_the_limit_follows_the_access_level_of_the_calling_app(
    client: httpx.AsyncClient, services: Services, biz: Biz, level: str, employees: int
) -> None:
    await services.world.set_access_level(biz.cast.app.id, "basic")
    if level == "standard":
        await services.world.set_access_level(biz.cast.app.id, "standard")
    for i in range(employees):
        assert (await create(client, biz, f"Bot {i}", "EMPLOYEE")).status_code == 200
    assert error_of(await create(client, biz, "One more", "EMPLOYEE"))["code"] == 100
    assert (await create(client, biz, "Boss", "ADMIN")).status_code == 200
    assert error_of(await create(client, biz, "Boss 2", "ADMIN"))["code"] == 100


async def test_only_an_admin_person_or_an_admin_system_user_may_create(
    client: httpx.AsyncClient, services: Services, biz: Biz
) -> None:
    cast = biz.cast
    # At Development only app admins and developers may make Marketing calls,
    # which leaves system users out; Standard lets the admin system user act.
    await services.world.set_access_level(cast.app.id, "basic")
    await services.world.set_access_level(cast.app.id, "standard")
    await services.world.assign_role("business", biz.business.id, cast.other.id, "EMPLOYEE")
    await services.world.assign_role("app", cast.app.id, cast.other.id, "developer")
    employee = await user_token(client, services, cast, cast.other, ("ads_management", "business_management"))
    refused = await create(client, biz, "Nope", "EMPLOYEE", token=employee)
    assert (refused.status_code, error_of(refused)["code"]) == (403, 200)
    admin_id = (await create(client, biz, "Boss", "ADMIN")).json()["id"]
    admin_token = (await system_user_token(client, biz, admin_id)).json()["access_token"]
    made = await create(client, biz, "Made by a bot", "EMPLOYEE", token=admin_token)
    assert made.status_code == 200, made.text


async def test_a_system_user_token_never_expires_unless_asked_for_sixty_days(
    client: httpx.AsyncClient, biz: Biz, clock: SandboxClock
) -> None:
    user_id = (await create(client, biz, "Bot", "EMPLOYEE")).json()["id"]
    response = await system_user_token(client, biz, user_id)
    assert set(response.json()) == {"access_token"}
    token = response.json()["access_token"]
    debug = (await graph(client, "GET", "debug_token", biz.cast.app_token, input_token=token)).json()["data"]
    assert (debug["type"], debug["expires_at"], debug["user_id"]) == ("SYSTEM_USER", 0, user_id)
    assert debug["scopes"] == ["ads_management", "business_management"]
    me = await graph(client, "GET", "me", token)
    assert me.json() == {"id": user_id, "name": "Bot"}
    sixty = (await system_user_token(client, biz, user_id, set_token_expires_in_60_days="true")).json()
    debug = (
        await graph(client, "GET", "debug_token", biz.cast.app_token, input_token=sixty["access_token"])
    ).json()
    assert debug["data"]["expires_at"] == int(clock.now()) + SYSTEM_USER_60_DAYS_SECONDS


async def test_making_a_system_user_token_requires_appsecret_proof_and_an_installed_app(
    client: httpx.AsyncClient, services: Services, biz: Biz
) -> None:
    user_id = (await create(client, biz, "Bot", "EMPLOYEE")).json()["id"]
    params = {"business_app": biz.cast.app.id, "scope": "ads_read"}
    no_proof = await graph(client, "POST", f"{user_id}/access_tokens", biz.token, **params)
    assert "appsecret_proof" in str(error_of(no_proof)["message"])
    with_proof = {**params, "appsecret_proof": proof(biz.cast.secret, biz.token)}
    not_installed = await graph(client, "POST", f"{user_id}/access_tokens", biz.token, **with_proof)
    assert "not installed" in str(error_of(not_installed)["message"])
    other = await make_cast(services)
    await graph(client, "POST", f"{user_id}/applications", biz.token, business_app=other.app.id)
    foreign = {**with_proof, "business_app": other.app.id}
    assert (
        error_of(await graph(client, "POST", f"{user_id}/access_tokens", biz.token, **foreign))["code"] == 100
    )


async def test_the_business_edge_makes_system_user_tokens_for_the_calling_app(
    client: httpx.AsyncClient, biz: Biz
) -> None:
    user_id = (await create(client, biz, "Bot", "EMPLOYEE")).json()["id"]
    await graph(client, "POST", f"{user_id}/applications", biz.token, business_app=biz.cast.app.id)
    response = await graph(
        client,
        "POST",
        f"{biz.business.id}/system_user_access_tokens",
        biz.token,
        system_user_id=user_id,
        scope="ads_read",
        appsecret_proof=proof(biz.cast.secret, biz.token),
    )
    assert response.status_code == 200, response.text
    assert (await graph(client, "GET", "me", response.json()["access_token"])).json()["id"] == user_id


async def test_bad_system_user_requests_get_graph_errors(
    client: httpx.AsyncClient, services: Services, biz: Biz
) -> None:
    plain = await user_token(client, services, biz.cast, biz.cast.admin)
    no_scope = await create(client, biz, "Bot", "EMPLOYEE", token=plain)
    assert (no_scope.status_code, error_of(no_scope)["code"]) == (403, 294)
    assert error_of(await create(client, biz, "Bot", "OWNER"))["code"] == 100
    assert error_of(await create(client, biz, "", "EMPLOYEE"))["code"] == 100
    unknown = await graph(client, "POST", "123456789012345/system_users", biz.token, name="x")
    assert error_of(unknown)["code"] == 100
    assert error_of(await graph(client, "POST", "not-a-node/system_users", biz.token))["code"] == 803
    user_id = (await create(client, biz, "Bot", "EMPLOYEE")).json()["id"]
    assert error_of(await graph(client, "POST", f"{user_id}/applications", biz.token))["code"] == 100
    bad_app = await graph(client, "POST", f"{user_id}/applications", biz.token, business_app="act_1")
    assert error_of(bad_app)["code"] == 100
    wrong_biz = await graph(
        client,
        "POST",
        f"{biz.business.id}/system_user_access_tokens",
        biz.token,
        system_user_id="1",
        scope="ads_read",
        appsecret_proof=proof(biz.cast.secret, biz.token),
    )
    assert error_of(wrong_biz)["code"] == 100


async def test_business_manager_calls_need_ads_management(
    client: httpx.AsyncClient, services: Services, biz: Biz
) -> None:
    """Seed, Permissions: the Business Manager API needs ads_management; business_management alone
    is not enough (294, as for any call that needs ads_management)."""
    narrow = await user_token(client, services, biz.cast, biz.cast.admin, ("business_management",))
    refused = await create(client, biz, "Nope", "EMPLOYEE", token=narrow)
    assert (refused.status_code, error_of(refused)["code"]) == (403, 294)


async def test_a_business_admin_reads_and_renames_a_system_user(
    client: httpx.AsyncClient, services: Services, biz: Biz
) -> None:
    user_id = (await create(client, biz, "Reporting bot", "EMPLOYEE")).json()["id"]
    read = await graph(client, "GET", user_id, biz.token, fields="name,role")
    assert read.json() == {"id": user_id, "name": "Reporting bot", "role": "EMPLOYEE"}
    renamed = await graph(client, "POST", user_id, biz.token, name="Sync bot")
    assert renamed.json() == {"success": True}
    assert (await graph(client, "GET", user_id, biz.token, fields="name")).json()["name"] == "Sync bot"
    blank = await graph(client, "POST", user_id, biz.token, name="  ")
    assert error_of(blank)["code"] == 100
    await services.world.assign_role("app", biz.cast.app.id, biz.cast.other.id, "developer")
    stranger = await user_token(client, services, biz.cast, biz.cast.other, ("ads_management",))
    refused = await graph(client, "POST", user_id, stranger, name="Mine now")
    assert error_of(refused)["code"] == 200  # a developer of the app, but no admin of the business
    assert (await graph(client, "GET", user_id, biz.token, fields="name")).json()["name"] == "Sync bot"


async def test_the_documented_rename_goes_through_the_business_edge(
    client: httpx.AsyncClient, services: Services, biz: Biz
) -> None:
    """``POST /{business-id}/system_users`` with ``system_user_id`` and ``name`` renames (docs/graph-facts.md
    §7); a system user of no such business is refused, and deleting one is not a Graph call."""
    user_id = (await create(client, biz, "Reporting bot", "EMPLOYEE")).json()["id"]
    renamed = await graph(
        client, "POST", f"{biz.business.id}/system_users", biz.token, system_user_id=user_id, name="Sync bot"
    )
    assert renamed.json() == {"id": user_id}
    assert (await graph(client, "GET", user_id, biz.token, fields="name")).json()["name"] == "Sync bot"
    foreign = await graph(
        client, "POST", f"{biz.business.id}/system_users", biz.token, system_user_id="123", name="X"
    )
    assert error_of(foreign)["code"] == 100
    deleted = await graph(client, "DELETE", user_id, biz.token)
    assert (error_of(deleted)["code"], error_of(deleted)["error_subcode"]) == (100, 33)
    assert (await graph(client, "GET", user_id, biz.token, fields="name")).json()["name"] == "Sync bot"
