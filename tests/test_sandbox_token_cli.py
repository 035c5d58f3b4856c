"""``adgate sandbox token``: a token in one command, recorded as the login dialog records a grant."""

from __future__ import annotations

import os
import sys
from typing import Any

import httpx
import pytest
from terminal import in_terminal
from typer.testing import CliRunner

from adgate.cli import app
from adgate.testing.server import LiveServer

runner = CliRunner()


def cli(server: LiveServer, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--url", server.url, "--admin-key", server.admin_key])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo(server: LiveServer) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    world: dict[str, Any] = httpx.post(f"{server.url}/_sandbox/demo", headers=headers).json()
    return world


def graph(server: LiveServer, path: str, token: str, **params: str) -> httpx.Response:
    return httpx.get(f"{server.url}/v26.0/{path}", params={**params, "access_token": token})


def debug(server: LiveServer, demo: dict[str, Any], token: str) -> dict[str, Any]:
    app_token = f"{demo['app']['id']}|{demo['app']['secret']}"
    data: dict[str, Any] = graph(server, "debug_token", app_token, input_token=token).json()["data"]
    return data


def test_a_long_lived_user_token_by_e_mail_prints_only_the_token_when_captured(
    server: LiveServer, demo: dict[str, Any]
) -> None:
    app_id = demo["app"]["id"]
    code, out, err = cli(
        server, "sandbox", "token", "alice@demo.adgate.test", app_id, "--scopes", "ads_management,ads_read"
    )
    assert (code, err) == (0, "")
    token = out.removesuffix("\n")
    assert "\n" not in token and " " not in token and len(token) > 30
    info = debug(server, demo, token)
    assert info["type"] == "USER" and info["user_id"] == demo["people"][0]["id"]
    assert info["expires_at"] - info["issued_at"] == 60 * 86400
    assert set(info["scopes"]) == {"ads_management", "ads_read", "public_profile"}
    # The grant is recorded as the dialog records it: /me/permissions shows it, the token works.
    permissions = graph(server, "me/permissions", token).json()["data"]
    assert {"permission": "ads_management", "status": "granted"} in permissions
    accounts = graph(server, "me/adaccounts", token, fields="name").json()["data"]
    assert {a["name"] for a in accounts} == {"Demo Shoes", "Demo Hats"}
    # ... and dies as a dialog token does.
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    alice = demo["people"][0]["id"]
    httpx.post(f"{server.url}/_sandbox/people/{alice}/password", json={"password": "x" * 12}, headers=headers)
    error = graph(server, "me", token).json()["error"]
    assert (error["code"], error["error_subcode"]) == (190, 460)


def test_short_page_and_system_user_tokens(server: LiveServer, demo: dict[str, Any]) -> None:
    app_id, alice = demo["app"]["id"], demo["people"][0]["id"]
    code, out, _ = cli(server, "sandbox", "token", alice, app_id, "--scopes", "ads_read", "--short")
    assert code == 0
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    now = httpx.get(f"{server.url}/_sandbox/clock", headers=headers).json()["now"]
    short = debug(server, demo, out.strip())
    assert 2 * 3600 - 5 <= short["expires_at"] - now <= 2 * 3600

    page_id = demo["pages"][0]["id"]
    code, out, _ = cli(
        server, "sandbox", "token", alice, app_id, "--page", page_id, "--scopes", "pages_show_list"
    )
    assert code == 0
    page = debug(server, demo, out.strip())
    assert (page["type"], page["expires_at"], page["profile_id"]) == ("PAGE", 0, page_id)

    bot = demo["system_users"][0]["id"]
    code, out, _ = cli(server, "sandbox", "token", bot, app_id, "--system-user", "--scopes", "ads_read")
    assert code == 0
    system_user = debug(server, demo, out.strip())
    assert (system_user["type"], system_user["expires_at"], system_user["scopes"]) == (
        "SYSTEM_USER",
        0,
        ["ads_read"],
    )


def test_refusals_exit_non_zero_with_nothing_on_stdout(server: LiveServer, demo: dict[str, Any]) -> None:
    app_id = demo["app"]["id"]
    code, out, err = cli(server, "sandbox", "token", "nobody@example.com", app_id)
    assert (code, out) == (1, "") and "no person with e-mail nobody@example.com" in err
    code, out, err = cli(server, "sandbox", "token", "alice@demo.adgate.test", app_id, "--scopes", "ads_all")
    assert (code, out) == (1, "") and "Unknown permission(s): ads_all" in err and '"code": 100' in err
    code, out, err = cli(server, "sandbox", "token", "alice@demo.adgate.test", "123456789012345")
    assert (code, out) == (1, "") and '"code": 803' in err
    code, out, err = cli(server, "sandbox", "token", "1", app_id, "--system-user", "--short")
    assert code == 2 and out == "" and "--system-user" in err


def test_on_a_terminal_it_says_what_it_minted(server: LiveServer, demo: dict[str, Any]) -> None:
    command = [
        sys.executable,
        "-m",
        "adgate",
        "sandbox",
        "token",
        "alice@demo.adgate.test",
        demo["app"]["id"],
    ]
    command += ["--scopes", "ads_management", "--url", server.url, "--admin-key", server.admin_key]
    shown = in_terminal(command, columns=100, env=dict(os.environ))
    token, about = shown.strip().split("\n")
    assert debug(server, demo, token)["is_valid"] is True
    assert about == "long-lived user token, expires in 60 days; scopes: ads_management"


def test_the_demo_as_shell_variables(server: LiveServer, demo: dict[str, Any]) -> None:
    code, out, err = cli(server, "sandbox", "demo", "--env")
    assert (code, err) == (0, "")
    exported = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines())
    assert exported["ADGATE_URL"] == server.url and exported["ADMIN_KEY"] == server.admin_key
    assert exported["APP_ID"] == demo["app"]["id"] and exported["APP_SECRET"] == demo["app"]["secret"]
    assert exported["AD_ACCOUNT_ID"] == demo["ad_accounts"][0]["id"]
    assert exported["SYSTEM_USER_ID"] == demo["system_users"][0]["id"]
    assert exported["RITA_ID"] == demo["people"][3]["id"]


def test_people_are_named_by_e_mail_in_password_logout_and_role(
    server: LiveServer, demo: dict[str, Any]
) -> None:
    code, _, _ = cli(server, "sandbox", "password", "CAROL@demo.adgate.test", "--password", "new-password-1")
    assert code == 0
    code, _, _ = cli(server, "sandbox", "logout", "carol@demo.adgate.test")
    assert code == 0
    code, _, _ = cli(server, "sandbox", "role", "app", demo["app"]["id"], "carol@demo.adgate.test", "tester")
    assert code == 0
    headers = {"Authorization": f"Bearer {server.admin_key}"}
    world = httpx.get(f"{server.url}/_sandbox/world", headers=headers).json()
    carol = next(p for p in world["people"] if p["email"] == "carol@demo.adgate.test")
    assert (carol["password_epoch"], carol["session_epoch"]) == (1, 1)
    assert {
        "kind": "app",
        "object_id": demo["app"]["id"],
        "person_id": carol["id"],
        "role": "tester",
    } in world["roles"]


def test_review_submit_quiet_prints_the_id_alone(server: LiveServer, demo: dict[str, Any]) -> None:
    code, out, _ = cli(
        server, "review", "submit", demo["app"]["id"], "ads_management_basic_access", "--quiet"
    )
    assert code == 0
    code, decided, _ = cli(server, "review", "decide", out.strip(), "approve")
    assert code == 0 and '"status": "approved"' in decided
