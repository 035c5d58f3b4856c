"""A world builder over the ``/_sandbox`` control API of a running server.

It speaks HTTP only, so it works the same against an in-process test server and against an
``adgate serve`` somewhere else.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx


class SandboxError(RuntimeError):
    """The control API refused a request; ``error`` is the Graph envelope's body."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(f"{status}: {error.get('message')}")
        self.status = status
        self.error = error


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    email: str
    password: str


@dataclass(frozen=True, slots=True)
class App:
    id: str
    name: str
    secret: str
    redirect_uri: str

    @property
    def app_token(self) -> str:
        """The literal ``app_id|app_secret``, accepted wherever Graph accepts an app token."""
        return f"{self.id}|{self.secret}"


@dataclass(frozen=True, slots=True)
class AdAccount:
    id: str  # numeric

    @property
    def node(self) -> str:
        return f"act_{self.id}"


class Sandbox:
    def __init__(self, url: str, admin_key: str) -> None:
        self.url = url.rstrip("/")
        self.admin_key = admin_key
        self._http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {admin_key}"}, timeout=30
        )
        self._seq = itertools.count(1)

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.request(method, path, json=body)
        data = response.json()
        if response.status_code >= 400 or (isinstance(data, dict) and "error" in data):
            raise SandboxError(response.status_code, data.get("error", {}))
        return data

    # --- the world ----------------------------------------------------------------------------
    def person(
        self, name: str = "Person", *, email: str | None = None, password: str | None = None
    ) -> Person:
        n = next(self._seq)
        email = email or f"person{n}.{name.lower().replace(' ', '.')}@sandbox.adgate.test"
        password = password or f"password-{n}-sandbox"
        data = self.call("POST", "/_sandbox/people", {"name": name, "email": email, "password": password})
        return Person(data["id"], name, email, password)

    def business(self, name: str = "Business", *, admin: Person | None = None) -> str:
        data = self.call(
            "POST", "/_sandbox/businesses", {"name": name, "admin_id": admin.id if admin else None}
        )
        return str(data["id"])

    def ad_account(
        self,
        name: str = "Ad account",
        *,
        admins: Sequence[Person] = (),
        advertisers: Sequence[Person] = (),
        business_id: str | None = None,
        currency: str = "USD",
    ) -> AdAccount:
        data = self.call(
            "POST", "/_sandbox/ad_accounts", {"name": name, "business_id": business_id, "currency": currency}
        )
        account = AdAccount(data["id"])
        for people, role in ((admins, "admin"), (advertisers, "advertiser")):
            for person in people:
                self.role("ad_account", account.id, person, role)
        return account

    def page(self, name: str = "Page", *, admins: Sequence[Person] = (), category: str = "Brand") -> str:
        page_id = str(self.call("POST", "/_sandbox/pages", {"name": name, "category": category})["id"])
        for person in admins:
            self.role("page", page_id, person, "admin")
        return page_id

    def app(
        self,
        name: str = "App",
        *,
        admin: Person | None = None,
        developers: Sequence[Person] = (),
        level: str | None = None,
        mode: str = "development",
        redirect_uri: str = "https://app.sandbox.adgate.test/callback",
        require_app_secret: bool = False,
    ) -> App:
        data = self.call(
            "POST",
            "/_sandbox/apps",
            {
                "name": name,
                "admin_id": admin.id if admin else None,
                "redirect_uris": [redirect_uri],
                "site_url": redirect_uri.split("/callback")[0].rstrip("/") + "/",
                "mode": mode,
                "require_app_secret": require_app_secret,
            },
        )
        app = App(data["id"], name, data["secret"], redirect_uri)
        for person in developers:
            self.role("app", app.id, person, "developer")
        if level:
            self.set_level(app, level)
        return app

    def role(self, kind: str, object_id: str, person: Person, role: str) -> None:
        self.call(
            "POST",
            "/_sandbox/roles",
            {"kind": kind, "object_id": object_id, "person_id": person.id, "role": role},
        )

    def set_level(self, app: App, level: str) -> None:
        self.call("POST", f"/_sandbox/apps/{app.id}/access_level", {"level": level})

    # --- tokens -------------------------------------------------------------------------------
    def user_token(
        self,
        person: Person,
        app: App,
        scopes: Sequence[str] = ("ads_management",),
        *,
        long_lived: bool = True,
    ) -> str:
        """A user token as if the person had logged in and granted ``scopes``."""
        body = {
            "kind": "user",
            "app_id": app.id,
            "person_id": person.id,
            "scopes": list(scopes),
            "long_lived": long_lived,
        }
        return str(self.call("POST", "/_sandbox/tokens", body)["access_token"])

    def page_token(self, person: Person, app: App, page_id: str, *, long_lived: bool = True) -> str:
        body = {
            "kind": "page",
            "app_id": app.id,
            "person_id": person.id,
            "page_id": page_id,
            "long_lived": long_lived,
        }
        return str(self.call("POST", "/_sandbox/tokens", body)["access_token"])

    # --- events -------------------------------------------------------------------------------
    def change_password(self, person: Person, new_password: str = "a-brand-new-password") -> None:
        self.call("POST", f"/_sandbox/people/{person.id}/password", {"password": new_password})

    def log_out(self, person: Person) -> None:
        self.call("POST", f"/_sandbox/people/{person.id}/logout")

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> int:
        """Move the server clock forward; returns the new time (Unix seconds)."""
        total = days * 86400 + hours * 3600 + minutes * 60 + seconds
        return int(self.call("POST", "/_sandbox/clock", {"advance": total})["now"])

    def now(self) -> int:
        return int(self.call("GET", "/_sandbox/clock")["now"])

    # --- faults on demand ---------------------------------------------------------------------
    def fault(
        self,
        *,
        path: str | None = None,
        method: str | None = None,
        app: App | None = None,
        token: str | None = None,
        account: AdAccount | None = None,
        error: str | None = None,
        code: int | None = None,
        subcode: int | None = None,
        status: int | None = None,
        latency_ms: int = 0,
        drop: bool = False,
        throttle: bool = False,
        times: int | None = None,
        probability: float | None = None,
        seed: int = 0,
        window: tuple[float, float] | None = None,
    ) -> str:
        """Make matching Graph calls fail (``/_sandbox/faults``); returns the rule's id.

        ``adgate.fault(path="/act_{id}/campaigns", code=17, subcode=2446079, times=2)`` fails the
        next two campaign listings with the user request limit; ``status=503``, ``drop=True``,
        ``throttle=True`` or ``latency_ms`` alone choose another effect.
        """
        if error is not None or code is not None:
            effect: dict[str, Any] = {"kind": "error", "error": error, "code": code, "subcode": subcode}
        elif status is not None:
            effect = {"kind": "http_status", "status": status}
        else:
            effect = {"kind": "drop" if drop else "throttle" if throttle else "latency"}
        if latency_ms:
            effect["latency_ms"] = latency_ms
        match = {
            "path": path,
            "method": method,
            "app_id": app.id if app else None,
            "token": token,
            "ad_account": account.node if account else None,
        }
        body: dict[str, Any] = {
            "match": {k: v for k, v in match.items() if v is not None},
            "effect": {k: v for k, v in effect.items() if v is not None},
            "times": times,
            "probability": probability,
            "seed": seed,
        }
        if window is not None:
            body["window"] = {"start": window[0], "end": window[1]}
        return str(
            self.call("POST", "/_sandbox/faults", {k: v for k, v in body.items() if v is not None})["id"]
        )

    def fault_events(self) -> list[dict[str, Any]]:
        """Every failure injected so far, newest first."""
        return list(self.call("GET", "/_sandbox/faults/events")["data"])

    def clear_faults(self) -> None:
        self.call("DELETE", "/_sandbox/faults")

    # --- the official SDK ---------------------------------------------------------------------
    @contextmanager
    def sdk(self, app: App, token: str, api_version: str | None = None) -> Iterator[Any]:
        """``facebook_business`` pointed at this sandbox (the class attribute, as the SDK needs)."""
        from facebook_business.api import FacebookAdsApi
        from facebook_business.session import FacebookSession

        previous = FacebookSession.GRAPH
        FacebookSession.GRAPH = self.url
        kwargs: dict[str, Any] = {"crash_log": False}
        if api_version:
            kwargs["api_version"] = api_version
        try:
            yield FacebookAdsApi.init(app.id, app.secret, token, **kwargs)
        finally:
            FacebookSession.GRAPH = previous
