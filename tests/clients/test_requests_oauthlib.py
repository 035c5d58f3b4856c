"""requests-oauthlib with ``facebook_compliance_fix`` runs the whole code flow against a live server
(docs/graph-facts.md §12.5; docs/graph-facts.md §1.1, §1.2): the dialog's forms, the redirect with the code,
the
exchange, then ``/me`` with the Bearer header."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from html_forms import forms, query_of
from live_world import LiveWorld, make_world
from requests_oauthlib import OAuth2Session
from requests_oauthlib.compliance_fixes import facebook_compliance_fix

from adgate.testing.server import LiveServer

CALLBACK = "http://127.0.0.1/cb"


def consent_in_a_browser(server: LiveServer, world: LiveWorld, authorization_url: str) -> str:
    """What a person does in the dialog: log in, allow. Returns the redirect's Location."""
    browser = requests.Session()
    page = browser.get(authorization_url, timeout=10)
    assert page.status_code == 200, page.text
    login = forms(page.text)["login-form"]
    consent = browser.post(
        urljoin(server.url, login.action),
        data=login.data(email=world.email, password=world.password),
        timeout=10,
    )
    assert consent.status_code == 200, consent.text
    form = forms(consent.text)["consent-form"]
    assert form.checkboxes == {"grant": ["ads_read", "ads_management"]}
    done = browser.post(
        urljoin(server.url, form.action),
        data=form.data(button=("decision", "allow")),
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 302, done.text
    location: str = done.headers["Location"]
    assert location.startswith(CALLBACK + "?code=")
    return location


@pytest.mark.parametrize(
    "fetch_options",
    [
        pytest.param({}, id="basic-auth-post"),
        pytest.param({"include_client_id": True, "method": "GET"}, id="facebook-native-get"),
    ],
)
def test_the_code_flow_then_me_with_the_bearer_header(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch, fetch_options: dict[str, Any]
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # loopback http only
    world = make_world(server, CALLBACK)
    fb = facebook_compliance_fix(
        OAuth2Session(world.app_id, redirect_uri=CALLBACK, scope=["ads_read", "ads_management"])
    )
    url, state = fb.authorization_url(f"{server.url}/v26.0/dialog/oauth")
    assert query_of(url)["scope"] == "ads_read ads_management"

    location = consent_in_a_browser(server, world, url)
    assert query_of(location)["state"] == state

    token = fb.fetch_token(
        f"{server.url}/v26.0/oauth/access_token",
        client_secret=world.app_secret,
        authorization_response=location,
        **fetch_options,
    )
    assert token["token_type"].lower() == "bearer"
    # The server-side flow gives a long-lived token (docs/graph-facts.md §1.2).
    assert token["expires_in"] > 5_000_000

    me = fb.get(f"{server.url}/v26.0/me")
    assert me.status_code == 200, me.text
    assert me.json()["id"] == world.person_id
    assert me.json()["name"] == "Ada Admin"


def test_the_code_flow_with_pkce(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """RFC 7636: requests-oauthlib sends an S256 challenge and later the verifier."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    world = make_world(server, CALLBACK)
    fb = facebook_compliance_fix(
        OAuth2Session(world.app_id, redirect_uri=CALLBACK, scope=["ads_read", "ads_management"], pkce="S256")
    )
    url, _state = fb.authorization_url(f"{server.url}/v26.0/dialog/oauth")
    assert query_of(url)["code_challenge_method"] == "S256"
    location = consent_in_a_browser(server, world, url)
    token = fb.fetch_token(
        f"{server.url}/v26.0/oauth/access_token",
        client_secret=world.app_secret,
        authorization_response=location,
    )
    assert fb.get(f"{server.url}/v26.0/me").json()["id"] == world.person_id
    assert token["access_token"]
