"""The unmodified ``facebook-sdk`` (Python, ``import facebook``) against a live adgate.

Pointed at the server through its module constants ``facebook.FACEBOOK_GRAPH_URL`` and
``facebook.FACEBOOK_WWW_URL`` (with a trailing ``/``). Its versions stop at 3.1 (long retired):
adgate answers them as the oldest version it serves, and the Marketing API refuses them with 2635,
as Graph does; ``graph.version = "v26.0"`` reaches today's Marketing endpoints.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import facebook
import pytest
import requests
from live_world import LiveWorld, consent

from adgate.testing import LiveServer, Sandbox
from adgate.testing.sandbox import App, Person

CALLBACK = "https://app.example/callback"
SCOPES = ["email", "ads_read", "pages_show_list", "manage_pages"]


@dataclass
class World:
    sandbox: Sandbox
    person: Person
    app: App
    accounts: list[str]

    @property
    def login(self) -> LiveWorld:
        return LiveWorld(
            self.person.id, self.person.email, self.person.password, self.app.id, self.app.secret
        )


@pytest.fixture
def world(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setattr(facebook, "FACEBOOK_GRAPH_URL", f"{server.url}/")
    monkeypatch.setattr(facebook, "FACEBOOK_WWW_URL", f"{server.url}/")
    sandbox = Sandbox(server.url, server.admin_key)
    person = sandbox.person("Ada Lovelace")
    app = sandbox.app("Ads Helper", admin=person, level="standard", redirect_uri=CALLBACK)
    accounts = [sandbox.ad_account(f"Account {n}", admins=[person]).node for n in range(3)]
    try:
        yield World(sandbox, person, app, accounts)
    finally:
        sandbox.close()


def log_in(world: World) -> str:
    """The dialog at facebook-sdk's version, then ``get_access_token_from_code``: a user token."""
    url = facebook.GraphAPI(version="3.1").get_auth_url(world.app.id, CALLBACK, perms=SCOPES)
    assert "/v3.1/dialog/oauth?" in url
    with requests.Session() as browser:
        location = consent(browser, world.login, url, SCOPES)
    code = parse_qs(urlsplit(location).query)["code"][0]
    token = facebook.GraphAPI(version="3.1").get_access_token_from_code(
        code, CALLBACK, world.app.id, world.app.secret
    )
    assert token["expires_in"] > 5_000_000  # the code flow gives a long-lived token
    access_token: str = token["access_token"]
    return access_token


def test_login_me_and_the_served_version(world: World) -> None:
    graph = facebook.GraphAPI(access_token=log_in(world), version="3.1")
    me = graph.get_object("me", fields="first_name,last_name,email")
    assert me == {
        "id": world.person.id,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": world.person.email,
    }
    assert graph.get_version() == "20.0"  # v3.1 is served as the oldest version adgate serves
    assert graph.get_objects(["me", world.person.id], fields="name") == {
        "me": {"id": world.person.id, "name": "Ada Lovelace"},
        world.person.id: {"id": world.person.id, "name": "Ada Lovelace"},
    }
    granted = graph.get_permissions(world.person.id)
    assert granted == {"public_profile", *SCOPES}


def test_tokens_extended_debugged_and_the_app_token(world: World) -> None:
    token = log_in(world)
    graph = facebook.GraphAPI(access_token=token, version="3.1")
    extended = graph.extend_access_token(world.app.id, world.app.secret)
    assert extended["access_token"] != token
    debug = graph.debug_access_token(extended["access_token"], world.app.id, world.app.secret)["data"]
    assert (debug["is_valid"], debug["type"], debug["user_id"]) == (True, "USER", world.person.id)
    app_token = graph.get_app_access_token(world.app.id, world.app.secret)
    assert app_token.startswith(f"{world.app.id}|")
    assert graph.get_app_access_token(world.app.id, world.app.secret, offline=True) == (
        f"{world.app.id}|{world.app.secret}"
    )


def test_a_page_is_created_with_category_enum_and_listed(world: World) -> None:
    graph = facebook.GraphAPI(access_token=log_in(world), version="3.1")
    made = graph.put_object("me", "accounts", name="Shoes", category_enum="SHOPPING_RETAIL")
    pages = graph.get_connections(world.person.id, "accounts", fields="name,category,access_token")["data"]
    assert [(p["id"], p["name"], p["category"]) for p in pages] == [(made["id"], "Shoes", "Shopping retail")]
    page_graph = facebook.GraphAPI(access_token=pages[0]["access_token"], version="3.1")
    assert page_graph.get_object("me")["id"] == made["id"]


def test_the_marketing_api_wants_a_current_version(world: World) -> None:
    graph = facebook.GraphAPI(access_token=log_in(world), version="3.1")
    with pytest.raises(facebook.GraphAPIError) as refused:
        graph.get_connections("me", "adaccounts")
    assert refused.value.code == 2635
    graph.version = "v26.0"
    listed = list(graph.get_all_connections("me", "adaccounts", fields="name", limit=2))
    assert sorted(a["id"] for a in listed) == sorted(world.accounts)


def test_errors_are_graph_api_errors_with_code_and_type(world: World) -> None:
    graph = facebook.GraphAPI(access_token=log_in(world), version="3.1")
    with pytest.raises(facebook.GraphAPIError) as unknown:
        graph.get_object("me", fields="id,favourite_colour")
    assert unknown.value.code == 100
    assert (
        str(unknown.value)
        == "(#100) Tried accessing nonexisting field (favourite_colour) on node type (User)"
    )
    world.sandbox.change_password(world.person)
    with pytest.raises(facebook.GraphAPIError) as dead:
        graph.get_object("me")
    assert (dead.value.code, dead.value.type) == (190, "OAuthException")
