"""Authlib's OAuth2 client (``authlib.integrations.requests_client.OAuth2Session``), unmodified,
logs in through adgate's dialog with PKCE (RFC 7636, S256), then calls Graph with the Bearer header.

Pointed at the server by the URLs it is given (``create_authorization_url``, ``fetch_token``);
``AUTHLIB_INSECURE_TRANSPORT`` allows the loopback ``http://``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from html_forms import query_of
from live_world import LiveWorld, consent, make_world

from adgate.testing import LiveServer

CALLBACK = "http://127.0.0.1/cb"
SCOPES = ["ads_read", "ads_management"]


@pytest.fixture
def world(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> LiveWorld:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # loopback http only
    return make_world(server, CALLBACK)


@pytest.fixture
def client(world: LiveWorld) -> Iterator[OAuth2Session]:
    with OAuth2Session(
        world.app_id,
        world.app_secret,
        scope=" ".join(SCOPES),
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    ) as session:
        yield session


def authorize(server: LiveServer, world: LiveWorld, client: OAuth2Session, verifier: str) -> str:
    url, state = client.create_authorization_url(f"{server.url}/v26.0/dialog/oauth", code_verifier=verifier)
    assert query_of(url)["code_challenge_method"] == "S256"
    with requests.Session() as browser:
        location = consent(browser, world, url, SCOPES)
    assert query_of(location)["state"] == state
    return location


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_the_code_flow_with_pkce_then_me(
    server: LiveServer, world: LiveWorld, client: OAuth2Session, auth_method: str
) -> None:
    client.token_endpoint_auth_method = auth_method
    verifier = generate_token(48)
    location = authorize(server, world, client, verifier)
    token = client.fetch_token(
        f"{server.url}/v26.0/oauth/access_token", authorization_response=location, code_verifier=verifier
    )
    assert token["token_type"].lower() == "bearer" and token["expires_in"] > 5_000_000
    me = client.get(f"{server.url}/v26.0/me", params={"fields": "id,name,first_name"})
    assert me.json() == {"id": world.person_id, "name": "Ada Admin", "first_name": "Ada"}
    assert me.headers["facebook-api-version"] == "v26.0"
    debug = client.get(
        f"{server.url}/v26.0/debug_token",
        params={"input_token": token["access_token"], "access_token": f"{world.app_id}|{world.app_secret}"},
    ).json()["data"]
    assert sorted(debug["scopes"]) == sorted(["public_profile", *SCOPES])


def test_a_wrong_verifier_is_refused_and_the_exchange_extends_a_token(
    server: LiveServer, world: LiveWorld, client: OAuth2Session
) -> None:
    verifier = generate_token(48)
    location = authorize(server, world, client, verifier)
    with pytest.raises(OAuthError):
        client.fetch_token(
            f"{server.url}/v26.0/oauth/access_token",
            authorization_response=location,
            code_verifier=verifier[:-1] + "x",
        )
    token = client.fetch_token(
        f"{server.url}/v26.0/oauth/access_token", authorization_response=location, code_verifier=verifier
    )  # a failed exchange does not burn the code
    extended = client.fetch_token(
        f"{server.url}/v26.0/oauth/access_token",
        grant_type="fb_exchange_token",
        fb_exchange_token=token["access_token"],
    )
    assert extended["access_token"] != token["access_token"]
    assert client.get(f"{server.url}/v26.0/me").json()["id"] == world.person_id
