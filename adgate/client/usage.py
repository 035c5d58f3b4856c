"""The usage headers Graph sends with its answers, parsed (docs/graph-facts.md §5.4).

::

    X-App-Usage: {"call_count":28,"total_time":25,"total_cputime":25}
    X-Ad-Account-Usage: {"acc_id_util_pct":9.67,"reset_time_duration":100,
        "ads_api_access_tier":"standard_access"}
    X-Business-Use-Case-Usage: {"66782684":[{"type":"ads_management","call_count":95,"total_cputime":20,
        "total_time":20,"estimated_time_to_regain_access":0,"ads_api_access_tier":"development_access"}]}

Percent fields run 0-100; ``reset_time_duration`` is in seconds, ``estimated_time_to_regain_access``
in **minutes**. Headers only come "once enough calls have been made", and a malformed one is
ignored rather than failing the call it came with.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

APP_USAGE = "x-app-usage"
AD_ACCOUNT_USAGE = "x-ad-account-usage"
BUSINESS_USE_CASE_USAGE = "x-business-use-case-usage"


@dataclass(frozen=True, slots=True)
class AppUsage:
    call_count: float
    total_cputime: float
    total_time: float


@dataclass(frozen=True, slots=True)
class AdAccountUsage:
    acc_id_util_pct: float
    #: Seconds until the ad account's score is back to zero.
    reset_time_duration: float
    ads_api_access_tier: str | None


@dataclass(frozen=True, slots=True)
class BusinessUseCaseUsage:
    #: The ad account, business or page id the entry is keyed by.
    object_id: str
    type: str
    call_count: float
    total_cputime: float
    total_time: float
    #: Minutes until calls are accepted again (0: not blocked).
    estimated_time_to_regain_access: float
    ads_api_access_tier: str | None


@dataclass(frozen=True, slots=True)
class Usage:
    """What one response said about the app's, the ad account's and each business use case's usage."""

    app: AppUsage | None = None
    ad_account: AdAccountUsage | None = None
    business_use_case: tuple[BusinessUseCaseUsage, ...] = ()

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Usage:
        lower = {k.lower(): v for k, v in headers.items()}
        return cls(
            app=_app(_json(lower.get(APP_USAGE))),
            ad_account=_ad_account(_json(lower.get(AD_ACCOUNT_USAGE))),
            business_use_case=_buc(_json(lower.get(BUSINESS_USE_CASE_USAGE))),
        )

    @property
    def regain_seconds(self) -> float | None:
        """How long Graph says to wait, in seconds; None when the headers say nothing.

        The business-use-case estimate wins (docs/graph-facts.md §5.1: "BUC wins"); otherwise the ad account's
        ``reset_time_duration``.
        """
        minutes = [u.estimated_time_to_regain_access for u in self.business_use_case]
        if minutes and max(minutes) > 0:
            return max(minutes) * 60.0
        if self.ad_account is not None and self.ad_account.reset_time_duration > 0:
            return self.ad_account.reset_time_duration
        return None

    @property
    def highest_pct(self) -> float:
        """The highest usage percentage any header reports (100 = throttled)."""
        values = [0.0]
        if self.app is not None:
            values += [self.app.call_count, self.app.total_cputime, self.app.total_time]
        if self.ad_account is not None:
            values.append(self.ad_account.acc_id_util_pct)
        for u in self.business_use_case:
            values += [u.call_count, u.total_cputime, u.total_time]
        return max(values)


def _json(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _num(obj: Mapping[str, Any], name: str) -> float:
    value = obj.get(name)
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


def _str(obj: Mapping[str, Any], name: str) -> str | None:
    value = obj.get(name)
    return value if isinstance(value, str) else None


def _app(obj: Any) -> AppUsage | None:
    if not isinstance(obj, Mapping):
        return None
    return AppUsage(_num(obj, "call_count"), _num(obj, "total_cputime"), _num(obj, "total_time"))


def _ad_account(obj: Any) -> AdAccountUsage | None:
    if not isinstance(obj, Mapping):
        return None
    return AdAccountUsage(
        _num(obj, "acc_id_util_pct"), _num(obj, "reset_time_duration"), _str(obj, "ads_api_access_tier")
    )


def _buc(obj: Any) -> tuple[BusinessUseCaseUsage, ...]:
    if not isinstance(obj, Mapping):
        return ()
    found: list[BusinessUseCaseUsage] = []
    for object_id, entries in obj.items():
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            found.append(
                BusinessUseCaseUsage(
                    object_id=str(object_id),
                    type=_str(entry, "type") or "",
                    call_count=_num(entry, "call_count"),
                    total_cputime=_num(entry, "total_cputime"),
                    total_time=_num(entry, "total_time"),
                    estimated_time_to_regain_access=_num(entry, "estimated_time_to_regain_access"),
                    ads_api_access_tier=_str(entry, "ads_api_access_tier"),
                )
            )
    return tuple(found)
