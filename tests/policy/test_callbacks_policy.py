"""The calls Meta makes to an app, as data (adgate/policy/callbacks.py): signed requests, Webhooks
signatures and bodies, the URLs and fields a subscription may name, the retry schedule, and the
Data Deletion callback's answer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from adgate.policy import callbacks


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_a_signed_request_is_the_hmac_of_its_payload_part_then_the_payload() -> None:
    payload = callbacks.deauthorize_payload("42", now=1_700_000_000)
    signed = callbacks.signed_request(payload, "s3cret")
    signature, body = signed.split(".")
    assert "=" not in signed, "base64url without padding"
    assert json.loads(unb64(body)) == {
        "algorithm": "HMAC-SHA256",
        "issued_at": 1_700_000_000,
        "user_id": "42",
    }
    assert unb64(signature) == hmac.new(b"s3cret", body.encode(), hashlib.sha256).digest()
    assert callbacks.signed_request(payload, "other") != signed


def test_hub_signatures_sign_the_raw_body_in_sha256_and_sha1() -> None:
    body = callbacks.webhook_body(
        "permissions", [callbacks.permission_entry("7", {"ads_read": "granted"}, 5)]
    )
    headers = callbacks.hub_signatures(body, "key")
    assert headers["X-Hub-Signature-256"] == "sha256=" + hmac.new(b"key", body, hashlib.sha256).hexdigest()
    assert headers["X-Hub-Signature"] == "sha1=" + hmac.new(b"key", body, hashlib.sha1).hexdigest()
    assert json.loads(body) == {
        "object": "permissions",
        "entry": [
            {
                "id": "7",
                "uid": "7",
                "time": 5,
                "changes": [{"field": "ads_read", "value": {"verb": "granted"}}],
            }
        ],
    }
    assert b" " not in body, "compact JSON, as signed"


def test_an_ad_account_entry_lists_the_ads_at_level_ad() -> None:
    entry = callbacks.ad_account_entry("act_1", "with_issues_ad_objects", ["a1", "a2"], 9)
    assert entry == {
        "id": "act_1",
        "time": 9,
        "changes": [
            {
                "field": "with_issues_ad_objects",
                "value": {
                    "id": "act_1",
                    "objects": [{"id": "a1", "level": "AD"}, {"id": "a2", "level": "AD"}],
                },
            }
        ],
    }


@pytest.mark.parametrize(
    "url",
    [
        None,
        7,
        "",
        "   ",
        "ftp://example.com/x",
        "https:///nohost",
        "https://exa mple.com/",
        "https://e.com/" + "a" * 1020,
    ],
)
def test_a_callback_url_must_be_a_short_absolute_http_url(url: object) -> None:
    with pytest.raises(callbacks.CallbackError) as caught:
        callbacks.check_url(url, "callback_url")
    assert caught.value.field == "callback_url"
    assert str(caught.value) == f"callback_url: {caught.value.message}"


def test_a_callback_url_is_kept_stripped() -> None:
    assert callbacks.check_url("  https://app.example/hook  ", "u") == "https://app.example/hook"


def test_subscribed_fields_are_checked_per_object() -> None:
    assert callbacks.check_fields("permissions", ["ads_read", " email ", "ads_read", ""]) == (
        "ads_read",
        "email",
    )
    assert callbacks.check_fields("ad_account", ["in_process_ad_objects"]) == ("in_process_ad_objects",)
    with pytest.raises(callbacks.CallbackError, match="object: must be one of permissions, ad_account"):
        callbacks.check_fields("page", ["feed"])
    with pytest.raises(callbacks.CallbackError, match="fields: name at least one"):
        callbacks.check_fields("permissions", [" ", ""])
    with pytest.raises(callbacks.CallbackError, match="'spend' is not a field of ad_account"):
        callbacks.check_fields("ad_account", ["with_issues_ad_objects", "spend"])


def test_retries_follow_the_schedule_then_give_up() -> None:
    waits = [callbacks.retry_wait(n) for n in range(0, callbacks.MAX_ATTEMPTS + 1)]
    assert waits == [None, *callbacks.RETRY_WAITS, None]
    assert len(callbacks.RETRY_WAITS) + 1 == callbacks.MAX_ATTEMPTS


def test_a_deletion_answer_is_json_with_a_url_and_a_code() -> None:
    answer = callbacks.deletion_answer(
        b'{"url": "https://app.example/status?id=1", "confirmation_code": " abc "}'
    )
    assert answer == callbacks.DeletionAnswer("https://app.example/status?id=1", "abc")
    long = callbacks.deletion_answer(
        json.dumps({"url": "https://a.example/", "confirmation_code": "x" * 300}).encode()
    )
    assert long.confirmation_code == "x" * 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "answer"),
        (b"[1, 2]", "answer"),
        (b'{"url": "https://a.example/"}', "confirmation_code"),
        (b'{"url": "https://a.example/", "confirmation_code": "  "}', "confirmation_code"),
        (b'{"url": "mailto:x@example.com", "confirmation_code": "c"}', "url"),
    ],
)
def test_a_malformed_deletion_answer_says_which_field_is_wrong(body: bytes, field: str) -> None:
    with pytest.raises(callbacks.CallbackError) as caught:
        callbacks.deletion_answer(body)
    assert caught.value.field == field
