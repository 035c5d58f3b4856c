"""The unmodified ``python-facebook-api`` (``pyfacebook``) against a live adgate.

Pointed at the server through its constructor: ``base_url`` (with a trailing ``/``),
``authorization_url`` and ``access_token_url``. It logs in through requests-oauthlib (the dialog,
the code exchange), sends an ``appsecret_proof`` with its calls when it has the app secret (adgate
verifies every proof sent; the app does not require one, as pyfacebook's token helpers send none),
and reads the usage headers into ``api.rate_limit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from live_world import LiveWorld, consent
from pyfacebook import FacebookApi, FacebookError, GraphAPI

from adgate.testing import LiveServer, Sandbox
from adgate.testing.sandbox import App, Person

CALLBACK = "https://app.example/callback"
SCOPES = ["ads_read", "pages_show_list"]


@dataclass
class World:
    server: LiveServer
    sandbox: Sandbox
    person: Person
    app: App
    accounts: list[str]
    page_id: str

    def urls(self) -> dict[str, str]:
        base = self.server.url
        return {
            "base_url": f"{base}/",
            "authorization_url": f"{base}/dialog/oauth",
            "access_token_url": f"{base}/oauth/access_token",
        }

    def api(self, token: str | None = None) -> GraphAPI:
        if token is None:
            login = {"oauth_flow": True, "redirect_uri": CALLBACK, "scope": SCOPES}
            return GraphAPI(self.app.id, self.app.secret, **login, **self.urls())
        return GraphAPI(self.app.id, self.app.secret, access_token=token, **self.urls())


@pytest.fixture
def world(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # loopback http only
    sandbox = Sandbox(server.url, server.admin_key)
    person = sandbox.person("Ada King Lovelace")
    app = sandbox.app("Ads Helper", admin=person, level="standard", redirect_uri=CALLBACK)
    accounts = [sandbox.ad_account(f"Account {n}", admins=[person]).node for n in range(3)]
    page_id = sandbox.page("Shoes", admins=[person])
    try:
        yield World(server, sandbox, person, app, accounts, page_id)
    finally:
        sandbox.close()


def log_in(world: World) -> GraphAPI:
    api = world.api()
    url, _state = api.get_authorization_url()
    assert url.startswith(f"{world.server.url}/dialog/oauth?")
    login = LiveWorld(
        world.person.id, world.person.email, world.person.password, world.app.id, world.app.secret
    )
    with requests.Session() as browser:
        location = consent(browser, login, url, SCOPES)
    token = api.exchange_user_access_token(response=location)
    assert token["access_token"] == api.access_token
    return api


def test_login_token_exchange_and_debug_token(world: World) -> None:
    api = log_in(world)
    long_lived = api.exchange_long_lived_user_access_token()
    assert long_lived["access_token"] != api.access_token and long_lived["expires_in"] > 5_000_000
    app_token = api.get_app_token()["access_token"]
    debug = api.debug_token(long_lived["access_token"], access_token=app_token)["data"]
    assert (debug["is_valid"], debug["user_id"], debug["app_id"]) == (True, world.person.id, world.app.id)


def test_the_user_node_and_a_batch_read(world: World) -> None:
    token = log_in(world).access_token
    fb = FacebookApi(world.app.id, world.app.secret, access_token=token, **world.urls())
    me = fb.user.get_info(user_id="me")  # first_name, last_name, middle_name, … picture
    assert (me.id, me.first_name, me.middle_name, me.last_name) == (
        world.person.id,
        "Ada",
        "King",
        "Lovelace",
    )
    assert (me.short_name, me.name_format, me.picture.data.is_silhouette) == ("Ada", "{first} {last}", True)
    batch = fb.user.get_batch(ids=[world.person.id], fields="name")
    assert batch[world.person.id].name == "Ada King Lovelace"


def test_page_tokens_through_the_users_own_id(world: World) -> None:
    token = log_in(world).access_token
    api = world.api(token)
    pages = api.exchange_long_lived_page_access_token(user_id=world.person.id, access_token=token)["data"]
    assert [(p["id"], p["name"]) for p in pages] == [(world.page_id, "Shoes")]
    page_token = api.exchange_page_access_token(page_id=world.page_id)
    debug = api.debug_token(page_token, access_token=f"{world.app.id}|{world.app.secret}")["data"]
    assert (debug["type"], debug["expires_at"]) == ("PAGE", 0)  # from a long-lived user token: never expires


def test_paging_and_the_usage_headers(world: World) -> None:
    api = world.api(log_in(world).access_token)
    listed = api.get_full_connections("me", "adaccounts", count=None, limit=2, fields="name")
    assert sorted(a["id"] for a in listed["data"]) == sorted(world.accounts)
    api.get_connection(world.accounts[0], "campaigns")
    account_usage = api.rate_limit.get_limit(ad_account_limit=True)
    assert account_usage.ads_api_access_tier == "standard_access"
    api.get_object("me")
    assert api.rate_limit.get_limit().call_count >= 0  # X-App-Usage, parsed by the client


def test_errors_carry_code_and_subcode(world: World) -> None:
    api = world.api(log_in(world).access_token)
    with pytest.raises(FacebookError) as unknown:
        api.get_object("me", fields="id,favourite_colour")
    assert (unknown.value.code, unknown.value.type) == (100, "OAuthException")
    with pytest.raises(FacebookError) as bad_proof:
        GraphAPI(world.app.id, "not-the-secret", access_token=api.access_token, **world.urls()).get_object(
            "me"
        )
    assert bad_proof.value.code == 100 and "appsecret_proof" in bad_proof.value.message
    world.sandbox.change_password(world.person)
    with pytest.raises(FacebookError) as dead:
        api.get_object("me")
    assert (dead.value.code, dead.value.error_subcode) == (190, 460)
