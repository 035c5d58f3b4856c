"""Worlds for the app-side toolkit's tests: a live adgate server driven through its sandbox API, a
browser that clicks through the login dialog, and a real SMTP server's mailbox."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode, urljoin

import httpx
from html_forms import forms

from adgate.testing.server import LiveServer

CALLBACK = "https://app.example/callback"
PASSWORD = "correct horse battery"
STATE_KEY = "a state key the app keeps secret"


# --- the sandbox -------------------------------------------------------------------------------
@dataclass
class Person:
    id: str
    email: str
    password: str


@dataclass
class App:
    id: str
    secret: str


class Sandbox:
    """The server's ``/_sandbox`` control API, with the admin key."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.admin_key}"}, timeout=30
        )

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"/_sandbox/{path}", json=body)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def person(self, name: str, email_address: str, password: str = PASSWORD) -> Person:
        found = self.post("people", {"name": name, "email": email_address, "password": password})
        return Person(found["id"], email_address, password)

    def app(self, name: str, admin: Person, redirect_uris: list[str] | None = None) -> App:
        found = self.post(
            "apps", {"name": name, "admin_id": admin.id, "redirect_uris": redirect_uris or [CALLBACK]}
        )
        return App(found["id"], found["secret"])

    def page(self, name: str, admin: Person) -> str:
        page_id: str = self.post("pages", {"name": name})["id"]
        self.post("roles", {"kind": "page", "object_id": page_id, "person_id": admin.id, "role": "admin"})
        return page_id

    def change_password(self, person: Person, new_password: str) -> Person:
        self.post(f"people/{person.id}/password", {"password": new_password})
        return Person(person.id, person.email, new_password)

    def advance(self, seconds: float) -> None:
        self.post("clock", {"advance": seconds})

    def close(self) -> None:
        self.http.close()


# --- a browser ----------------------------------------------------------------------------------
class Browser:
    """Clicks through the HTML login dialog with httpx (cookies kept, redirects not followed)."""

    def __init__(self) -> None:
        self.http = httpx.Client(timeout=30, follow_redirects=False)

    def submit(self, page: httpx.Response, form_id: str, data: list[tuple[str, str]]) -> httpx.Response:
        form = forms(page.text)[form_id]
        return self.http.post(
            urljoin(str(page.url), form.action),
            content=urlencode(data),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )

    def authorize(
        self, dialog_url: str, person: Person, *, decline: tuple[str, ...] = (), cancel: bool = False
    ) -> str:
        """Open the dialog, log in if asked, Allow (or Cancel); the Location it redirects to."""
        page = self.http.get(dialog_url)
        assert page.status_code == 200, page.text
        found = forms(page.text)
        if "login-form" in found:
            form = found["login-form"]
            page = self.submit(page, "login-form", form.data(email=person.email, password=person.password))
            assert page.status_code == 200, page.text
        found = forms(page.text)
        assert "consent-form" in found, page.text[:1000]
        button = ("decision", "cancel" if cancel else "allow")
        response = self.submit(
            page, "consent-form", found["consent-form"].data(button=button, uncheck=decline)
        )
        assert response.status_code == 302, response.text
        return response.headers["location"]

    def close(self) -> None:
        self.http.close()


# --- a real SMTP server -------------------------------------------------------------------------
@dataclass
class Mailbox:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def links(self, message: EmailMessage) -> list[str]:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        return re.findall(r"https?://\S+", text)
