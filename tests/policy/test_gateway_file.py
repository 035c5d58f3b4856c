"""The gateway file: every mistake refused at start, naming its line and the reason."""

from __future__ import annotations

import pytest

from adgate.policy.gateway import GatewayFileError, Public, match, parse
from adgate.policy.permissions import BUILT_IN as PERMISSIONS

GOOD = """\
name = "API"

[[route]]
method = "GET"
path = "/v1/accounts/{account}/reports"
account = "path:account"
permission = "ads_read"
"""


def parsed(text: str):  # type: ignore[no-untyped-def]
    return parse(text, source="gw.toml", known_permissions=PERMISSIONS)


def test_a_good_file_gives_its_routes() -> None:
    spec = parsed(GOOD)
    (route,) = spec.routes
    assert (route.method, route.write, route.buc, route.line) == ("GET", False, "none", 3)
    found = match(spec, "GET", "/v1/accounts/act_9/reports?x=1")
    assert found is not None and not isinstance(found, Public)
    assert found[1] == {"account": "act_9"}
    assert match(spec, "HEAD", "/v1/accounts/9/reports") is not None
    assert match(spec, "POST", "/v1/accounts/9/reports") is None
    assert match(spec, "GET", "/v1/accounts/9/reports/extra") is None


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('name = "API"\n[[route]\n', 2, "not valid TOML"),
        (GOOD.replace('method = "GET"', 'method = "FETCH"'), 4, "method must be one of"),
        (GOOD.replace('path = "/v1/accounts/{account}/reports"', 'path = "v1/x"'), 5, "path must be"),
        (GOOD.replace('account = "path:account"', 'account = "path:acct"'), 6, "does not have"),
        (GOOD.replace('account = "path:account"', 'account = "header:x"'), 6, "account must be"),
        (GOOD.replace('permission = "ads_read"', 'permission = "everything"'), 7, "known permission"),
        (GOOD + 'cost = "cheap"\n', 8, "cost must be read or write"),
        (GOOD + 'buc = "ads_everything"\n', 8, "buc must be one of"),
        (GOOD + 'colour = "red"\n', 8, "unknown key 'colour'"),
        (GOOD + GOOD.replace('name = "API"\n', ""), 9, "declared twice (first at line 3)"),
        (
            GOOD.replace('account = "path:account"', 'account = "none"') + 'buc = "ads_insights"\n',
            8,
            "per ad account",
        ),
        ('name = "API"\n', None, "declares no [[route]]"),
        (GOOD + '\n[[public]]\nprefix = "health"\n', 10, "prefix must be a path"),
    ],
)
def test_each_mistake_names_its_line_and_reason(text: str, line: int | None, words: str) -> None:
    with pytest.raises(GatewayFileError) as info:
        parsed(text)
    assert info.value.line == line, str(info.value)
    assert words in info.value.message
    assert str(info.value).startswith("gw.toml")


def test_a_public_prefix_lets_through_what_is_under_it_only() -> None:
    spec = parsed(GOOD + '\n[[public]]\nprefix = "/health"\n')
    assert isinstance(match(spec, "GET", "/health"), Public)
    assert isinstance(match(spec, "POST", "/health/deep"), Public)
    assert match(spec, "GET", "/healthz") is None
