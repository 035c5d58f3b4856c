"""requests-oauthlib with ``facebook_compliance_fix`` against a running server (docs/graph-facts.md §12.5).

The login itself is recorded the way the dialog records it (``helpers.login``), through a second
set of services on the same database: the HTML dialog has its own tests.
"""

from __future__ import annotations

import asyncio

import pytest
from helpers import CALLBACK, Cast, login, make_cast
from requests_oauthlib import OAuth2Session
from requests_oauthlib.compliance_fixes import facebook_compliance_fix

from adgate.app import build_services
from adgate.testing.server import LiveServer


def world_and_code(live: LiveServer, scopes: tuple[str, ...]) -> tuple[Cast, str]:
    async def run() -> tuple[Cast, str]:
        services = build_services(live.app.state.settings, live.services.core.clock)
        try:
            cast = await make_cast(services)
            return cast, await login(services, cast.app, cast.admin, scopes)
        finally:
            await services.core.db.close()

    return asyncio.run(run())


@pytest.mark.parametrize("native", [False, True], ids=["http-basic", "facebook-get"])
def test_the_whole_code_flow_then_me_with_a_bearer_header(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch, native: bool
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # loopback http only
    cast, code = world_and_code(server, ("ads_read", "ads_management"))
    session = facebook_compliance_fix(
        OAuth2Session(cast.app.id, redirect_uri=CALLBACK, scope=["ads_read", "ads_management"])
    )
    _url, state = session.authorization_url(f"{server.url}/v26.0/dialog/oauth")
    extra = {"include_client_id": True, "method": "GET"} if native else {}
    token = session.fetch_token(
        f"{server.url}/v26.0/oauth/access_token",
        client_secret=cast.secret,
        authorization_response=f"{CALLBACK}?code={code}&state={state}",
        **extra,
    )
    assert token["token_type"] == "bearer"
    assert token["expires_in"] > 5_000_000
    me = session.get(f"{server.url}/v26.0/me")
    assert me.status_code == 200, me.text
    assert me.json() == {"id": cast.admin.id, "name": cast.admin.name}
    session.close()
