"""The dialog's browser session, its CSRF tokens and the login throttle, over HTTP
(RFC 6749 §10.12, RFC 9700 §4.7, RFC 6819 §4.4.3.6; docs/graph-facts.md §1.1 reauthenticate).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from dialog_driver import (
    PASSWORD,
    Cast,
    allow,
    consent_page,
    dialog_params,
    is_error_page,
    log_in,
    make_cast,
    only_form,
    open_dialog,
    submit,
)
from html_forms import forms

from adgate.clock import SandboxClock
from adgate.services.dialog.browser_sessions import SESSION_SECONDS
from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


@pytest.fixture
async def cast(services: Services) -> Cast:
    return await make_cast(services)


# --- sessions -----------------------------------------------------------------------------------
async def test_the_session_cookie_is_httponly_and_samesite_lax(client: httpx.AsyncClient, cast: Cast) -> None:
    page = await open_dialog(client, dialog_params(cast))
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("adgate_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    consent = await log_in(client, page)
    assert "Max-Age=" in consent.headers["set-cookie"]


async def test_a_login_starts_a_new_session_id(client: httpx.AsyncClient, cast: Cast) -> None:
    page = await open_dialog(client, dialog_params(cast))
    before = client.cookies["adgate_session"]
    old_token = only_form(page, "login-form").hidden("fb_dtsg")
    consent = await log_in(client, page)
    assert client.cookies["adgate_session"] != before
    assert only_form(consent, "consent-form").hidden("fb_dtsg") != old_token


async def test_a_logged_in_person_is_not_asked_for_the_password_again(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await allow(client, await consent_page(client, dialog_params(cast, scope="ads_read")))
    again = await open_dialog(client, dialog_params(cast, scope="email"))
    assert "login-form" not in forms(again.text)
    assert only_form(again, "consent-form").checkboxes == {"grant": ["email"]}


async def test_reauthenticate_asks_for_the_password_even_when_logged_in(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await allow(client, await consent_page(client, dialog_params(cast)))
    page = await open_dialog(client, dialog_params(cast, auth_type="reauthenticate"))
    form = only_form(page, "login-form")
    assert form.hidden("auth_type") == "reauthenticate"
    assert ("email", "ada@example.com") in form.fields
    consent = await log_in(client, page)
    assert "consent-form" in forms(consent.text)


async def test_reauthenticate_refuses_allow_when_the_password_is_not_fresh(
    client: httpx.AsyncClient, clock: SandboxClock, cast: Cast
) -> None:
    page = await consent_page(client, dialog_params(cast))
    clock.advance(3600)
    tampered = only_form(page, "consent-form")
    data = tampered.data(button=("decision", "allow"), auth_type="reauthenticate")
    response = await submit(client, tampered, data)
    assert response.status_code == 200
    assert "login-form" in forms(response.text)


@pytest.mark.parametrize("change", ["password", "logout"])
async def test_a_password_change_or_log_out_ends_the_session(
    client: httpx.AsyncClient, services: Services, cast: Cast, change: str
) -> None:
    page = await consent_page(client, dialog_params(cast))
    if change == "password":
        await services.world.change_password(cast.admin.id, "a brand new password")
    else:
        await services.world.log_out(cast.admin.id)
    assert "login-form" in forms((await open_dialog(client, dialog_params(cast))).text)
    # An Allow from the page shown before the change is not honoured either.
    form = only_form(page, "consent-form")
    response = await submit(client, form, form.data(button=("decision", "allow")))
    assert response.status_code == 200
    assert "login-form" in forms(response.text)


async def test_a_session_ends_after_its_lifetime_on_the_server_clock(
    client: httpx.AsyncClient, clock: SandboxClock, cast: Cast
) -> None:
    await consent_page(client, dialog_params(cast))
    clock.advance(SESSION_SECONDS - 1)
    assert "consent-form" in forms((await open_dialog(client, dialog_params(cast))).text)
    clock.advance(1)
    assert "login-form" in forms((await open_dialog(client, dialog_params(cast))).text)


async def test_a_forged_session_cookie_is_ignored(client: httpx.AsyncClient, cast: Cast) -> None:
    await consent_page(client, dialog_params(cast))
    value = client.cookies["adgate_session"]
    version, body, signature = value.split(".")
    # Another first character: all six of its bits are the signature's (replacing the last two
    # with "AA" left it as it was whenever it ended in "A" and one of "ABCD", one time in 1,024).
    forged = ("B" if signature[0] != "B" else "C") + signature[1:]
    client.cookies.set("adgate_session", f"{version}.{body}.{forged}", domain="adgate.test")
    assert "login-form" in forms((await open_dialog(client, dialog_params(cast))).text)


# --- CSRF ---------------------------------------------------------------------------------------
async def test_a_form_without_its_csrf_token_is_refused(client: httpx.AsyncClient, cast: Cast) -> None:
    page = await open_dialog(client, dialog_params(cast))
    form = only_form(page, "login-form")
    data = [(k, v) for k, v in form.data(email="ada@example.com", password=PASSWORD) if k != "fb_dtsg"]
    is_error_page(await submit(client, form, data), 403, "This form has expired")


async def test_a_wrong_csrf_token_is_refused(client: httpx.AsyncClient, cast: Cast) -> None:
    page = await consent_page(client, dialog_params(cast))
    form = only_form(page, "consent-form")
    response = await submit(client, form, form.data(button=("decision", "allow"), fb_dtsg="x" * 43))
    is_error_page(response, 403, "This form has expired")


async def test_a_csrf_token_from_another_browser_is_refused(
    client: httpx.AsyncClient, app: Any, cast: Cast
) -> None:
    page = await consent_page(client, dialog_params(cast))
    form = only_form(page, "consent-form")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://adgate.test"
    ) as other:
        await open_dialog(other, dialog_params(cast))  # its own anonymous session
        response = await submit(other, form, form.data(button=("decision", "allow")))
    is_error_page(response, 403, "This form has expired")


async def test_a_post_without_any_session_cookie_is_refused(client: httpx.AsyncClient, cast: Cast) -> None:
    page = await open_dialog(client, dialog_params(cast))
    form = only_form(page, "login-form")
    client.cookies.clear()
    response = await submit(client, form, form.data(email="ada@example.com", password=PASSWORD))
    is_error_page(response, 403)


async def test_hidden_fields_are_validated_again_on_post(client: httpx.AsyncClient, cast: Cast) -> None:
    page = await consent_page(client, dialog_params(cast, state="s"))
    form = only_form(page, "consent-form")
    for tampered in (
        {"redirect_uri": "https://evil.example/"},
        {"client_id": "123456789012345"},
        {"scope": "no_such_permission"},
    ):
        response = await submit(client, form, form.data(button=("decision", "allow"), **tampered))
        is_error_page(response, 400)
    cancel = await submit(
        client, form, form.data(button=("decision", "cancel"), redirect_uri="https://evil.example/")
    )
    is_error_page(cancel, 400, "URL Blocked")


async def test_pages_cannot_be_framed(client: httpx.AsyncClient, cast: Cast) -> None:
    page = await open_dialog(client, dialog_params(cast))
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


async def test_the_stylesheet_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/dialog.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


# --- the login throttle -------------------------------------------------------------------------
async def test_a_wrong_password_shows_the_form_again(client: httpx.AsyncClient, cast: Cast) -> None:
    page = await open_dialog(client, dialog_params(cast))
    response = await log_in(client, page, password="wrong password")
    assert response.status_code == 200
    assert "incorrect" in response.text
    assert ("email", "ada@example.com") in only_form(response, "login-form").fields


async def test_repeated_failures_for_one_email_lock_it_for_a_while(
    client: httpx.AsyncClient, services: Services, clock: SandboxClock, cast: Cast
) -> None:
    await services.world.assign_role("app", cast.app.id, cast.stranger.id, "tester")
    page = await open_dialog(client, dialog_params(cast))
    for _ in range(5):
        page = await log_in(client, page, password="wrong password")
        assert page.status_code == 200
    locked = await log_in(client, page, password=PASSWORD)  # even the right password
    assert locked.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in locked.text
    other = await log_in(client, locked, email="sam@example.com")  # another e-mail is not locked
    assert "consent-form" in forms(other.text)
    clock.advance(15 * 60)
    page = await open_dialog(client, dialog_params(cast, auth_type="reauthenticate"))
    assert "consent-form" in forms((await log_in(client, page)).text)


async def test_repeated_failures_from_one_client_lock_the_client(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    page = await open_dialog(client, dialog_params(cast))
    for i in range(20):
        page = await log_in(client, page, email=f"nobody{i}@example.com", password="wrong password")
        assert page.status_code == 200
    locked = await log_in(client, page)
    assert locked.status_code == 429


async def test_the_sandbox_reset_forgets_failures(
    client: httpx.AsyncClient, services: Services, cast: Cast
) -> None:
    page = await open_dialog(client, dialog_params(cast))
    for _ in range(5):
        page = await log_in(client, page, password="wrong password")
    assert (await log_in(client, page)).status_code == 429
    await services.on_reset()
    assert (await log_in(client, page)).status_code == 200
