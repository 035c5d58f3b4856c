"""The login flow's wire format against real Graph's hosts and a scripted server (docs/graph-facts.md §1,
§6)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from graph_double import GraphDouble, Request, debug_answer, graph_double, graph_error

from adgate.client import (
    Authorized,
    Denied,
    GraphAPIError,
    GraphClient,
    GraphConfig,
    LoginFlow,
    StateError,
    StateSigner,
)

KEY = "a state key the app keeps secret"
CALLBACK = "https://app.example/callback"


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


@pytest.fixture
def double() -> Iterator[GraphDouble]:
    with graph_double() as d:
        yield d


Flows = Callable[..., LoginFlow]


@pytest.fixture
def flow_for() -> Iterator[Flows]:
    """Builds login flows; closes their HTTP clients at the end."""
    clients: list[GraphClient] = []

    def make(
        config: GraphConfig,
        scopes: tuple[str, ...] = ("ads_management", "ads_read"),
        now: float | None = None,
    ) -> LoginFlow:
        clients.append(GraphClient(config))
        signer = StateSigner(KEY) if now is None else StateSigner(KEY, now=lambda: now)
        return LoginFlow(clients[-1], CALLBACK, signer, scopes=scopes)

    yield make
    for client in clients:
        client.close()


def test_against_real_graph_the_dialog_is_on_www_facebook_com(flow_for: Flows) -> None:
    flow = flow_for(GraphConfig("1234", "APPSECRET"))
    url = flow.login_url("session-1")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.facebook.com", "/v26.0/dialog/oauth")
    q = query(url)
    assert q["client_id"] == "1234"
    assert q["redirect_uri"] == CALLBACK
    assert q["scope"] == "ads_management,ads_read"
    assert "auth_type" not in q
    assert flow.config.url("oauth/access_token") == "https://graph.facebook.com/v26.0/oauth/access_token"
    assert query(flow.login_url("session-1", rerequest=True))["auth_type"] == "rerequest"
    assert query(flow.login_url("session-1", scopes=["ads_read"]))["scope"] == "ads_read"


def test_against_adgate_the_dialog_and_the_api_share_one_base_url() -> None:
    config = GraphConfig.for_adgate("http://127.0.0.1:8765/", "1234", "APPSECRET", "v25.0")
    assert config.dialog_endpoint == "http://127.0.0.1:8765/v25.0/dialog/oauth"
    assert config.url("me") == "http://127.0.0.1:8765/v25.0/me"
    assert GraphConfig("1234", "s", graph_url="http://127.0.0.1:1").dialog_endpoint.startswith(
        "http://127.0.0.1:1/"
    )
    with pytest.raises(ValueError):
        GraphConfig("1234", "s", api_version="26")
    assert "APPSECRET" not in repr(config)


def test_the_callback_is_read_from_a_url_a_query_string_or_a_mapping(flow_for: Flows) -> None:
    flow = flow_for(GraphConfig("1234", "APPSECRET"))
    state = query(flow.login_url("session-1"))["state"]
    for callback in (
        f"{CALLBACK}?code=CODE1&state={state}",
        f"code=CODE1&state={state}",
        {"code": "CODE1", "state": state},
    ):
        result = flow.parse_callback(callback, "session-1")
        assert isinstance(result, Authorized) and result.code == "CODE1"
    assert "CODE1" not in repr(result)


def test_a_denial_is_a_typed_result_in_both_known_shapes(flow_for: Flows) -> None:
    flow = flow_for(GraphConfig("1234", "APPSECRET"))
    state = query(flow.login_url("s"))["state"]
    classic = flow.parse_callback(
        f"{CALLBACK}?error_reason=user_denied&error=access_denied"
        f"&error_description=The+user+denied+your+request.&state={state}",
        "s",
    )
    assert isinstance(classic, Denied)
    assert (classic.error, classic.reason, classic.description) == (
        "access_denied",
        "user_denied",
        "The user denied your request.",
    )
    newer = flow.parse_callback(
        {"error": "access_denied", "error_reason": "user_denied", "error_code": "200", "state": state}, "s"
    )
    assert isinstance(newer, Denied) and newer.error_code == 200


def test_a_callback_without_state_or_for_another_session_is_refused(flow_for: Flows) -> None:
    flow = flow_for(GraphConfig("1234", "APPSECRET"))
    with pytest.raises(StateError):
        flow.parse_callback(f"{CALLBACK}?code=CODE1", "session-1")
    state = query(flow.login_url("session-1"))["state"]
    with pytest.raises(StateError):
        flow.parse_callback({"code": "CODE1", "state": state}, "session-2")


def test_the_code_is_exchanged_with_the_identical_redirect_uri_then_extended(
    double: GraphDouble, flow_for: Flows
) -> None:
    now = 1_790_000_000
    double.script = [
        (200, {}, {"access_token": "SHORT", "token_type": "bearer", "expires_in": 3600}),
        (200, {}, {"access_token": "LONG", "token_type": "bearer", "expires_in": 5183944}),
        (200, {}, debug_answer(expires_at=now + 5183944, data_access_expires_at=now + 90 * 86400)),
    ]
    flow = flow_for(GraphConfig("1234", "APPSECRET", graph_url=double.url), ("ads_management",), now)
    login = flow.complete({"code": "CODE1", "state": query(flow.login_url("s"))["state"]}, "s")
    exchange, extend, debug = double.requests
    assert exchange.path == "/v26.0/oauth/access_token"
    assert exchange.query == {
        "client_id": "1234",
        "redirect_uri": CALLBACK,
        "client_secret": "APPSECRET",
        "code": "CODE1",
    }
    assert extend.query == {
        "grant_type": "fb_exchange_token",
        "client_id": "1234",
        "client_secret": "APPSECRET",
        "fb_exchange_token": "SHORT",
    }
    assert debug.query["input_token"] == "LONG"
    assert not isinstance(login, Denied)
    assert (login.token, login.person_id, login.expires_at) == ("LONG", "555", now + 5183944)
    assert login.data_access_expires_at == now + 90 * 86400
    assert login.missing == ()


def test_a_long_lived_code_token_is_not_extended_again(double: GraphDouble, flow_for: Flows) -> None:
    double.script = [
        (200, {}, {"access_token": "LONG", "token_type": "bearer", "expires_in": 5183944}),
        (200, {}, debug_answer(scopes=["public_profile"])),
    ]
    flow = flow_for(GraphConfig("1234", "APPSECRET", graph_url=double.url), ("ads_management",))
    login = flow.complete({"code": "CODE1", "state": query(flow.login_url("s"))["state"]}, "s")
    assert len(double.requests) == 2
    assert not isinstance(login, Denied) and login.missing == ("ads_management",)


def test_a_refused_code_is_a_graph_error(double: GraphDouble, flow_for: Flows) -> None:
    double.default = lambda _r: (400, {}, graph_error(100, "This authorization code has been used."))
    flow = flow_for(GraphConfig("1234", "APPSECRET", graph_url=double.url))
    with pytest.raises(GraphAPIError) as raised:
        flow.exchange_code("CODE1")
    assert raised.value.code == 100


def test_pages_are_read_through_every_page_of_the_list(double: GraphDouble, flow_for: Flows) -> None:
    def accounts(request: Request) -> tuple[int, dict[str, str], object]:
        assert request.path == "/v26.0/me/accounts"
        assert request.query["fields"] == "id,name,access_token"
        if "after" not in request.query:
            return (
                200,
                {},
                {
                    "data": [{"id": "1", "name": "One", "access_token": "P1"}],
                    "paging": {"cursors": {"before": "B", "after": "CUR1"}, "next": f"{double.url}/next"},
                },
            )
        assert request.query["after"] == "CUR1"
        return (
            200,
            {},
            {"data": [{"id": "2", "name": "Two", "access_token": "P2"}], "paging": {"cursors": {}}},
        )

    double.default = accounts
    flow = flow_for(GraphConfig("1234", "APPSECRET", graph_url=double.url))
    pages = flow.pages("USER-TOKEN")
    assert [(p.id, p.name, p.access_token) for p in pages] == [("1", "One", "P1"), ("2", "Two", "P2")]
    assert "P1" not in repr(pages)
