"""The gateway file (adgate/policy/gateway.py), beyond tests/policy/test_gateway_file.py: the
operator's own permissions, the top-level keys, path templates, and what a route reports of itself."""

from __future__ import annotations

import pytest

from adgate.policy.gateway import GatewayFileError, GatewaySpec, Public, match, parse
from adgate.policy.permissions import BUILT_IN

ROUTE = """\
[[route]]
name = "reports"
method = "GET"
path = "/v1/accounts/{account}/reports"
account = "path:account"
permission = "reports_read"
buc = "ads_insights"
"""

OWN = """\
[[permission]]
name = "reports_read"
description = " Read your reports "

"""


def parsed(text: str) -> GatewaySpec:
    return parse(text, source="gw.toml", known_permissions=BUILT_IN)


def refusal(text: str) -> GatewayFileError:
    with pytest.raises(GatewayFileError) as caught:
        parsed(text)
    return caught.value


def test_an_own_permission_is_declared_then_usable_by_a_route() -> None:
    spec = parsed(OWN + ROUTE)
    assert spec.permissions == (("reports_read", "Read your reports"),)
    (route,) = spec.routes
    assert route.permission == "reports_read"
    assert route.product == "ads_insights"
    assert spec.to_json()["permissions"] == [{"name": "reports_read", "description": "Read your reports"}]
    assert spec.to_json()["routes"][0]["account"] == "path:account"


def test_a_route_matches_only_its_literal_segments_and_non_empty_parameters() -> None:
    spec = parsed(OWN + ROUTE)
    found = match(spec, "GET", "/v1/accounts/7/reports")
    assert found is not None and not isinstance(found, Public)
    assert found[1] == {"account": "7"}
    assert match(spec, "GET", "/v1/accounts//reports") is None
    assert match(spec, "GET", "/v1/profiles/7/reports") is None
    assert match(spec, "GET", "/v2/accounts/7/reports") is None


@pytest.mark.parametrize(
    ("own", "line", "words"),
    [
        ('[[permission]]\nname = "Reports"\ndescription = "x"\n\n', 2, "3-64 lower-case"),
        ('[[permission]]\nname = "ads_read"\ndescription = "x"\n\n', 2, "ads_read is already a permission"),
        (OWN + OWN, 6, "reports_read is already a permission"),
        ('[[permission]]\nname = "reports_read"\ndescription = "  "\n\n', 3, "description: what the dialog"),
        ('[[permission]]\nname = "reports_read"\n\n', 1, "description: what the dialog"),
        ('[[permission]]\ndescription = "x"\n', 1, "3-64 lower-case"),
    ],
)
def test_a_wrong_own_permission_names_its_line(own: str, line: int, words: str) -> None:
    error = refusal(own + ROUTE)
    assert (error.line, words in error.message) == (line, True), error


def test_unknown_or_mistyped_top_level_keys_are_refused() -> None:
    error = refusal('\ncolour = "red"\n' + ROUTE)
    assert (error.line, error.message) == (
        2,
        "unknown key 'colour': use name, [[permission]], [[route]], [[public]]",
    )
    assert refusal("name = 3\n" + OWN + ROUTE).message == "name must be a string"
    assert refusal('route = "GET /"\n').message == "route must be written as [[route]] tables"
    assert str(refusal('route = "GET /"\n')) == "gw.toml: route must be written as [[route]] tables"


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("/v1/accounts/{account}/reports", "/v1/acc{account}/reports", 4, "takes a whole segment"),
        ("/v1/accounts/{account}/reports", "/v1/{account}/{account}", 4, "named twice"),
        ('account = "path:account"\n', "", 1, "account is required"),
        ('name = "reports"', 'name = ""', 2, "name must be a string"),
    ],
)
def test_a_wrong_route_names_its_line(old: str, new: str, line: int, words: str) -> None:
    error = refusal(OWN + ROUTE.replace(old, new))
    assert error.line == line + OWN.count("\n")
    assert words in error.message
