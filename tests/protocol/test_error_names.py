"""The catalog's names are a type: a misspelt error is a mypy error, and the names agree with the
entries both ways."""

from typing import get_args

import pytest

from adgate.policy.access import AccessReason, unsupported
from adgate.policy.validity import InvalidReason
from adgate.protocol.errors import CATALOG, ErrorName, GraphError, is_error_name


def test_every_name_has_an_entry_and_every_entry_a_name() -> None:
    assert set(get_args(ErrorName)) == set(CATALOG)


@pytest.mark.parametrize("reasons", [AccessReason, InvalidReason], ids=["access", "validity"])
def test_the_policy_refuses_only_with_catalog_entries(reasons: object) -> None:
    assert set(get_args(reasons)) <= set(CATALOG)


def test_a_name_that_came_as_text_is_checked_against_the_catalog() -> None:
    assert is_error_name("token_expired")
    assert not is_error_name("token_expird")


@pytest.mark.parametrize(
    ("method", "entry"),
    [("GET", "unsupported_get"), ("POST", "unsupported_post"), ("DELETE", "unsupported_delete")],
)
def test_an_object_the_caller_cannot_see_is_refused_by_method(method: str, entry: str) -> None:
    assert unsupported(method) == entry
    error = GraphError.unsupported(method, "123")
    assert (error.code, error.subcode) == (100, 33)
    assert error.message.startswith(f"Unsupported {method.lower()} request. Object with ID '123'")
