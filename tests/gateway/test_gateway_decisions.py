"""The gateway's decisions, in process: the whole pipeline on a protected API's routes."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from console_driver import submit
from gate_world import running, settings_for
from gateway_world import write_routes
from helpers import make_cast, short_lived_token

from adgate.clock import SandboxClock
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[tuple[Services, httpx.AsyncClient]]:
    settings = settings_for(tmp_path, gateway_file=write_routes(tmp_path))
    async with running(settings, SandboxClock(frozen_at=1_790_000_000.0)) as (services, client):
        yield services, client


async def world(services: Services, accounts: int = 1) -> tuple[str, str, list[str], str]:
    """An app at Development, its admin's token with ads_read+ads_management, and accounts they admin."""
    cast = await make_cast(services)
    ids = []
    for n in range(accounts):
        account = await services.world.create_ad_account(f"Account {n}")
        await services.world.assign_role("ad_account", account.id, cast.admin.id, "admin")
        ids.append(account.id)
    token = await short_lived_token(services, cast, cast.admin, ("ads_read", "ads_management"))
    return cast.app.id, cast.admin.id, ids, token


def forward(method: str, uri: str, token: str | None = None) -> dict[str, str]:
    headers = {"X-Forwarded-Method": method, "X-Forwarded-Uri": uri, "X-Forwarded-Host": "api.example"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


async def test_an_admitted_request_gets_identity_and_usage_headers(
    node: tuple[Services, httpx.AsyncClient],
) -> None:
    services, client = node
    app_id, person_id, (account,), token = await world(services)
    answer = await client.get(
        "/_gateway/auth", headers=forward("GET", f"/v1/accounts/act_{account}/reports", token)
    )
    assert answer.status_code == 200, answer.text
    h = answer.headers
    assert (h["x-adgate-app-id"], h["x-adgate-user-id"], h["x-adgate-account"]) == (
        app_id,
        person_id,
        f"act_{account}",
    )
    assert h["x-adgate-access-level"] == "development"
    assert "ads_read" in h["x-adgate-scopes"].split(",")
    assert h["x-adgate-route"] == "reports"
    assert json.loads(h["x-ad-account-usage"])["acc_id_util_pct"] > 0
    assert account in json.loads(h["x-business-use-case-usage"])


async def test_the_token_may_come_in_the_query_or_as_oauth(node: tuple[Services, httpx.AsyncClient]) -> None:
    services, client = node
    _, _, (account,), token = await world(services)
    in_query = forward("GET", f"/v1/search?account_id={account}&access_token={token}")
    assert (await client.get("/_gateway/auth", headers=in_query)).status_code == 200
    oauth = {**forward("GET", "/v1/me"), "Authorization": f"OAuth {token}"}
    assert (await client.get("/_gateway/auth", headers=oauth)).status_code == 200


async def test_an_undeclared_route_is_refused_and_a_public_prefix_is_not(
    node: tuple[Services, httpx.AsyncClient],
) -> None:
    services, client = node
    *_, token = await world(services)
    unknown = await client.get("/_gateway/auth", headers=forward("DELETE", "/v1/me", token))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == 2500
    assert (await client.get("/_gateway/auth", headers=forward("GET", "/health/live"))).status_code == 200
    assert (await client.get("/_gateway/auth", headers=forward("GET", "/healthz"))).status_code == 404


@pytest.mark.parametrize("missing", ["X-Forwarded-Method", "X-Forwarded-Uri"])
async def test_a_decision_request_without_the_original_request_is_a_400_naming_the_header(
    node: tuple[Services, httpx.AsyncClient], missing: str
) -> None:
    _, client = node
    headers = forward("GET", "/health")
    del headers[missing]
    answer = await client.get("/_gateway/auth", headers=headers)
    assert answer.status_code == 400
    assert missing.lower() in answer.json()["error"]["message"].lower()


async def test_no_token_wrong_permission_and_a_dead_token_are_refused_as_graph_refuses(
    node: tuple[Services, httpx.AsyncClient],
) -> None:
    services, client = node
    cast = await make_cast(services)
    account = await services.world.create_ad_account("A")
    await services.world.assign_role("ad_account", account.id, cast.admin.id, "admin")
    uri = f"/v1/accounts/{account.id}/budgets"
    none = await client.get("/_gateway/auth", headers=forward("POST", uri))
    assert (none.status_code, none.json()["error"]["code"]) == (400, 2500)  # no token: Graph's own answer
    read_only = await short_lived_token(services, cast, cast.admin, ("ads_read",))
    refused = await client.get("/_gateway/auth", headers=forward("POST", uri, read_only))
    assert refused.json()["error"]["code"] == 294  # ads_management required
    token = await short_lived_token(services, cast, cast.admin, ("ads_management",))
    assert (await client.get("/_gateway/auth", headers=forward("POST", uri, token))).status_code == 200
    await services.world.change_password(cast.admin.id, "a brand new password")
    dead = await client.get("/_gateway/auth", headers=forward("POST", uri, token))
    assert (dead.json()["error"]["code"], dead.json()["error"]["error_subcode"]) == (190, 460)


async def test_the_sixth_account_at_development_is_refused(node: tuple[Services, httpx.AsyncClient]) -> None:
    services, client = node
    _, _, accounts, token = await world(services, accounts=6)
    statuses = []
    for account in accounts:
        answer = await client.get(
            "/_gateway/auth", headers=forward("GET", f"/v1/accounts/{account}/reports", token)
        )
        statuses.append(answer.status_code)
    assert statuses[:5] == [200] * 5
    assert statuses[5] != 200
    assert str(accounts[5]) in answer.json()["error"]["message"]


async def test_the_development_score_throttles_with_retry_after(
    node: tuple[Services, httpx.AsyncClient],
) -> None:
    services, client = node
    _, _, (account,), token = await world(services)
    uri = f"/v1/accounts/{account}/budgets"  # write: 3 points of Development's 60, no BUC
    answers = [await client.get("/_gateway/auth", headers=forward("POST", uri, token)) for _ in range(21)]
    admitted = [a.status_code for a in answers].index(400)
    assert admitted * 3 < 60 <= (admitted + 1) * 3  # a write that would reach 60 is refused
    refused = answers[admitted]
    error = refused.json()["error"]
    assert (error["code"], error["error_subcode"]) == (17, 2446079)
    assert int(refused.headers["retry-after"]) > 0
    assert json.loads(refused.headers["x-ad-account-usage"])["acc_id_util_pct"] >= 100


async def test_gateway_calls_count_in_the_apps_usage(node: tuple[Services, httpx.AsyncClient]) -> None:
    services, client = node
    app_id, _, (account,), token = await world(services)
    for _ in range(3):
        await client.get("/_gateway/auth", headers=forward("GET", f"/v1/accounts/{account}/reports", token))
    await client.get("/_gateway/auth", headers=forward("POST", f"/v1/accounts/{account}/budgets", "nonsense"))
    assert services.enforcer is not None
    totals = (await services.enforcer.usage.daily(app_id, 1))["totals"]
    assert totals["calls"] == 3  # a forged token names no app


async def test_nginx_gets_403_and_the_refusal_sealed_then_shows_it_with_its_real_status(
    node: tuple[Services, httpx.AsyncClient],
) -> None:
    services, client = node
    *_, token = await world(services)
    original = {
        "X-Original-Method": "GET",
        "X-Original-URI": "/v1/nowhere",
        "Authorization": f"Bearer {token}",
    }
    denied = await client.get("/_gateway/nginx", headers=original)
    assert denied.status_code == 403
    sealed = denied.headers["x-adgate-refusal"]
    shown = await client.get("/_gateway/refusal", headers={"X-Adgate-Refusal": sealed})
    assert shown.status_code == 404
    assert shown.json()["error"]["code"] == 2500
    _, _, mac = sealed.partition(".")
    forged = base64.urlsafe_b64encode(json.dumps({"s": 200, "b": "{}", "h": {}}).encode()).decode()
    refused = await client.get("/_gateway/refusal", headers={"X-Adgate-Refusal": f"{forged}.{mac}"})
    assert refused.status_code == 400
    admitted = await client.get("/_gateway/nginx", headers={**original, "X-Original-URI": "/v1/me"})
    assert admitted.status_code == 200
    assert admitted.headers["x-adgate-route"] == "profile"


async def test_envoy_sends_the_original_method_and_path_itself(
    node: tuple[Services, httpx.AsyncClient],
) -> None:
    services, client = node
    _, _, (account,), token = await world(services)
    admitted = await client.get(
        f"/_gateway/envoy/v1/search?account_id=act_{account}", headers={"Authorization": f"Bearer {token}"}
    )
    assert admitted.status_code == 200, admitted.text
    refused = await client.post(
        f"/_gateway/envoy/v1/search?account_id={account}", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 404


async def test_the_routes_are_listed_for_the_admin_key(node: tuple[Services, httpx.AsyncClient]) -> None:
    services, client = node
    assert (await client.get("/_gateway/routes")).status_code in (400, 401)
    listed = await client.get(
        "/_gateway/routes", headers={"Authorization": f"Bearer {services.settings.admin_key}"}
    )
    assert [r["name"] for r in listed.json()["routes"]] == [
        "reports",
        "budgets",
        "search",
        "export",
        "profile",
    ]
    assert listed.json()["permissions"] == [
        {"name": "reports_export", "description": "Export your reports as files"}
    ]


async def test_the_console_shows_the_routes_and_their_decisions(
    node: tuple[Services, httpx.AsyncClient],
) -> None:
    services, client = node
    _, _, (account,), token = await world(services)
    await client.get("/_gateway/auth", headers=forward("GET", f"/v1/accounts/{account}/reports", token))
    await client.get("/_gateway/auth", headers=forward("GET", f"/v1/accounts/{account}/reports", "forged"))
    assert "unlock-form" in (await client.get("/console/gateway")).text
    page = await client.get("/console/sandbox")
    unlock = await submit(client, page, "unlock-form", admin_key=services.settings.admin_key or "")
    assert unlock.status_code == 303
    shown = await client.get("/console/gateway")
    assert "gateway-routes" in shown.text and "/v1/accounts/{account}/reports" in shown.text
    listed = await client.get(
        "/_gateway/routes", headers={"Authorization": f"Bearer {services.settings.admin_key}"}
    )
    reports = next(r for r in listed.json()["routes"] if r["name"] == "reports")
    assert (reports["admitted"], reports["refused"]) == (1, 1)


async def test_a_permission_of_the_operators_own_is_asked_granted_and_checked(
    node: tuple[Services, httpx.AsyncClient],
) -> None:
    services, client = node
    cast = await make_cast(services)
    account = await services.world.create_ad_account("A")
    await services.world.assign_role("ad_account", account.id, cast.admin.id, "admin")
    uri = f"/v1/accounts/{account.id}/exports"
    without = await short_lived_token(services, cast, cast.admin, ("ads_read",))
    refused = await client.get("/_gateway/auth", headers=forward("POST", uri, without))
    assert refused.json()["error"]["code"] == 200
    assert "reports_export" in refused.json()["error"]["message"]
    granted = await short_lived_token(services, cast, cast.admin, ("reports_export",))
    admitted = await client.get("/_gateway/auth", headers=forward("POST", uri, granted))
    assert admitted.status_code == 200
    assert admitted.headers["x-adgate-scopes"].split(",").count("reports_export") == 1
    dialog = await client.get(
        "/v26.0/dialog/oauth",
        params={
            "client_id": cast.app.id,
            "redirect_uri": "https://app.example/callback",
            "scope": "reports_export",
        },
    )
    assert "unknown" not in dialog.text.lower() or "reports_export" not in dialog.text


async def test_routes_replaced_through_the_control_api_apply_at_once_and_survive_a_restart(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path, gateway_file=write_routes(tmp_path))
    admin = {"Authorization": f"Bearer {settings.admin_key}"}
    clock = SandboxClock(frozen_at=1_790_000_000.0)
    async with running(settings, clock) as (services, client):
        *_, token = await world(services)
        assert (
            await client.get("/_gateway/auth", headers=forward("GET", "/v2/me", token))
        ).status_code == 404
        bad = await client.put("/_gateway/routes", headers=admin, content=b'[[route]]\nmethod = "GET"\n')
        assert bad.status_code == 400 and "routes:1: path" in bad.json()["error"]["message"]
        new = '[[route]]\nmethod = "GET"\npath = "/v2/me"\naccount = "none"\npermission = "public_profile"\n'
        put = await client.put("/_gateway/routes", headers=admin, content=new.encode())
        assert put.status_code == 200, put.text
        assert put.json()["source"] == "control API"
        assert (
            await client.get("/_gateway/auth", headers=forward("GET", "/v2/me", token))
        ).status_code == 200
        assert (
            await client.get("/_gateway/auth", headers=forward("GET", "/v1/me", token))
        ).status_code == 404
    async with running(settings, clock) as (services, client):  # a restart keeps them
        assert (
            await client.get("/_gateway/auth", headers=forward("GET", "/v2/me", token))
        ).status_code == 200
        reverted = await client.delete("/_gateway/routes", headers=admin)
        assert reverted.json()["source"] == str(settings.gateway_file)
        assert (
            await client.get("/_gateway/auth", headers=forward("GET", "/v1/me", token))
        ).status_code == 200
        assert (await client.put("/_gateway/routes", content=new.encode())).status_code in (400, 401)
