"""The access review's rules, as plain functions over plain numbers.

Seed, "Basic": "App successfully makes at least 1000 API calls with an error rate of less than 10%
in the last 30 days"; "Apps creates sufficient ads that pass ad review and do not contain bad
creatives"; "Login flow is clear; user knows what permissions are requested". "Standard": "You get
this level only after acceptance to the basic level, you cannot skip levels." "Time to review":
"about 3 business days" to Basic, "averaging two weeks" to Standard (the level table's
``review_days``/``review_business_days``). "Apply for Basic": "If your app uses the manage_pages
permission, you need a separate app review from Marketing API access."

Choices where the seed is silent (README parity table):

- **Window**: the last 30 UTC days on the server clock, today included (the usage meter's days).
  Calls made 30 or more days ago no longer count.
- **Error rate** = ``errors / calls`` over the window, where ``errors`` is every failed call of the
  usage meter (throttled, auth, permission, server and client errors alike: the seed says "error
  rate" without exceptions). It must be strictly under 10%; with no calls it is not met.
- **Ads**: at least 1 of the app's ads approved by ad review and none disapproved, over every ad
  the app ever made (a disapproved creative is not undone by deleting the ad, nor by time).
  Ads still in review count neither way.
- **Clear login flow**: at least 1 person *without a role on the app* holds a live authorization of
  it and declined none of the permissions they were asked for (no ``declined`` grant). People with
  a role prove nothing: they know the app.
- **Standard** is judged on the same recorded criteria (the "in-depth business review" is the
  reviewer's part); a **permission review** on the login-flow criterion alone.
- **Permission review**: ``public_profile`` and ``email`` need none; ``ads_management`` and
  ``ads_read`` come with Marketing API access (any level past the first); every other permission,
  ``manage_pages`` included, needs its own approved ``permission:<name>`` submission, which takes
  about 3 business days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from adgate.words import counted

WINDOW_DAYS = 30
MIN_CALLS = 1000
#: Strictly under this percentage of the window's calls may have failed.
MAX_ERROR_PERCENT = 10
MIN_APPROVED_ADS = 1
MIN_CLEAR_LOGINS = 1

#: Granted by anyone without review (docs/graph-facts.md §9: the default and standard permissions).
NO_REVIEW_PERMISSIONS: frozenset[str] = frozenset({"public_profile", "email"})
#: Approved together with Marketing API access (any level past the first).
MARKETING_PERMISSIONS: frozenset[str] = frozenset({"ads_management", "ads_read"})
PERMISSION_REVIEW_DAYS = 3
PERMISSION_REVIEW_BUSINESS_DAYS = True

PERMISSION_PREFIX = "permission:"
SATURDAY = 5

FeatureKind = Literal["access", "permission"]


@dataclass(frozen=True, slots=True)
class Figures:
    """What the server recorded about an app, the input of every criterion."""

    calls: int
    errors: int
    ads_approved: int
    ads_disapproved: int
    ads_pending: int
    #: People without a role on the app holding a live authorization of it.
    role_free_logins: int
    #: Of those, the ones who declined nothing they were asked for.
    clear_logins: int

    @property
    def error_rate(self) -> float:
        return round(self.errors / self.calls, 4) if self.calls else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "error_rate": self.error_rate}


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    rule: str
    met: bool
    #: Said to the app when the criterion is not met (the reason of a denial).
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rule": self.rule,
            "met": self.met,
            "reason": None if self.met else self.reason,
        }


def api_calls(f: Figures) -> Criterion:
    return Criterion(
        "api_calls",
        f"at least {MIN_CALLS} API calls in the last {WINDOW_DAYS} days",
        f.calls >= MIN_CALLS,
        f"The app made {counted(f.calls, 'API call')} in the last {WINDOW_DAYS} days; "
        f"at least {MIN_CALLS} are needed.",
    )


def error_rate(f: Figures) -> Criterion:
    # Integer arithmetic: 999 errors in 10000 calls (9.99%) passes, 1000 (10%) does not.
    met = f.calls > 0 and f.errors * 100 < f.calls * MAX_ERROR_PERCENT
    return Criterion(
        "error_rate",
        f"an error rate under {MAX_ERROR_PERCENT}% over the last {WINDOW_DAYS} days",
        met,
        f"{f.errors} of the app's {counted(f.calls, 'API call')} in the last {WINDOW_DAYS} days failed "
        f"({f.error_rate:.2%}); the error rate must be under {MAX_ERROR_PERCENT}%."
        if f.calls
        else f"The app made no API calls in the last {WINDOW_DAYS} days, so it has no error rate to judge.",
    )


def ad_review(f: Figures) -> Criterion:
    met = f.ads_approved >= MIN_APPROVED_ADS and f.ads_disapproved == 0
    if f.ads_disapproved:
        reason = (
            f"{f.ads_disapproved} of the app's ads {'was' if f.ads_disapproved == 1 else 'were'} "
            "disapproved by ad review (bad creatives)."
        )
    else:
        reason = (
            f"The app has {counted(f.ads_approved, 'ad')} approved by ad review; "
            f"at least {MIN_APPROVED_ADS} is needed."
        )
    return Criterion(
        "ad_review", "ads that pass ad review, and no disapproved ads (bad creatives)", met, reason
    )


def login_flow(f: Figures) -> Criterion:
    return Criterion(
        "login_flow",
        "people without a role on the app completed the login dialog and granted what was asked",
        f.clear_logins >= MIN_CLEAR_LOGINS,
        f"{counted(f.clear_logins, 'person', 'people')} without a role on the app completed the login "
        f"dialog granting every permission asked ({f.role_free_logins} authorized it in all); "
        f"at least {MIN_CLEAR_LOGINS} is needed.",
    )


def criteria_for(kind: FeatureKind, f: Figures) -> tuple[Criterion, ...]:
    """The criteria a feature is judged on, computed from ``f``."""
    if kind == "permission":
        return (login_flow(f),)
    return (api_calls(f), error_rate(f), ad_review(f), login_flow(f))


def all_met(criteria: Sequence[Criterion]) -> bool:
    return all(c.met for c in criteria)


def unmet_reasons(criteria: Sequence[Criterion]) -> list[str]:
    return [c.reason for c in criteria if not c.met]


# --- features -----------------------------------------------------------------------------------
def access_feature(level: str) -> str:
    """``basic`` → ``ads_management_basic_access`` (seed: the 'Ads Management Basic Access' feature)."""
    return f"ads_management_{level}_access"


def parse_feature(feature: str) -> tuple[FeatureKind, str] | None:
    """``("access", level)`` or ``("permission", name)``; ``None`` when it is neither shape."""
    if feature.startswith(PERMISSION_PREFIX):
        name = feature.removeprefix(PERMISSION_PREFIX)
        return ("permission", name) if name else None
    if feature.startswith("ads_management_") and feature.endswith("_access"):
        level = feature.removeprefix("ads_management_").removesuffix("_access")
        return ("access", level) if level else None
    return None


# --- the timeline -------------------------------------------------------------------------------
def due_at(submitted_at: int, days: int, business_days: bool) -> int:
    """When a review submitted at ``submitted_at`` is due: ``days`` later, counting only Monday to
    Friday (UTC) when ``business_days`` — a Friday submission is due on Wednesday, same time."""
    if not business_days:
        return submitted_at + days * 86_400
    moment = datetime.fromtimestamp(submitted_at, tz=UTC)
    left = days
    while left > 0:
        moment += timedelta(days=1)
        if moment.weekday() < SATURDAY:
            left -= 1
    return int(moment.timestamp())


# --- permission review --------------------------------------------------------------------------
def needs_review(permission: str) -> bool:
    return permission not in NO_REVIEW_PERMISSIONS


def unapproved(asked: Iterable[str], approved: Iterable[str], *, marketing_access: bool) -> tuple[str, ...]:
    """Of ``asked``, what a person without a role may not grant a live app yet."""
    cleared = set(approved) | NO_REVIEW_PERMISSIONS
    if marketing_access:
        cleared |= MARKETING_PERMISSIONS
    return tuple(p for p in asked if p not in cleared)
