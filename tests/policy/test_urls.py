"""Site URL and redirect URI rules (adgate/policy/urls.py): what can be registered, and the exact match."""

from __future__ import annotations

import pytest

from adgate.policy.urls import redirect_uri_allowed, url_problem


@pytest.mark.parametrize(
    "url", ["https://app.example/", "http://localhost:8080/cb?x=1", "https://a.example/login"]
)
def test_an_absolute_url_with_a_path_can_be_registered(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "non-empty absolute URL of at most 2000 characters"),
        ("https://a.example/" + "x" * 2000, "at most 2000 characters"),
        ("https://a.example/a b", "must not contain spaces"),
        ("http://[::1/", "is not a valid URL"),
        ("ftp://a.example/", "absolute http:// or https:// URL"),
        ("/relative/path", "absolute http:// or https:// URL"),
        ("https://a.example/#top", "must not contain a fragment"),
        ("https://a.example/#", "must not contain a fragment"),
        ("https://user:pw@a.example/", "must not contain a user name or password"),
        ("https://a.example", "names a bare site: add a trailing / (https://a.example/)"),
    ],
)
def test_a_url_that_cannot_be_matched_exactly_is_refused_with_why(url: str, why: str) -> None:
    problem = url_problem(url, what="redirect_uri")
    assert problem is not None
    assert problem.startswith("redirect_uri ")
    assert why in problem


def test_a_redirect_uri_matches_a_registered_one_or_the_site_url_exactly() -> None:
    registered = ("https://a.example/cb",)
    assert redirect_uri_allowed(registered, None, "https://a.example/cb")
    assert not redirect_uri_allowed(registered, None, "https://a.example/cb/")
    assert not redirect_uri_allowed(registered, None, "https://a.example/")
    assert redirect_uri_allowed(registered, "https://a.example/", "https://a.example/")
    assert not redirect_uri_allowed((), "https://a.example/", "https://a.example")
