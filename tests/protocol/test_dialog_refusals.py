"""Every dialog request the dialog refuses to go on with (adgate/protocol/dialog.py): shown as a
page with Graph's title, never redirected; and the PKCE, auth_type and scope checks."""

from __future__ import annotations

import base64
import hashlib

import pytest

from adgate.protocol.dialog import MAX_SCOPES, DialogError, parse

APP = "123456789012345"
CB = "https://app.example/cb"
VERIFIER = "v" * 50
S256 = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def dialog(**extra: str) -> list[tuple[str, str]]:
    values = {"client_id": APP, "redirect_uri": CB, **extra}
    return [(k, v) for k, v in values.items() if v is not None]


@pytest.mark.parametrize(
    ("items", "title", "words"),
    [
        (dialog(state="s" * 2049), "Invalid Request", "state is longer than 2048"),
        (dialog(client_id=""), "Invalid App ID", "client_id parameter is missing"),
        (dialog(client_id="my-app"), "Invalid App ID", '"my-app" does not look like a valid app ID'),
        (dialog(redirect_uri=""), "Missing redirect_uri", "is required"),
        (dialog(redirect_uri="https://app.example"), "URL Blocked", "not whitelisted"),
        (
            dialog(scope=",".join(f"perm{n}" for n in range(MAX_SCOPES + 1))),
            "Invalid Scopes",
            f"At most {MAX_SCOPES}",
        ),
        (dialog(scope="ads_read,read_minds,x_y"), "Invalid Scopes", "Invalid Scopes: read_minds, x_y."),
        (dialog(response_type="code id_token"), "Invalid response_type", "got id_token."),
        (dialog(auth_type="force"), "Invalid auth_type", "got force."),
        (dialog(code_challenge_method="S256"), "Invalid PKCE request", "without code_challenge"),
        (dialog(code_challenge=S256, code_challenge_method="S512"), "Invalid PKCE request", "got S512."),
        (
            dialog(code_challenge=S256 + "=", code_challenge_method="S256"),
            "Invalid PKCE request",
            "43 base64url",
        ),
        (dialog(code_challenge="short"), "Invalid PKCE request", "43 to 128 unreserved"),
    ],
)
def test_a_request_that_cannot_go_on_is_refused_with_graphs_title(
    items: list[tuple[str, str]], title: str, words: str
) -> None:
    with pytest.raises(DialogError) as caught:
        parse(items)
    assert caught.value.title == title
    assert words in caught.value.message
    assert caught.value.status == 400


def test_pkce_defaults_to_plain_and_keeps_s256() -> None:
    assert parse(dialog(code_challenge=S256, code_challenge_method="S256")).code_challenge_method == "S256"
    plain = parse(dialog(code_challenge=VERIFIER))
    assert (plain.code_challenge, plain.code_challenge_method) == (VERIFIER, "plain")
    assert parse(dialog()).code_challenge_method is None


def test_auth_type_is_one_of_the_known_ones_or_absent() -> None:
    assert parse(dialog(auth_type=" rerequest ")).auth_type == "rerequest"
    assert parse(dialog(auth_type="  ")).auth_type is None


def test_what_the_app_wants_back_follows_response_type() -> None:
    both = parse(dialog(response_type="code token"))
    assert both.wants_code and both.wants_token
    token = parse(dialog(response_type="token"))
    assert not token.wants_code and token.wants_token
