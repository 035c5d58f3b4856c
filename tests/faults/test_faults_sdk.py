"""Faults on demand, met by the unmodified SDK through the ``adgate`` fixture's real server."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import requests
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.user import User
from facebook_business.exceptions import FacebookRequestError

from adgate.testing import Sandbox, SandboxError
from adgate.testing.sandbox import AdAccount as Account
from adgate.testing.sandbox import App


def world(adgate: Sandbox, scopes: tuple[str, ...] = ("ads_management",)) -> tuple[App, Account, str]:
    alice = adgate.person("Alice")
    app = adgate.app("Faulty", admin=alice, level="standard")
    account = adgate.ad_account("Shoes", admins=[alice])
    return app, account, adgate.user_token(alice, app, scopes=list(scopes))


def campaigns(account: Account) -> list[object]:
    return list(AdAccount(account.node).get_campaigns(fields=["name"]))


def sdk_error(adgate: Sandbox, app: App, token: str, call: object) -> FacebookRequestError:
    with adgate.sdk(app, token), pytest.raises(FacebookRequestError) as info:
        call()  # type: ignore[operator]
    return info.value


@pytest.mark.parametrize(
    ("code", "subcode", "transient", "status"),
    [
        (1, None, True, 500),
        (2, None, True, 503),
        (4, None, True, 403),
        (17, 2446079, True, 400),
        (613, 1487742, True, 400),
        (80004, 2446079, True, 400),
        (368, None, False, 400),
        (190, 463, False, 400),
    ],
)
def test_an_error_rule_fails_the_next_calls_with_the_real_error(
    adgate: Sandbox, code: int, subcode: int | None, transient: bool, status: int
) -> None:
    app, account, token = world(adgate)
    adgate.fault(path="/act_{id}/campaigns", method="GET", code=code, subcode=subcode, times=2)
    for _ in range(2):
        error = sdk_error(adgate, app, token, lambda: campaigns(account))
        assert (error.api_error_code(), error.api_error_subcode()) == (code, subcode)
        assert error.api_transient_error() is transient
        assert error.http_status() == status
        assert error.api_error_message()
    with adgate.sdk(app, token):
        assert campaigns(account) == []  # the third call is the app's own again
    events = adgate.fault_events()
    assert len(events) == 2
    assert {e["path"] for e in events} == {f"/{account.node}/campaigns"}


def test_an_expired_token_error_reads_as_graph_writes_it(adgate: Sandbox) -> None:
    app, _, token = world(adgate)
    adgate.fault(path="/me", error="token_expired", times=1)
    error = sdk_error(adgate, app, token, lambda: User(fbid="me").api_get(fields=["name"]))
    assert "Session has expired on " in error.api_error_message()
    assert "The current time is " in error.api_error_message()


def test_a_rule_matches_only_its_app_token_and_account(adgate: Sandbox) -> None:
    app, account, token = world(adgate)
    other = adgate.ad_account("Hats", admins=[])
    adgate.fault(account=other, code=613, times=5)
    with adgate.sdk(app, token):
        assert campaigns(account) == []
    adgate.fault(token="not-this-token", code=613, times=5)
    adgate.fault(app=app, path="/act_{id}/campaigns", code=17, subcode=2446079, times=1)
    assert sdk_error(adgate, app, token, lambda: campaigns(account)).api_error_code() == 17


def test_an_http_5xx_rule_answers_with_no_body(adgate: Sandbox) -> None:
    app, account, token = world(adgate)
    adgate.fault(path="/act_{id}/campaigns", status=502, times=1)
    error = sdk_error(adgate, app, token, lambda: campaigns(account))
    assert error.http_status() == 502
    assert error.body() in ("", None, b"")


def test_a_drop_rule_cuts_the_connection_mid_answer(adgate: Sandbox) -> None:
    app, account, token = world(adgate)
    adgate.fault(path="/act_{id}/campaigns", drop=True, times=1)
    with adgate.sdk(app, token), pytest.raises(requests.exceptions.RequestException):
        campaigns(account)
    with adgate.sdk(app, token):
        assert campaigns(account) == []  # the server is fine: the next call is answered


def test_a_latency_rule_slows_the_call_and_lets_it_through(adgate: Sandbox) -> None:
    app, account, token = world(adgate)
    adgate.fault(path="/act_{id}/campaigns", latency_ms=300, times=1)
    started = time.monotonic()
    with adgate.sdk(app, token):
        assert campaigns(account) == []
    assert time.monotonic() - started >= 0.3
    assert [e["effect"] for e in adgate.fault_events()] == ["latency"]


def test_a_throttle_rule_shows_the_usage_headers_at_100(adgate: Sandbox) -> None:
    app, account, token = world(adgate)
    adgate.fault(path="/act_{id}/campaigns", throttle=True, times=1)
    error = sdk_error(adgate, app, token, lambda: campaigns(account))
    assert (error.api_error_code(), error.api_error_subcode()) == (17, 2446079)
    headers = {k.lower(): v for k, v in error.http_headers().items()}
    assert '"acc_id_util_pct":100' in headers["x-ad-account-usage"]


def test_a_probability_rule_fails_the_same_calls_in_every_run(adgate: Sandbox) -> None:
    app, account, token = world(adgate)

    def run() -> list[bool]:
        rule = adgate.fault(path="/act_{id}/campaigns", code=2, probability=0.5, seed=7)
        failed = []
        with adgate.sdk(app, token):
            for _ in range(16):
                try:
                    campaigns(account)
                    failed.append(False)
                except FacebookRequestError:
                    failed.append(True)
        adgate.call("DELETE", f"/_sandbox/faults/{rule}")
        return failed

    first, second = run(), run()
    assert first == second
    assert 0 < sum(first) < 16


def test_a_window_rule_fails_every_call_inside_its_window_on_the_sandbox_clock(adgate: Sandbox) -> None:
    app, account, token = world(adgate)
    now = adgate.now()
    adgate.fault(path="/act_{id}/campaigns", code=2, window=(now + 3600, now + 7200))
    with adgate.sdk(app, token):
        assert campaigns(account) == []
    adgate.advance(hours=1, seconds=1)
    assert sdk_error(adgate, app, token, lambda: campaigns(account)).api_error_code() == 2
    assert sdk_error(adgate, app, token, lambda: campaigns(account)).api_error_code() == 2
    adgate.advance(hours=1)
    with adgate.sdk(app, token):
        assert campaigns(account) == []


def test_a_batch_item_meets_the_rule_as_its_own_error(adgate: Sandbox) -> None:
    _, account, token = world(adgate)
    adgate.fault(path="/act_{id}/campaigns", status=503, times=1)
    batch = [
        {"method": "GET", "relative_url": f"{account.node}/campaigns"},
        {"method": "GET", "relative_url": "me"},
    ]
    answers = httpx.post(
        f"{adgate.url}/v26.0/", data={"access_token": token, "batch": json.dumps(batch)}
    ).json()
    assert answers[0]["code"] == 503
    assert '"code":2' in answers[0]["body"]
    assert answers[1]["code"] == 200


def test_injected_failures_do_not_count_in_the_apps_usage(adgate: Sandbox) -> None:
    app, account, token = world(adgate)
    adgate.fault(path="/act_{id}/campaigns", code=17, subcode=2446079, times=3)
    for _ in range(3):
        sdk_error(adgate, app, token, lambda: campaigns(account))
    with adgate.sdk(app, token):
        campaigns(account)
    totals = adgate.call("GET", f"/_apps/{app.id}/usage?days=1")["totals"]
    assert (totals["calls"], totals["errors"]) == (1, 0)


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (
            {"match": {"path": "/act_{id}/nothing"}, "effect": {"kind": "error", "code": 2}, "times": 1},
            "match.path",
        ),
        ({"match": {"path": "/{widget}"}, "effect": {"kind": "error", "code": 2}, "times": 1}, "match.path"),
        ({"match": {"method": "PATCH"}, "effect": {"kind": "error", "code": 2}, "times": 1}, "match.method"),
        ({"effect": {"kind": "error", "code": 12345}, "times": 1}, "effect.code"),
        ({"effect": {"kind": "error", "error": "no_such"}, "times": 1}, "effect.error"),
        ({"effect": {"kind": "http_status", "status": 404}, "times": 1}, "effect.status"),
        ({"effect": {"kind": "explode"}, "times": 1}, "effect.kind"),
        ({"effect": {"kind": "latency"}, "times": 1}, "effect.latency_ms"),
        ({"effect": {"kind": "drop"}, "times": 0}, "times"),
        ({"effect": {"kind": "drop"}, "probability": 0}, "probability"),
        ({"effect": {"kind": "drop"}}, "times"),
        ({"effect": {"kind": "drop"}, "window": {"start": 0, "end": 1}}, "window.end"),
        ({"match": {"app_id": "999"}, "effect": {"kind": "drop"}, "times": 1}, "match.app_id"),
        ({"match": {"ad_account": "act_999"}, "effect": {"kind": "drop"}, "times": 1}, "match.ad_account"),
        ({"effect": {"kind": "drop"}, "times": 1, "colour": "red"}, "colour"),
    ],
)
def test_a_rule_that_is_malformed_or_could_never_match_is_refused_naming_the_field(
    adgate: Sandbox, rule: dict[str, object], field: str
) -> None:
    with pytest.raises(SandboxError) as info:
        adgate.call("POST", "/_sandbox/faults", rule)
    assert info.value.status == 400
    assert info.value.error["code"] == 100
    assert field in info.value.error["message"]
    assert adgate.call("GET", "/_sandbox/faults")["data"] == []
