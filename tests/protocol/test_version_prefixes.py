"""API version prefixes and the version that answers a call (adgate/protocol/versions.py)."""

from __future__ import annotations

import pytest

from adgate.protocol.errors import GraphError
from adgate.protocol.versions import (
    LATEST,
    OLDEST,
    OLDEST_SERVED,
    format_version,
    is_retired,
    refuse_retired_on_ads,
    served_version,
    split_version,
)

NEWEST = format_version(LATEST)


@pytest.mark.parametrize(
    ("path", "split"),
    [
        (f"/{NEWEST}/act_1/campaigns/", (NEWEST, "act_1/campaigns")),
        (f"{OLDEST_SERVED}/me", (OLDEST_SERVED, "me")),
        (f"/{NEWEST}", (NEWEST, "")),
        ("/v2.12/me", ("v2.12", "me")),
        (f"/v{LATEST[0]}.0/me", (NEWEST, "me")),
        ("/me/adaccounts/", (None, "me/adaccounts")),
        ("/", (None, "")),
        ("/version/x", (None, "version/x")),
    ],
)
def test_the_version_prefix_is_split_from_the_path(path: str, split: tuple[str | None, str]) -> None:
    assert split_version(path) == split


@pytest.mark.parametrize("head", [f"v{LATEST[0] + 1}.0", f"v{LATEST[0]}.1", "v1", "v26.x", "v1000.0"])
def test_a_version_that_does_not_exist_is_an_unknown_path(head: str) -> None:
    with pytest.raises(GraphError) as caught:
        split_version(f"/{head}/me")
    assert caught.value.spec.code == 2500
    assert head in caught.value.message


def test_a_retired_version_is_answered_as_the_oldest_served_one() -> None:
    retired = format_version((OLDEST[0] - 1, 0))
    assert is_retired(retired)
    assert is_retired("v2.12")
    assert not is_retired(None)
    assert not is_retired(OLDEST_SERVED)
    assert not is_retired(NEWEST)
    assert not is_retired("latest")
    assert served_version(retired) == OLDEST_SERVED
    assert served_version(None) == OLDEST_SERVED
    assert served_version(NEWEST) == NEWEST


def test_the_ads_api_refuses_a_retired_version_with_2635() -> None:
    refuse_retired_on_ads(None)
    refuse_retired_on_ads(NEWEST)
    with pytest.raises(GraphError) as caught:
        refuse_retired_on_ads("v2.12")
    assert caught.value.spec.code == 2635
    assert NEWEST in caught.value.message
