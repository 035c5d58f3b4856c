"""Building a small world on a live server through its sandbox control API (for client tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests
from html_forms import forms

from adgate.testing.server import LiveServer

PASSWORD = "correct horse battery"


@dataclass
class LiveWorld:
    person_id: str
    email: str
    password: str
    app_id: str
    app_secret: str


def sandbox(server: LiveServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(
        f"{server.url}/_sandbox/{path}",
        json=body,
        headers={"Authorization": f"Bearer {server.admin_key}"},
        timeout=10,
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def make_world(
    server: LiveServer, redirect_uri: str, email: str = "ada@example.com", name: str = "Ada Admin"
) -> LiveWorld:
    person = sandbox(server, "people", {"name": name, "email": email, "password": PASSWORD})
    app = sandbox(
        server, "apps", {"name": "Ads Helper", "redirect_uris": [redirect_uri], "admin_id": person["id"]}
    )
    return LiveWorld(person["id"], email, PASSWORD, app["id"], app["secret"])


def consent(browser: requests.Session, world: LiveWorld, authorization_url: str, grants: list[str]) -> str:
    """What a person does in the dialog: log in, allow ``grants`` (the consent page's checkboxes, in
    order). Returns the redirect's Location, not followed."""
    page = browser.get(authorization_url, timeout=10)
    assert page.status_code == 200, page.text
    login = forms(page.text)["login-form"]
    asked = browser.post(
        urljoin(page.url, login.action),
        data=login.data(email=world.email, password=world.password),
        timeout=10,
    )
    assert asked.status_code == 200, asked.text
    form = forms(asked.text)["consent-form"]
    assert form.checkboxes == {"grant": grants}
    done = browser.post(
        urljoin(asked.url, form.action),
        data=form.data(button=("decision", "allow")),
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 302, done.text
    location: str = done.headers["Location"]
    return location
