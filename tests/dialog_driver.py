"""Driving the login dialog over HTTP as a browser would: a small world, forms, submits."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from html_forms import Form, forms

from adgate import records as r
from adgate.services.registry import Services

CALLBACK = "https://app.example/callback"
PASSWORD = "correct horse battery"
NOW = 1_790_000_000


@dataclass
class Cast:
    app: r.App
    admin: r.Person
    stranger: r.Person


async def make_cast(services: Services) -> Cast:
    """An app in development mode, its administrator, and a person with no role on it."""
    admin = await services.world.create_person("Ada Admin", "ada@example.com", PASSWORD)
    stranger = await services.world.create_person("Sam Stranger", "sam@example.com", PASSWORD)
    app, _secret = await services.world.create_app(
        "Ads Helper", redirect_uris=[CALLBACK, "https://app.example/other?tenant=1"], admin_id=admin.id
    )
    return Cast(app, admin, stranger)


# --- helpers ------------------------------------------------------------------------------------
def dialog_params(cast: Cast, **extra: str) -> dict[str, str]:
    return {"client_id": cast.app.id, "redirect_uri": CALLBACK, **extra}


async def open_dialog(
    client: httpx.AsyncClient, params: dict[str, str], version: str = "v26.0"
) -> httpx.Response:
    path = f"/{version}/dialog/oauth" if version else "/dialog/oauth"
    return await client.get(path, params=params)


def only_form(response: httpx.Response, form_id: str) -> Form:
    found = forms(response.text)
    assert form_id in found, f"{form_id} not in {list(found)}: {response.text[:500]}"
    return found[form_id]


async def submit(client: httpx.AsyncClient, form: Form, data: list[tuple[str, str]]) -> httpx.Response:
    body = urlencode(data)
    return await client.post(
        form.action, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )


async def log_in(
    client: httpx.AsyncClient, page: httpx.Response, email: str = "ada@example.com", password: str = PASSWORD
) -> httpx.Response:
    form = only_form(page, "login-form")
    return await submit(client, form, form.data(email=email, password=password))


async def consent_page(client: httpx.AsyncClient, params: dict[str, str], **who: str) -> httpx.Response:
    page = await open_dialog(client, params)
    if "login-form" in forms(page.text):
        page = await log_in(client, page, **who)
    assert page.status_code == 200, page.text
    return page


async def allow(client: httpx.AsyncClient, page: httpx.Response, decline: tuple[str, ...] = ()) -> str:
    form = only_form(page, "consent-form")
    response = await submit(client, form, form.data(button=("decision", "allow"), uncheck=decline))
    assert response.status_code == 302, response.text
    return response.headers["location"]


async def code_record(services: Services, code: str) -> r.AuthCode:
    async with services.core.db.transaction() as tx:
        record = await tx.codes.get(services.core.keyring.digest(code))
    assert record is not None
    return record


async def grants_of(services: Services, cast: Cast, person: r.Person | None = None) -> dict[str, str]:
    async with services.core.db.transaction() as tx:
        rows = await tx.grants.for_person(cast.app.id, (person or cast.admin).id)
    return {g.permission: g.status for g in rows}


def is_error_page(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "location" not in response.headers
    assert "Traceback" not in response.text
    for word in words:
        assert word in response.text, f"{word!r} not on the page: {response.text}"
