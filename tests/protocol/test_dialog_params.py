"""The dialog's parameters and redirects, as pure functions (docs/graph-facts.md §1.1; RFC 6749 §3.1, RFC
7636)."""

from __future__ import annotations

import pytest

from adgate.protocol.dialog import DialogError, denied_location, parse, success_location

APP = "123456789012345"
CB = "https://app.example/cb"


@pytest.mark.parametrize(
    ("raw", "types"),
    [
        ("", {"code"}),
        ("code", {"code"}),
        ("token", {"token"}),
        ("code token", {"code", "token"}),
        ("code,token", {"code", "token"}),
        ("code+token", {"code", "token"}),
        ("granted_scopes", {"code", "granted_scopes"}),
        ("token granted_scopes", {"token", "granted_scopes"}),
    ],
)
def test_response_types(raw: str, types: set[str]) -> None:
    params = parse([("client_id", APP), ("redirect_uri", CB), ("response_type", raw)])
    assert params.response_types == types


def test_unknown_parameters_are_ignored_and_known_ones_carried_canonically() -> None:
    params = parse(
        [
            ("client_id", APP),
            ("redirect_uri", CB),
            ("display", "popup"),
            ("scope", "ads_read ads_management"),
            ("response_type", "token,code"),
        ]
    )
    assert params.carried() == {
        "client_id": APP,
        "redirect_uri": CB,
        "scope": "ads_read,ads_management",
        "response_type": "code token",
    }


def test_a_repeated_parameter_is_an_error() -> None:
    with pytest.raises(DialogError, match="more than once"):
        parse([("client_id", APP), ("redirect_uri", CB), ("state", "a"), ("state", "a")])


def test_success_redirects() -> None:
    code = parse([("client_id", APP), ("redirect_uri", CB), ("state", "s")])
    assert success_location(
        code, code="C", access_token=None, expires_in=None, data_access_expiration_time=None, granted=()
    ) == (CB + "?code=C&state=s")
    both = parse([("client_id", APP), ("redirect_uri", CB), ("response_type", "code token granted_scopes")])
    assert success_location(
        both, code="C", access_token="T", expires_in=7200, data_access_expiration_time=9, granted=("a", "b")
    ) == (CB + "#access_token=T&code=C&data_access_expiration_time=9&expires_in=7200&granted_scopes=a%2Cb")


def test_the_denied_redirect_matches_graph() -> None:
    params = parse([("client_id", APP), ("redirect_uri", CB + "?x=1"), ("state", "s")])
    assert denied_location(params) == (
        CB + "?x=1&error_reason=user_denied&error=access_denied"
        "&error_description=The+user+denied+your+request.&state=s"
    )
