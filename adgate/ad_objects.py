"""Plain records of the Marketing API objects: campaigns, ad sets, ads, creatives, audiences, runs.

Like :mod:`adgate.records`: frozen dataclasses, no ORM rows. Times are integer
Unix seconds on the server clock; money is an integer in the account currency's minor units
(cents), as Graph takes and returns budgets. ``app_id`` is the app whose token created the object:
the access review counts an app's ads by it (seed, Basic criteria "ads pass ad review").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ReviewVerdict = Literal["approved", "disapproved"]


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    account_id: str
    app_id: str | None
    name: str
    objective: str
    #: The configured status: ACTIVE, PAUSED, DELETED or ARCHIVED.
    status: str
    special_ad_categories: tuple[str, ...]
    daily_budget: int | None
    lifetime_budget: int | None
    spend_cap: int | None
    bid_strategy: str | None
    buying_type: str
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class AdSet:
    id: str
    account_id: str
    campaign_id: str
    app_id: str | None
    name: str
    status: str
    billing_event: str
    optimization_goal: str
    daily_budget: int | None
    lifetime_budget: int | None
    bid_amount: int | None
    targeting: Mapping[str, Any]
    start_time: int | None
    end_time: int | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class AdCreative:
    id: str
    account_id: str
    app_id: str | None
    name: str
    #: ACTIVE or DELETED.
    status: str
    title: str | None
    body: str | None
    link_url: str | None
    image_url: str | None
    call_to_action_type: str | None
    object_story_spec: Mapping[str, Any] | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class AdImage:
    """An image of an ad account's library, named by the MD5 of its bytes (the bytes are apart:
    :meth:`adgate.store.marketing.AdImageRepo.content`)."""

    account_id: str
    hash: str
    app_id: str | None
    #: The file name it was uploaded with (at most 100 characters).
    name: str
    #: ACTIVE or DELETED.
    status: str
    content_type: str
    width: int
    height: int
    #: Its size in bytes.
    size: int
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class Ad:
    id: str
    account_id: str
    campaign_id: str
    adset_id: str
    creative_id: str
    app_id: str | None
    name: str
    status: str
    #: When the ad (or its latest edit) went into review; the review ends a fixed time later.
    review_submitted_at: int
    #: The outcome the review will announce when it ends (decided by :mod:`adgate.policy.ad_review`).
    review_verdict: ReviewVerdict
    #: Graph's ``ad_review_feedback``: ``{"global": {policy: explanation}}``; empty when approved.
    review_feedback: Mapping[str, Any]
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class CustomAudience:
    id: str
    account_id: str
    app_id: str | None
    name: str
    subtype: str
    description: str | None
    customer_file_source: str | None
    retention_days: int | None
    rule: Mapping[str, Any] | None
    origin_audience_id: str | None
    lookalike_spec: Mapping[str, Any] | None
    #: ACTIVE or DELETED.
    status: str
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class ReportRun:
    """An async insights job: the query it answers, resolved to fixed dates when it was made."""

    id: str
    account_id: str
    app_id: str | None
    #: The node the report is about (an ad account's numeric id, a campaign, ad set or ad).
    node_id: str
    node_kind: str
    query: Mapping[str, Any] = field(default_factory=dict)
    created_at: int = 0
