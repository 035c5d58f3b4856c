"""The Insights query as Graph reads it: fields, dates, level, breakdowns, time increments.

docs/graph-facts.md §12.2 and §12.6: ``GET /act_<n>/insights?level=campaign&time_range={"since":…,
"until":…}&breakdowns=["age"]&fields=impressions,spend``; async runs send ``fields`` as a JSON
array. Dates are days of the ad account's time zone, counted from "today" on the server clock.

- ``date_preset`` (default ``last_30d``) as Graph defines them: ``last_Nd`` ends yesterday,
  ``this_*`` ends today, ``last_month`` / ``last_quarter`` / ``last_year`` / ``last_week_*`` are
  whole periods; ``maximum`` reaches back 37 months (Insights' retention). ``time_range`` wins
  over ``date_preset``; a range reaching past today stops at today (OURS); one starting more than
  37 months ago is refused with 3018, as Graph refuses it.
- ``time_increment``: ``all_days`` (default), ``monthly``, or a number of days from 1 to 90.
- ``level``: ``account``, ``campaign``, ``adset`` or ``ad``; not above the node asked about.
- ``breakdowns``: the dimensions in :data:`BREAKDOWNS`; several multiply.
- ``filtering``, ``sort``, ``action_breakdowns``: :mod:`adgate.protocol.insights_filters`.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from adgate.protocol.errors import GraphError
from adgate.protocol.insights_filters import Filter, parse_action_breakdowns, parse_filtering, parse_sort
from adgate.protocol.params import Params
from adgate.protocol.times import parse_day

LEVELS = ("account", "campaign", "adset", "ad")
#: The level of each node kind insights can be asked of.
NODE_LEVELS = {"ad_account": "account", "campaign": "campaign", "adset": "adset", "ad": "ad"}
RETENTION_MONTHS = 37
MAX_INCREMENT_DAYS = 90
DATE_PRESETS = (
    "today",
    "yesterday",
    "this_month",
    "last_month",
    "this_quarter",
    "maximum",
    "data_maximum",
    "last_3d",
    "last_7d",
    "last_14d",
    "last_28d",
    "last_30d",
    "last_90d",
    "last_week_mon_sun",
    "last_week_sun_sat",
    "last_quarter",
    "last_year",
    "this_week_mon_today",
    "this_week_sun_today",
    "this_year",
)
#: Breakdown dimension → its values (OURS: a fixed, plausible set of each).
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "age": ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "gender": ("female", "male", "unknown"),
    "country": ("US", "GB", "DE", "FR", "BR", "IN"),
    "publisher_platform": ("facebook", "instagram", "audience_network", "messenger"),
    "device_platform": ("mobile_app", "mobile_web", "desktop"),
    "impression_device": ("iphone", "android_smartphone", "ipad", "android_tablet", "desktop", "other"),
}
#: Metrics adgate computes (:mod:`adgate.policy.delivery`) and the attributes it can show.
METRICS = (
    "impressions",
    "reach",
    "frequency",
    "clicks",
    "unique_clicks",
    "inline_link_clicks",
    "spend",
    "ctr",
    "unique_ctr",
    "inline_link_click_ctr",
    "cpc",
    "cpm",
    "cpp",
    "cost_per_inline_link_click",
    "actions",
)
ATTRIBUTES = (
    "account_id",
    "account_name",
    "account_currency",
    "campaign_id",
    "campaign_name",
    "adset_id",
    "adset_name",
    "ad_id",
    "ad_name",
    "objective",
    "optimization_goal",
    "buying_type",
    "date_start",
    "date_stop",
)
DEFAULT_FIELDS = ("impressions", "spend")
#: What a row can hold, for ``filtering`` and ``sort`` (:mod:`adgate.protocol.insights_filters`).
ROW_FIELDS = frozenset(METRICS) | frozenset(ATTRIBUTES) | frozenset(BREAKDOWNS)


@dataclass(frozen=True, slots=True)
class InsightsQuery:
    level: str
    fields: tuple[str, ...]
    since: date
    until: date
    #: ``"all_days"``, ``"monthly"`` or a number of days.
    time_increment: str | int
    breakdowns: tuple[str, ...]
    filtering: tuple[Filter, ...] = ()
    #: ``(field, descending)``, first key first.
    sort: tuple[tuple[str, bool], ...] = ()
    action_breakdowns: tuple[str, ...] = ("action_type",)

    def to_json(self) -> dict[str, Any]:
        values = asdict(self)
        values["since"], values["until"] = self.since.isoformat(), self.until.isoformat()
        values["fields"], values["breakdowns"] = list(self.fields), list(self.breakdowns)
        values["filtering"] = [rule.to_json() for rule in self.filtering]
        values["sort"] = [[field, descending] for field, descending in self.sort]
        values["action_breakdowns"] = list(self.action_breakdowns)
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> InsightsQuery:
        return cls(
            level=str(values["level"]),
            fields=tuple(values["fields"]),
            since=date.fromisoformat(values["since"]),
            until=date.fromisoformat(values["until"]),
            time_increment=values["time_increment"],
            breakdowns=tuple(values["breakdowns"]),
            filtering=tuple(
                Filter(f["field"], f["operator"], f["value"]) for f in values.get("filtering", [])
            ),
            sort=tuple((str(field), bool(descending)) for field, descending in values.get("sort", ())),
            action_breakdowns=tuple(values.get("action_breakdowns", ("action_type",))),
        )


def _invalid_value(name: str, value: str, allowed: tuple[str, ...]) -> GraphError:
    return GraphError.invalid(f"{value} is not valid for {name} param. Use one of: {', '.join(allowed)}")


def months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def earliest(today: date) -> date:
    return months_back(today, RETENTION_MONTHS)


def preset_range(preset: str, today: date) -> tuple[date, date]:
    one = timedelta(days=1)
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return today - one, today - one
    if preset.startswith("last_") and preset.endswith("d") and preset[5:-1].isdigit():
        return today - timedelta(days=int(preset[5:-1])), today - one
    month_start = today.replace(day=1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    ranges = {
        "this_month": (month_start, today),
        "last_month": (months_back(month_start, 1), month_start - one),
        "this_quarter": (quarter_start, today),
        "last_quarter": (months_back(quarter_start, 3), quarter_start - one),
        "this_year": (date(today.year, 1, 1), today),
        "last_year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        "this_week_mon_today": (today - timedelta(days=today.weekday()), today),
        "this_week_sun_today": (today - timedelta(days=(today.weekday() + 1) % 7), today),
        "maximum": (earliest(today), today),
        "data_maximum": (earliest(today), today),
    }
    if preset in ranges:
        return ranges[preset]
    week_start = today - timedelta(days=today.weekday() + 7)  # last week's Monday
    if preset == "last_week_mon_sun":
        return week_start, week_start + timedelta(days=6)
    sunday = today - timedelta(days=(today.weekday() + 1) % 7 + 7)
    return sunday, sunday + timedelta(days=6)  # last_week_sun_sat


def _date_range(params: Params, today: date) -> tuple[date, date]:
    time_range = params.get_dict("time_range")
    if time_range is not None:
        since, until = parse_day(time_range.get("since")), parse_day(time_range.get("until"))
        if since is None or until is None:
            raise GraphError.invalid(
                'Param time_range must be {"since":"YYYY-MM-DD","until":"YYYY-MM-DD"} with valid dates'
            )
        if since > until:
            raise GraphError.invalid("Param time_range: since must not be after until")
    else:
        preset = (params.get_str("date_preset") or "last_30d").strip().lower()
        if preset not in DATE_PRESETS:
            raise _invalid_value("date_preset", preset, DATE_PRESETS)
        since, until = preset_range(preset, today)
    if since < earliest(today):
        raise GraphError.of("insights_too_old")
    return since, min(until, today)  # a range wholly in the future is empty


def _time_increment(params: Params) -> str | int:
    raw = (params.get_str("time_increment") or "all_days").strip().lower()
    if raw in ("all_days", "monthly"):
        return raw
    if raw.isascii() and raw.isdigit() and len(raw) <= 2 and 1 <= int(raw) <= MAX_INCREMENT_DAYS:
        return int(raw)
    raise GraphError.invalid(
        f"Param time_increment must be all_days, monthly or a number of days from 1 to {MAX_INCREMENT_DAYS}"
    )


def parse_query(params: Params, node_kind: str, today: date) -> InsightsQuery:
    node_level = NODE_LEVELS[node_kind]
    level = (params.get_str("level") or node_level).strip().lower()
    if level not in LEVELS:
        raise _invalid_value("level", level, LEVELS)
    if LEVELS.index(level) < LEVELS.index(node_level):
        allowed = ", ".join(LEVELS[LEVELS.index(node_level) :])
        raise GraphError.invalid(f"level {level} is above this {node_level}: use one of {allowed}")
    fields = tuple(params.fields() or DEFAULT_FIELDS)
    for name in fields:
        if name not in METRICS and name not in ATTRIBUTES:
            raise GraphError.invalid(
                f"{name} is not valid for fields param. please check https://developers.facebook.com/"
                "docs/marketing-api/reference/ads-insights/ for all valid values"
            )
    breakdowns = tuple(dict.fromkeys(params.get_list("breakdowns") or ()))
    for name in breakdowns:
        if name not in BREAKDOWNS:
            raise _invalid_value("breakdowns", name, tuple(BREAKDOWNS))
    since, until = _date_range(params, today)
    return InsightsQuery(
        level,
        fields,
        since,
        until,
        _time_increment(params),
        breakdowns,
        parse_filtering(params, ROW_FIELDS),
        parse_sort(params, ROW_FIELDS),
        parse_action_breakdowns(params),
    )


def buckets(query: InsightsQuery) -> list[tuple[date, date]]:
    """The reporting periods of the query, in order."""
    if query.since > query.until:
        return []
    if query.time_increment == "all_days":
        return [(query.since, query.until)]
    out: list[tuple[date, date]] = []
    start = query.since
    while start <= query.until:
        if query.time_increment == "monthly":
            stop = start.replace(day=monthrange(start.year, start.month)[1])
        else:
            stop = start + timedelta(days=int(query.time_increment) - 1)
        out.append((start, min(stop, query.until)))
        start = min(stop, query.until) + timedelta(days=1)
    return out
