"""Effective status: what is really happening, from the object, its parents and the review."""

from __future__ import annotations

import pytest

from adgate.policy.effective_status import ad_status, adset_status, shown


@pytest.mark.parametrize(
    ("own", "campaign", "expected"),
    [
        ("ACTIVE", "ACTIVE", "ACTIVE"),
        ("ACTIVE", "PAUSED", "CAMPAIGN_PAUSED"),
        ("PAUSED", "PAUSED", "PAUSED"),
        ("ACTIVE", "DELETED", "DELETED"),
        ("ARCHIVED", "PAUSED", "ARCHIVED"),
    ],
)
def test_an_ad_set_shows_its_campaign_pause(own: str, campaign: str, expected: str) -> None:
    assert adset_status(own, campaign) == expected


@pytest.mark.parametrize(
    ("own", "adset", "campaign", "in_review", "disapproved", "expected"),
    [
        ("ACTIVE", "ACTIVE", "ACTIVE", False, False, "ACTIVE"),
        ("ACTIVE", "ACTIVE", "ACTIVE", True, False, "PENDING_REVIEW"),
        ("PAUSED", "ACTIVE", "ACTIVE", True, True, "PENDING_REVIEW"),
        ("ACTIVE", "ACTIVE", "ACTIVE", False, True, "DISAPPROVED"),
        ("PAUSED", "ACTIVE", "ACTIVE", False, False, "PAUSED"),
        ("ACTIVE", "PAUSED", "PAUSED", False, False, "CAMPAIGN_PAUSED"),
        ("ACTIVE", "PAUSED", "ACTIVE", False, False, "ADSET_PAUSED"),
        ("DELETED", "ACTIVE", "ACTIVE", True, False, "DELETED"),
        ("ACTIVE", "ACTIVE", "ARCHIVED", True, False, "ARCHIVED"),
    ],
)
def test_an_ads_effective_status_follows_the_documented_precedence(
    own: str, adset: str, campaign: str, in_review: bool, disapproved: bool, expected: str
) -> None:
    assert (
        ad_status(own, adset=adset, campaign=campaign, in_review=in_review, disapproved=disapproved)
        == expected
    )


def test_lists_hide_deleted_and_archived_unless_asked() -> None:
    assert shown("ACTIVE", None)
    assert not shown("DELETED", None)
    assert not shown("ARCHIVED", None)
    assert shown("DELETED", frozenset({"DELETED"}))
    assert not shown("ACTIVE", frozenset({"PAUSED"}))
