"""Building a small world on a live server through its sandbox control API (for client tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

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


def make_world(server: LiveServer, redirect_uri: str, email: str = "ada@example.com") -> LiveWorld:
    person = sandbox(server, "people", {"name": "Ada Admin", "email": email, "password": PASSWORD})
    app = sandbox(
        server, "apps", {"name": "Ads Helper", "redirect_uris": [redirect_uri], "admin_id": person["id"]}
    )
    return LiveWorld(person["id"], email, PASSWORD, app["id"], app["secret"])
