"""The usage headers Graph sends back: shapes exactly as in docs/graph-facts.md §5.4.

Pure formatting of compact JSON (no spaces), keys in the documented order (wrapped here)::

    X-App-Usage: {"call_count":28,"total_time":25,"total_cputime":25}
    X-Ad-Account-Usage: {"acc_id_util_pct":9.67,"reset_time_duration":100,
        "ads_api_access_tier":"standard_access"}
    X-Business-Use-Case-Usage: {"66782684":[{"type":"ads_management","call_count":95,"total_cputime":20,
        "total_time":20,"estimated_time_to_regain_access":0,"ads_api_access_tier":"development_access"}]}
    X-FB-Ads-Insights-Throttle: {"app_id_util_pct":12.5,"acc_id_util_pct":40,
        "ads_api_access_tier":"development_access"}

Choices where §5.4 is silent:

- ``ads_api_access_tier``: ``development_access`` and ``standard_access`` are documented;
  ``basic_access`` is OURS (Meta never showed a Basic value), following the same pattern.
- ``call_count`` / ``total_time`` / ``total_cputime`` are whole percentages, as in every published
  example, rounded *down* so that 100 appears only when the limit is really reached (clients back
  off at 100). ``acc_id_util_pct`` keeps two decimals, as in its example; a whole value is written
  without ``.0``.
- adgate meters calls, not CPU or wall time: the ``from_window`` helpers report the call share for
  all three, so a client watching the largest of the three throttles at the right moment.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from adgate.policy.ratelimit import ScoreDecision, WindowDecision

HEADER_APP_USAGE = "X-App-Usage"
HEADER_AD_ACCOUNT_USAGE = "X-Ad-Account-Usage"
HEADER_BUSINESS_USE_CASE_USAGE = "X-Business-Use-Case-Usage"
HEADER_ADS_INSIGHTS_THROTTLE = "X-FB-Ads-Insights-Throttle"

# rate_limit_tier -> ads_api_access_tier. "basic_access" is ours (see the module docstring).
ACCESS_TIER_VALUES: Mapping[str, str] = {
    "development": "development_access",
    "basic": "basic_access",
    "standard": "standard_access",
}


def access_tier_value(tier: str) -> str:
    """The header value for a rate-limit tier; a tier from a custom preset gets the same pattern."""
    return ACCESS_TIER_VALUES.get(tier, f"{tier}_access")


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _clamp(pct: float) -> float:
    return min(max(float(pct), 0.0), 100.0)


def _whole_pct(pct: float) -> int:
    return math.floor(_clamp(pct))


def _two_decimals(pct: float) -> int | float:
    value = round(_clamp(pct), 2)
    return int(value) if value.is_integer() else value


def format_app_usage(call_count: float, total_time: float, total_cputime: float) -> str:
    """``X-App-Usage`` (§5.1, §5.4): percentages of the app's hourly allowance."""
    return _compact(
        {
            "call_count": _whole_pct(call_count),
            "total_time": _whole_pct(total_time),
            "total_cputime": _whole_pct(total_cputime),
        }
    )


def app_usage_from_window(decision: WindowDecision) -> str:
    """``X-App-Usage`` for an app-level window decision (call share for all three fields)."""
    return format_app_usage(decision.pct, decision.pct, decision.pct)


def format_ad_account_usage(util_pct: float, reset_time_duration: int, tier: str) -> str:
    """``X-Ad-Account-Usage`` (§5.2, §5.4) from the score's utilisation and reset time."""
    return _compact(
        {
            "acc_id_util_pct": _two_decimals(util_pct),
            "reset_time_duration": max(0, int(reset_time_duration)),
            "ads_api_access_tier": access_tier_value(tier),
        }
    )


def ad_account_usage_from_score(decision: ScoreDecision, tier: str) -> str:
    return format_ad_account_usage(decision.util_pct, decision.reset_time_duration, tier)


@dataclass(frozen=True)
class BucUsage:
    """One entry of the ``X-Business-Use-Case-Usage`` array (§5.4)."""

    type: str
    call_count: float
    total_cputime: float
    total_time: float
    #: Minutes (§5.4), 0 when not throttled.
    estimated_time_to_regain_access: int
    tier: str

    @classmethod
    def from_window(cls, buc_type: str, decision: WindowDecision, tier: str) -> BucUsage:
        pct = decision.pct
        return cls(buc_type, pct, pct, pct, decision.estimated_time_to_regain_access_minutes, tier)


def format_business_use_case_usage(usage: Mapping[str, Sequence[BucUsage]]) -> str:
    """``X-Business-Use-Case-Usage`` (§5.3, §5.4), keyed by business-object id.

    The published example is keyed by the bare numeric ad account id, so an ``act_`` prefix is
    dropped here rather than trusted to every caller.
    """
    body = {
        object_id.removeprefix("act_"): [
            {
                "type": entry.type,
                "call_count": _whole_pct(entry.call_count),
                "total_cputime": _whole_pct(entry.total_cputime),
                "total_time": _whole_pct(entry.total_time),
                "estimated_time_to_regain_access": max(0, int(entry.estimated_time_to_regain_access)),
                "ads_api_access_tier": access_tier_value(entry.tier),
            }
            for entry in entries
        ]
        for object_id, entries in usage.items()
    }
    return _compact(body)


def format_ads_insights_throttle(app_id_util_pct: float, acc_id_util_pct: float, tier: str) -> str:
    """``X-FB-Ads-Insights-Throttle`` (§5.4)."""
    return _compact(
        {
            "app_id_util_pct": _two_decimals(app_id_util_pct),
            "acc_id_util_pct": _two_decimals(acc_id_util_pct),
            "ads_api_access_tier": access_tier_value(tier),
        }
    )
