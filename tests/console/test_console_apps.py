"""Sign in, My apps, create an app, its secret, its settings and roles ."""

from __future__ import annotations

import httpx
import pytest
from console_driver import (
    PASSWORD,
    form_of,
    new_app,
    person,
    post,
    sign_in,
    signed_in,
    signed_in_app,
    stored_app,
    submit,
)

from adgate.services.registry import Services

pytestmark = pytest.mark.anyio


async def test_pages_need_a_signed_in_person(client: httpx.AsyncClient) -> None:
    response = await client.get("/console/apps")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=/console/apps"


async def test_a_wrong_password_is_a_message_on_the_page(
    client: httpx.AsyncClient, services: Services
) -> None:
    await person(services)
    page = await client.get("/console/login")
    response = await submit(client, page, "login-form", email="ada@example.com", password="nope nope")
    assert response.status_code == 400
    assert "The e-mail address or the password is not right." in response.text


async def test_sign_in_goes_only_to_console_pages(client: httpx.AsyncClient, services: Services) -> None:
    await person(services)
    page = await client.get("/console/login?next=//evil.example/")
    response = await submit(client, page, "login-form", email="ada@example.com", password=PASSWORD)
    assert response.headers["location"] == "/console/apps"


async def test_a_form_without_the_csrf_token_is_refused(
    client: httpx.AsyncClient, services: Services
) -> None:
    await signed_in(client, services)
    response = await post(client, "/console/apps", [("name", "Sneaky")])
    assert response.status_code == 403
    assert "This form has expired" in response.text
    response = await post(client, "/console/apps", [("name", "Sneaky"), ("fb_dtsg", "forged")])
    assert response.status_code == 403
    assert "Sneaky" not in (await client.get("/console/apps")).text


async def test_create_an_app_shows_its_id_and_not_its_secret(
    client: httpx.AsyncClient, services: Services
) -> None:
    app_id = await signed_in_app(client, services)
    page = await client.get(f"/console/apps/{app_id}?created=1")
    assert page.status_code == 200
    assert app_id in page.text
    app = await stored_app(services, app_id)
    assert app.access_level == "development"
    secret = services.world.app_secret(app)
    assert secret not in page.text
    assert app_id in (await client.get("/console/apps")).text


async def test_an_empty_name_is_refused_with_a_message(client: httpx.AsyncClient, services: Services) -> None:
    await signed_in(client, services)
    page = await client.get("/console/apps")
    response = await submit(client, page, "create-app-form", name="   ")
    assert response.status_code == 400
    assert "name must be 1 to 200 characters" in response.text


async def test_the_secret_is_shown_only_after_the_password(
    client: httpx.AsyncClient, services: Services
) -> None:
    app_id = await signed_in_app(client, services)
    page = await client.get(f"/console/apps/{app_id}")
    wrong = await submit(client, page, "reveal-form", password="not my password")
    assert wrong.status_code == 400
    assert "That password is not right." in wrong.text
    secret = services.world.app_secret(await stored_app(services, app_id))
    assert secret not in wrong.text
    shown = await submit(client, page, "reveal-form", password=PASSWORD)
    assert shown.status_code == 200
    assert secret in shown.text


async def test_reset_needs_confirmation_and_gives_a_new_secret(
    client: httpx.AsyncClient, services: Services
) -> None:
    app_id = await signed_in_app(client, services)
    page = await client.get(f"/console/apps/{app_id}")
    unconfirmed = await submit(client, page, "reset-form", password=PASSWORD)
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm" in unconfirmed.text
    done = await submit(client, page, "reset-form", password=PASSWORD, confirm="on")
    assert done.status_code == 200
    app = await stored_app(services, app_id)
    assert app.secret_version == 1
    assert services.world.app_secret(app) in done.text


async def test_a_bare_site_url_needs_its_trailing_slash(
    client: httpx.AsyncClient, services: Services
) -> None:
    app_id = await signed_in_app(client, services)
    page = await client.get(f"/console/apps/{app_id}/settings")
    assert "Put a trailing" in page.text
    bad = await submit(client, page, "settings-form", site_url="https://www.example.com")
    assert bad.status_code == 400
    assert "add a trailing / (https://www.example.com/)" in bad.text
    good = await submit(
        client,
        page,
        "settings-form",
        site_url="https://www.example.com/",
        redirect_uris="https://app.example/callback\nhttps://app.example/other",
        mode="live",
        require_app_secret="on",
    )
    assert good.status_code == 200, good.text
    app = await stored_app(services, app_id)
    assert app.site_url == "https://www.example.com/"
    assert app.redirect_uris == ("https://app.example/callback", "https://app.example/other")
    assert app.mode == "live" and app.require_app_secret


async def test_roles_are_added_by_email_and_the_last_admin_stays(
    client: httpx.AsyncClient, services: Services
) -> None:
    ada = await signed_in(client, services)
    bob = await person(services, "Bob Builder", "bob@example.com")
    app_id = await new_app(client)
    page = await client.get(f"/console/apps/{app_id}/roles")
    unknown = await submit(client, page, "add-role-form", email="nobody@example.com", role="developer")
    assert unknown.status_code == 400
    assert "No person has the e-mail address nobody@example.com." in unknown.text
    added = await submit(client, page, "add-role-form", email="bob@example.com", role="developer")
    assert added.status_code == 200
    assert "Bob Builder is now developer" in added.text
    remove = f"/console/apps/{app_id}/roles/remove"
    csrf = form_of(page, "add-role-form").hidden("fb_dtsg")
    alone = await post(client, remove, [("fb_dtsg", csrf), ("person_id", ada.id)])
    assert alone.status_code == 400
    assert "at least one administrator" in alone.text
    removed = await post(client, remove, [("fb_dtsg", csrf), ("person_id", bob.id)])
    assert removed.status_code == 200
    assert "Bob Builder" not in removed.text


async def test_an_app_without_a_role_is_not_found(client: httpx.AsyncClient, services: Services) -> None:
    await person(services)
    other = await person(services, "Sam", "sam@example.com")
    app, _secret = await services.world.create_app("Not yours", admin_id=other.id)
    await sign_in(client)
    for path in (f"/console/apps/{app.id}", f"/console/apps/{app.id}/settings", "/console/apps/nonsense"):
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_a_password_change_ends_the_console_session(
    client: httpx.AsyncClient, services: Services
) -> None:
    ada = await signed_in(client, services)
    assert (await client.get("/console/apps")).status_code == 200
    await services.world.change_password(ada.id, "a brand new password")
    assert (await client.get("/console/apps")).status_code == 303
