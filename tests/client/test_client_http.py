"""The Graph HTTP helper: appsecret_proof, usage headers, waiting out throttling, typed errors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from graph_double import GraphDouble, graph_double, graph_error

from adgate.client import (
    Backoff,
    DataAccessExpired,
    Expired,
    GraphAPIError,
    GraphClient,
    GraphConfig,
    GraphPermissionError,
    GraphUnavailableError,
    InvalidTokenError,
    LoggedOut,
    NotAuthorized,
    PasswordChanged,
    ThrottledError,
    appsecret_proof,
)
from adgate.testing.server import free_port

# docs/graph-facts.md §5.2/§5.3 and docs/graph-facts.md §12.6: Graph's exact throttling envelopes.
USER_LIMIT = graph_error(17, "(#17) User request limit reached", 2446079, is_transient=True)
AD_ACCOUNT_LIMIT = graph_error(
    80004,
    "(#80004) There have been too many calls to this ad-account. Wait a bit and try again. For more info, "
    "please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    2446079,
    is_transient=True,
)


def buc(minutes: float, call_count: int = 100) -> str:
    return json.dumps(
        {
            "123": [
                {
                    "type": "ads_management",
                    "call_count": call_count,
                    "total_cputime": 20,
                    "total_time": 20,
                    "estimated_time_to_regain_access": minutes,
                    "ads_api_access_tier": "development_access",
                }
            ]
        }
    )


def ad_account(pct: float, reset: int) -> str:
    return json.dumps(
        {"acc_id_util_pct": pct, "reset_time_duration": reset, "ads_api_access_tier": "development_access"}
    )


@pytest.fixture
def double() -> Iterator[GraphDouble]:
    with graph_double() as d:
        yield d


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(double: GraphDouble, sleeps: Sleeps, **backoff: float) -> GraphClient:
    config = GraphConfig("1234", "APPSECRET", graph_url=double.url)
    return GraphClient(config, sleep=sleeps, backoff=Backoff(**backoff))  # type: ignore[arg-type]


def test_a_17_and_an_80004_are_waited_out_as_graph_says_and_the_call_succeeds(double: GraphDouble) -> None:
    double.script = [
        (400, {"X-Business-Use-Case-Usage": buc(1)}, USER_LIMIT),
        (
            400,
            {"X-Business-Use-Case-Usage": buc(0), "X-Ad-Account-Usage": ad_account(100, 42)},
            AD_ACCOUNT_LIMIT,
        ),
        (
            200,
            {"X-Business-Use-Case-Usage": buc(0, 12), "X-App-Usage": '{"call_count":3}'},
            {"id": "act_123"},
        ),
    ]
    sleeps = Sleeps()
    with client_for(double, sleeps) as graph:
        assert graph.get("act_123/", token="TOKEN") == {"id": "act_123"}
        usage = graph.last_usage
    assert sleeps == [60.0, 42.0]  # estimated_time_to_regain_access is in minutes; reset_time_duration in s
    assert len(double.requests) == 3
    assert usage is not None and usage.business_use_case[0].call_count == 12
    assert usage.app is not None and usage.app.call_count == 3


def test_without_an_estimate_the_wait_doubles_and_the_helper_gives_up_after_max_attempts(
    double: GraphDouble,
) -> None:
    double.default = lambda _r: (400, {}, USER_LIMIT)
    sleeps = Sleeps()
    with (
        client_for(double, sleeps, max_attempts=4, first_wait=2) as graph,
        pytest.raises(ThrottledError) as raised,
    ):
        graph.get("me", token="TOKEN")
    assert sleeps == [2.0, 4.0, 8.0]
    assert (raised.value.code, raised.value.subcode) == (17, 2446079)
    assert raised.value.is_transient


def test_a_wait_longer_than_max_wait_is_not_waited_at_all(double: GraphDouble) -> None:
    double.default = lambda _r: (400, {"X-Business-Use-Case-Usage": buc(10)}, AD_ACCOUNT_LIMIT)
    sleeps = Sleeps()
    with client_for(double, sleeps, max_wait=300) as graph, pytest.raises(ThrottledError) as raised:
        graph.get("act_123/insights", token="TOKEN")
    assert sleeps == []
    assert raised.value.retry_after == 600.0
    assert raised.value.usage is not None and raised.value.usage.regain_seconds == 600.0


def test_every_call_carries_the_token_as_bearer_and_the_appsecret_proof(double: GraphDouble) -> None:
    double.default = lambda _r: (200, {}, {"id": "555"})
    with client_for(double, Sleeps()) as graph:
        graph.get("me", {"fields": ["id", "name"]}, token="TOKEN")
        graph.post("act_123/campaigns", {"name": "New", "special_ad_categories": []}, token="TOKEN")
    get, post = double.requests
    # docs/graph-facts.md §12.2: HMAC("APPSECRET", "TOKEN") = e697d000…40655
    assert appsecret_proof("APPSECRET", "TOKEN").startswith("e697d000")
    assert appsecret_proof("APPSECRET", "TOKEN").endswith("40655")
    for request in (get, post):
        assert request.query["appsecret_proof"] == appsecret_proof("APPSECRET", "TOKEN")
        assert "access_token" not in request.query  # never in a URL
    assert get.headers["authorization"] == "Bearer TOKEN"
    assert get.path == "/v26.0/me"
    assert get.query["fields"] == '["id","name"]'
    assert "authorization" not in post.headers
    assert post.form == {"name": "New", "special_ad_categories": "[]", "access_token": "TOKEN"}


@pytest.mark.parametrize(
    ("code", "subcode", "kind"),
    [
        (190, 460, PasswordChanged),
        (190, 463, Expired),
        (190, 467, LoggedOut),
        (190, 458, NotAuthorized),
        (190, 493, DataAccessExpired),
        (190, None, InvalidTokenError),
        (102, None, InvalidTokenError),
        (10, None, GraphPermissionError),
        (200, None, GraphPermissionError),
        (294, None, GraphPermissionError),
        (100, 33, GraphAPIError),
    ],
)
def test_error_envelopes_become_typed_errors(
    double: GraphDouble, code: int, subcode: int | None, kind: type[GraphAPIError]
) -> None:
    double.default = lambda _r: (400, {}, graph_error(code, "Error validating access token", subcode))
    with client_for(double, Sleeps()) as graph, pytest.raises(GraphAPIError) as raised:
        graph.get("me", token="TOKEN")
    assert type(raised.value) is kind
    assert (raised.value.code, raised.value.subcode, raised.value.status) == (code, subcode, 400)
    assert raised.value.fbtrace_id == "AbCdEfGh123"
    assert not isinstance(raised.value, ThrottledError)


def test_invalid_token_errors_say_why_in_plain_words(double: GraphDouble) -> None:
    double.default = lambda _r: (400, {}, graph_error(190, "The session has been invalidated", 460))
    with client_for(double, Sleeps()) as graph, pytest.raises(InvalidTokenError) as raised:
        graph.get("me", token="TOKEN")
    assert "password" in raised.value.reason


def test_a_502_page_and_a_closed_port_are_unavailability_not_graph_errors(double: GraphDouble) -> None:
    double.default = lambda _r: (502, {}, "<html><body>Bad Gateway</body></html>")
    with client_for(double, Sleeps()) as graph, pytest.raises(GraphUnavailableError) as raised:
        graph.get("me", token="TOKEN")
    assert raised.value.status == 502
    closed = GraphConfig("1234", "APPSECRET", graph_url=f"http://127.0.0.1:{free_port()}")
    with GraphClient(closed, timeout=5) as graph, pytest.raises(GraphUnavailableError):
        graph.get("me", token="TOKEN")


def test_a_form_encoded_token_answer_is_read_like_the_json_one(double: GraphDouble) -> None:
    double.default = lambda _r: (200, {}, "access_token=TOKEN1&expires=5183999")
    with client_for(double, Sleeps()) as graph:
        assert graph.get("oauth/access_token") == {"access_token": "TOKEN1", "expires": "5183999"}
