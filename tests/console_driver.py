"""Driving the consoles over HTTP as a browser would: sign in, read a form, submit it."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
from html_forms import Form, forms

from adgate import records as r
from adgate.services.registry import Services

PASSWORD = "correct horse battery"


async def person(
    services: Services, name: str = "Ada Admin", email: str = "ada@example.com", *, reviewer: bool = False
) -> r.Person:
    return await services.world.create_person(name, email, PASSWORD, is_reviewer=reviewer)


def form_of(page: httpx.Response, form_id: str) -> Form:
    found = forms(page.text)
    assert form_id in found, f"{form_id} not in {list(found)}: {page.text[:800]}"
    return found[form_id]


async def submit(
    client: httpx.AsyncClient, page: httpx.Response, form_id: str, **values: str
) -> httpx.Response:
    form = form_of(page, form_id)
    return await post(client, form.action, form.data(**values))  # type: ignore[arg-type]  # values: fields only


async def post(client: httpx.AsyncClient, action: str, data: list[tuple[str, str]]) -> httpx.Response:
    return await client.post(
        action, content=urlencode(data), headers={"content-type": "application/x-www-form-urlencoded"}
    )


async def sign_in(
    client: httpx.AsyncClient, email: str = "ada@example.com", password: str = PASSWORD
) -> None:
    page = await client.get("/console/login")
    response = await submit(client, page, "login-form", email=email, password=password)
    assert response.status_code == 303, response.text


async def new_app(client: httpx.AsyncClient, name: str = "Ads Helper") -> str:
    page = await client.get("/console/apps")
    response = await submit(client, page, "create-app-form", name=name)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    return location.split("/console/apps/", 1)[1].split("?", 1)[0]


async def signed_in(client: httpx.AsyncClient, services: Services) -> r.Person:
    """Ada, made and signed in to the console."""
    ada = await person(services)
    await sign_in(client)
    return ada


async def signed_in_app(client: httpx.AsyncClient, services: Services) -> str:
    """Ada signed in, with a new app made in the console: its id."""
    await signed_in(client, services)
    return await new_app(client)


async def stored_app(services: Services, app_id: str) -> r.App:
    """The app as the store holds it now."""
    async with services.core.db.transaction() as tx:
        app = await tx.apps.get(app_id)
    assert app is not None, app_id
    return app
