"""Worlds for token tests: people, apps and logins, made without the HTML dialog.

``login`` records what the dialog records on Allow (grants, the authorization) and hands out a code
through the same issuer; ``exchange`` redeems it at the token endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from adgate import records as r
from adgate.policy.appsecret_proof import make_proof
from adgate.policy.tokens import CODE_SECONDS
from adgate.services.registry import Services
from adgate.services.tokens.callers import issue_short_lived_user_token
from adgate.services.tokens.grants import record_authorization

CALLBACK = "https://app.example/callback"
PASSWORD = "correct horse battery"


@dataclass
class Cast:
    """One app, its admin and a second person with no role on it."""

    app: r.App
    secret: str
    admin: r.Person
    other: r.Person

    @property
    def app_token(self) -> str:
        return f"{self.app.id}|{self.secret}"


async def make_cast(
    services: Services, *, require_app_secret: bool = False, mode: str = "development"
) -> Cast:
    world = services.world
    suffix = str(len(await _people(services)))
    admin = await world.create_person("Ada Admin", f"ada{suffix}@example.com", PASSWORD)
    other = await world.create_person("Olly Other", f"olly{suffix}@example.com", PASSWORD)
    app, secret = await world.create_app(
        "Ads Helper",
        redirect_uris=[CALLBACK],
        admin_id=admin.id,
        mode=mode,
        require_app_secret=require_app_secret,
    )
    return Cast(app, secret, admin, other)


async def _people(services: Services) -> list[r.Person]:
    async with services.core.db.transaction() as tx:
        return list(await tx.people.list())


async def record_login(
    services: Services, app: r.App, person: r.Person, scopes: tuple[str, ...], declined: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """What the dialog writes on Allow: grants and a (renewed) authorization. Returns the granted."""
    core = services.core
    now = core.now()
    granted = tuple(dict.fromkeys(("public_profile", *scopes)))
    writes: dict[str, r.GrantStatus] = {name: "granted" for name in granted}
    writes.update({name: "declined" for name in declined})
    async with core.db.transaction() as tx:
        await record_authorization(tx, app.id, person.id, writes, now)
    return granted


async def login(
    services: Services,
    app: r.App,
    person: r.Person,
    scopes: tuple[str, ...] = (),
    redirect_uri: str = CALLBACK,
    *,
    declined: tuple[str, ...] = (),
    code_challenge: str | None = None,
    code_challenge_method: str | None = None,
) -> str:
    """A person allows ``app`` the ``scopes``: returns the code the dialog would redirect with."""
    granted = await record_login(services, app, person, scopes, declined)
    core = services.core
    now = core.now()
    async with core.db.transaction() as tx:
        fresh = await tx.people.get(person.id)
        assert fresh is not None
        return await core.issuer.issue_code(
            tx,
            app=app,
            person=fresh,
            redirect_uri=redirect_uri,
            scopes=granted,
            now=now,
            expires_at=now + CODE_SECONDS,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
        )


async def exchange(
    client: httpx.AsyncClient, cast: Cast, code: str, redirect_uri: str = CALLBACK, **extra: str
) -> httpx.Response:
    params = {
        "client_id": cast.app.id,
        "client_secret": cast.secret,
        "redirect_uri": redirect_uri,
        "code": code,
    }
    return await client.get("/v26.0/oauth/access_token", params={**params, **extra})


async def user_token(
    client: httpx.AsyncClient, services: Services, cast: Cast, person: r.Person, scopes: tuple[str, ...] = ()
) -> str:
    """A long-lived user token through the server-side flow."""
    response = await exchange(client, cast, await login(services, cast.app, person, scopes))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def short_lived_token(
    services: Services, cast: Cast, person: r.Person, scopes: tuple[str, ...] = ()
) -> str:
    """A client-side flow token, as the dialog mints it for ``response_type=token``."""
    granted = await record_login(services, cast.app, person, scopes)
    core = services.core
    async with core.db.transaction() as tx:
        fresh = await tx.people.get(person.id)
        assert fresh is not None
        raw, _expires_in = await issue_short_lived_user_token(
            tx, cast.app, fresh, granted, core.now(), issuer=core.issuer
        )
    return raw


async def graph(
    client: httpx.AsyncClient, method: str, path: str, token: str | None = None, **params: str
) -> httpx.Response:
    """A Graph call with ``access_token`` in the query string, as the SDK sends it."""
    if token is not None:
        params = {"access_token": token, **params}
    return await client.request(method, f"/v26.0/{path.lstrip('/')}", params=params)


def proof(secret: str, token: str) -> str:
    return make_proof(secret, token)


def error_of(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert "error" in body, body
    error: dict[str, object] = body["error"]
    return error
