"""Configured and effective statuses of campaigns, ad sets, ads and creatives.

Graph separates ``status`` (what the advertiser set: ``configured_status``) from
``effective_status`` (what is really happening, given the parents and the ad review). Pure
functions over the statuses involved; the review phase comes from
:mod:`adgate.policy.ad_review`.

Precedence for an ad (first that applies), a documented choice where Graph publishes none:

1. its own ``DELETED`` / ``ARCHIVED``;
2. the campaign's, then the ad set's ``DELETED`` / ``ARCHIVED`` (deletes also cascade in the store);
3. ``PENDING_REVIEW`` while the review runs, then ``DISAPPROVED`` if it failed;
4. its own ``PAUSED``;
5. ``CAMPAIGN_PAUSED``, then ``ADSET_PAUSED``;
6. ``ACTIVE``.

An ad set follows steps 1, 2, 4 and 5 with its campaign; a campaign and a creative show their own
status.
"""

from __future__ import annotations

#: Statuses an advertiser may set (``status`` on create and update).
CONFIGURED = ("ACTIVE", "PAUSED", "DELETED", "ARCHIVED")
#: Statuses allowed when an object is created.
ON_CREATE = ("ACTIVE", "PAUSED")
#: Every value ``effective_status`` can take for campaigns, ad sets and ads, as Graph lists them
#: in its ``effective_status`` filter error.
EFFECTIVE = (
    "ACTIVE",
    "PAUSED",
    "DELETED",
    "PENDING_REVIEW",
    "DISAPPROVED",
    "PREAPPROVED",
    "PENDING_BILLING_INFO",
    "CAMPAIGN_PAUSED",
    "ARCHIVED",
    "ADSET_PAUSED",
    "IN_PROCESS",
    "WITH_ISSUES",
)
#: Creatives and custom audiences.
CREATIVE_STATUSES = ("ACTIVE", "IN_PROCESS", "WITH_ISSUES", "DELETED")
#: What a list shows when no ``effective_status`` filter is given: everything not deleted or archived.
GONE = frozenset({"DELETED", "ARCHIVED"})


def campaign_status(status: str) -> str:
    return status


def adset_status(status: str, campaign: str) -> str:
    if status in GONE:
        return status
    if campaign in GONE:
        return campaign
    if status == "PAUSED":
        return "PAUSED"
    if campaign == "PAUSED":
        return "CAMPAIGN_PAUSED"
    return "ACTIVE"


def ad_status(status: str, *, adset: str, campaign: str, in_review: bool, disapproved: bool) -> str:
    if status in GONE:
        return status
    if campaign in GONE:
        return campaign
    if adset in GONE:
        return adset
    if in_review:
        return "PENDING_REVIEW"
    if disapproved:
        return "DISAPPROVED"
    if status == "PAUSED":
        return "PAUSED"
    if campaign == "PAUSED":
        return "CAMPAIGN_PAUSED"
    if adset == "PAUSED":
        return "ADSET_PAUSED"
    return "ACTIVE"


def shown(effective: str, wanted: frozenset[str] | None) -> bool:
    """Does a list with the filter ``wanted`` (None: no filter) show an object with ``effective``?"""
    if wanted is None:
        return effective not in GONE
    return effective in wanted
