"""The calls Meta makes to apps, made by adgate to a real HTTP receiver the test starts: signed
as Meta signs them, retried with back-off, recorded, and never in the way of a Graph call."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from receiver import Received, Receiver, receiving
from sqlalchemy import create_engine

from adgate.client import (
    DeauthorizeHandler,
    SignedRequestError,
    TokenStore,
    generate_key,
    parse_signed_request,
    verify_hub_signature,
)
from adgate.testing import Sandbox, SandboxError
from adgate.testing.sandbox import App, Person


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as r:
        yield r


def world(adgate: Sandbox) -> tuple[Person, App, str]:
    alice = adgate.person("Alice")
    app = adgate.app("Called back", admin=alice)
    return alice, app, adgate.user_token(alice, app, scopes=["ads_read", "ads_management"])


def graph(adgate: Sandbox, method: str, path: str, **params: str) -> httpx.Response:
    return httpx.request(method, f"{adgate.url}/v26.0/{path}", params=params, timeout=30)


def deliveries(adgate: Sandbox, app: App) -> list[dict[str, Any]]:
    return list(adgate.call("GET", f"/_sandbox/deliveries?app_id={app.id}")["data"])


def eventually(adgate: Sandbox, app: App, check: Any, timeout: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        found = deliveries(adgate, app)
        if check(found):
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.05)


def signed_of(request: Received) -> str:
    return parse_qs(request.body.decode())["signed_request"][0]


def test_removing_the_app_posts_a_signed_request_to_the_deauthorize_callback(
    adgate: Sandbox, receiver: Receiver, tmp_path: Path
) -> None:
    alice, app, token = world(adgate)
    adgate.call("POST", f"/_sandbox/apps/{app.id}/callbacks", {"deauthorize_url": f"{receiver.url}/deauth"})
    store = TokenStore(create_engine(f"sqlite:///{tmp_path / 'app.db'}"), generate_key())
    store.create_all()
    saved = store.save(token, app_id=app.id, person_id=alice.id, scopes=["ads_read"])

    assert graph(adgate, "DELETE", "me/permissions", access_token=token).json() == {"success": True}

    (request,) = receiver.wait_for(1)
    assert (request.method, request.path) == ("POST", "/deauth")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    payload = parse_signed_request(signed_of(request), app.secret)
    assert payload["user_id"] == alice.id
    assert payload["algorithm"] == "HMAC-SHA256"
    with pytest.raises(SignedRequestError):
        parse_signed_request(signed_of(request), "another secret")

    (marked,) = DeauthorizeHandler(store, app.id, app.secret)(request.body)
    assert (marked.id, marked.status, marked.dead_code, marked.dead_subcode) == (saved.id, "dead", 190, 458)
    done = eventually(adgate, app, lambda d: d and d[0]["status"] == "delivered")
    assert done[0]["kind"] == "deauthorize"
    assert done[0]["attempts"][0]["status"] == 200


def test_a_webhook_subscription_is_verified_then_gets_signed_permission_changes(
    adgate: Sandbox, receiver: Receiver
) -> None:
    alice, app, token = world(adgate)
    receiver.answers["/hook"] = lambda r: (
        (200, r.query["hub.challenge"][0].encode())
        if r.method == "GET" and r.query.get("hub.verify_token") == ["s3cret"]
        else (200, b"")
    )
    made = graph(
        adgate,
        "POST",
        f"{app.id}/subscriptions",
        access_token=app.app_token,
        object="permissions",
        callback_url=f"{receiver.url}/hook",
        fields="ads_management",
        verify_token="s3cret",
    )
    assert made.json() == {"success": True}, made.text
    (check,) = receiver.wait_for(1)
    assert check.query["hub.mode"] == ["subscribe"]
    listed = graph(adgate, "GET", f"{app.id}/subscriptions", access_token=app.app_token).json()
    assert listed["data"][0]["object"] == "permissions"
    assert listed["data"][0]["fields"] == [{"name": "ads_management", "version": "v26.0"}]

    assert graph(adgate, "DELETE", "me/permissions/ads_management", access_token=token).json() == {
        "success": True
    }
    _, hook = receiver.wait_for(2)
    assert verify_hub_signature(hook.body, hook.headers["X-Hub-Signature-256"], app.secret)
    assert not verify_hub_signature(hook.body, hook.headers["X-Hub-Signature-256"], "another secret")
    body = json.loads(hook.body)
    assert body["object"] == "permissions"
    assert body["entry"][0]["id"] == alice.id
    assert body["entry"][0]["changes"] == [{"field": "ads_management", "value": {"verb": "revoked"}}]

    assert graph(adgate, "DELETE", f"{app.id}/subscriptions", access_token=app.app_token).json() == {
        "success": True
    }
    assert graph(adgate, "GET", f"{app.id}/subscriptions", access_token=app.app_token).json() == {"data": []}


@pytest.mark.parametrize(
    ("answer", "words"),
    [((200, b"not the challenge"), "hub.challenge"), ((403, b"no"), "HTTP 403")],
)
def test_a_subscription_whose_verification_fails_is_refused(
    adgate: Sandbox, receiver: Receiver, answer: tuple[int, bytes], words: str
) -> None:
    _, app, _ = world(adgate)
    receiver.answers["/hook"] = lambda _r: answer
    refused = graph(
        adgate,
        "POST",
        f"{app.id}/subscriptions",
        access_token=app.app_token,
        object="permissions",
        callback_url=f"{receiver.url}/hook",
        fields="ads_read",
        verify_token="t",
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == 2200 and words in error["message"]


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        (
            {"object": "permissions", "callback_url": "ftp://example.com/x", "fields": "ads_read"},
            100,
            "callback_url",
        ),
        ({"object": "pages", "callback_url": "http://example.com/x", "fields": "feed"}, 100, "object"),
        (
            {"object": "ad_account", "callback_url": "http://example.com/x", "fields": "balance"},
            100,
            "fields",
        ),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_field(
    adgate: Sandbox, params: dict[str, str], code: int, words: str
) -> None:
    _, app, _ = world(adgate)
    refused = graph(adgate, "POST", f"{app.id}/subscriptions", access_token=app.app_token, **params)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == code
    assert words in refused.json()["error"]["message"]


def test_subscriptions_need_the_apps_own_app_token(adgate: Sandbox) -> None:
    _, app, token = world(adgate)
    refused = graph(adgate, "GET", f"{app.id}/subscriptions", access_token=token)
    assert refused.json()["error"]["code"] == 15


def test_a_failed_delivery_is_retried_with_back_off_and_every_try_is_recorded(
    adgate: Sandbox, receiver: Receiver
) -> None:
    alice, app, token = world(adgate)
    tries = iter([(500, b"busy"), (200, b"thanks")])
    receiver.answers["/deauth"] = lambda _r: next(tries)
    adgate.call("POST", f"/_sandbox/apps/{app.id}/callbacks", {"deauthorize_url": f"{receiver.url}/deauth"})
    graph(adgate, "DELETE", "me/permissions", access_token=token)
    first = eventually(adgate, app, lambda d: d and len(d[0]["attempts"]) == 1)[0]
    assert first["status"] == "pending"
    assert first["attempts"][0]["status"] == 500
    assert first["attempts"][0]["excerpt"] == "busy"
    assert first["attempts"][0]["error"] == "HTTP 500"
    assert first["next_at"] >= first["attempts"][0]["at"] + 5
    adgate.advance(seconds=6)  # the retry is due on the server clock
    done = eventually(adgate, app, lambda d: d[0]["status"] == "delivered")[0]
    assert [a["status"] for a in done["attempts"]] == [500, 200]
    assert all(a["latency_ms"] >= 0 for a in done["attempts"])
    # Send again, by hand: one more try, recorded.
    assert adgate.call("POST", f"/_sandbox/deliveries/{done['id']}/send") == {"success": True}
    again = eventually(adgate, app, lambda d: len(d[0]["attempts"]) == 3)[0]
    assert again["status"] in ("delivered", "pending")
    assert parse_signed_request(signed_of(receiver.received[-1]), app.secret)["user_id"] == alice.id


def test_a_data_deletion_request_keeps_the_apps_confirmation(adgate: Sandbox, receiver: Receiver) -> None:
    alice, app, _ = world(adgate)
    answer = {"url": "https://app.example/deletion?id=abc", "confirmation_code": "abc"}
    receiver.answers["/delete"] = lambda _r: (200, json.dumps(answer).encode())
    adgate.call("POST", f"/_sandbox/apps/{app.id}/callbacks", {"data_deletion_url": f"{receiver.url}/delete"})
    made = adgate.call("POST", f"/_sandbox/people/{alice.id}/data_deletion", {"app_id": app.id})
    (request,) = receiver.wait_for(1)
    assert parse_signed_request(signed_of(request), app.secret)["user_id"] == alice.id
    done = eventually(
        adgate, app, lambda d: d and d[0]["status"] != "pending" and d[0]["status"] != "sending"
    )[0]
    assert done["id"] == made["delivery_id"]
    assert (done["status"], done["answer"]) == ("delivered", answer)


def test_a_data_deletion_answer_that_is_not_url_and_code_is_a_failure_saying_why(
    adgate: Sandbox, receiver: Receiver
) -> None:
    alice, app, _ = world(adgate)
    receiver.answers["/delete"] = lambda _r: (
        200,
        b'{"url": "javascript:alert(1)", "confirmation_code": "x"}',
    )
    adgate.call("POST", f"/_sandbox/apps/{app.id}/callbacks", {"data_deletion_url": f"{receiver.url}/delete"})
    adgate.call("POST", f"/_sandbox/people/{alice.id}/data_deletion", {"app_id": app.id})
    done = eventually(adgate, app, lambda d: d and d[0]["status"] == "failed")[0]
    assert "url" in done["attempts"][0]["error"]
    assert done["answer"] is None


def test_a_receiver_that_hangs_never_blocks_a_graph_call(adgate: Sandbox, receiver: Receiver) -> None:
    _, app, token = world(adgate)
    bob = adgate.person("Bob")
    other = adgate.user_token(bob, app, scopes=["ads_read"])
    release = threading.Event()

    def hang(_r: Received) -> tuple[int, bytes]:
        release.wait(20)
        return 200, b"late"

    receiver.answers["/deauth"] = hang
    adgate.call("POST", f"/_sandbox/apps/{app.id}/callbacks", {"deauthorize_url": f"{receiver.url}/deauth"})
    try:
        assert graph(adgate, "DELETE", "me/permissions", access_token=token).status_code == 200
        time.sleep(0.3)  # the worker is now waiting on the receiver
        for _ in range(5):
            assert graph(adgate, "GET", "me", access_token=other, fields="id").json() == {"id": bob.id}
        assert not receiver.received  # still hanging: the calls above did not wait for it
    finally:
        release.set()
    receiver.wait_for(1)


@pytest.mark.parametrize(
    "body", [{"deauthorize_url": "javascript:alert(1)"}, {"data_deletion_url": "example.com/x"}]
)
def test_a_callback_url_that_is_not_http_is_refused_naming_the_field(
    adgate: Sandbox, body: dict[str, str]
) -> None:
    _, app, _ = world(adgate)
    with pytest.raises(SandboxError) as info:
        adgate.call("POST", f"/_sandbox/apps/{app.id}/callbacks", body)
    assert info.value.error["code"] == 100
    assert next(iter(body)) in info.value.error["message"]
