"""Times and dates as the Marketing API writes and reads them.

Graph writes object times as ISO 8601 with a numeric offset and no colon
(``2026-09-21T07:13:20-0700``), in the ad account's time zone, and reads ``start_time`` /
``end_time`` as ISO 8601 or Unix seconds. Insights dates are ``YYYY-MM-DD`` days of the ad
account's time zone. A time zone this host does not know is read as UTC (OURS).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=256)
def zone(name: str | None) -> tzinfo:
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def graph_time(timestamp: int, timezone_name: str | None = None) -> str:
    return datetime.fromtimestamp(timestamp, zone(timezone_name)).strftime("%Y-%m-%dT%H:%M:%S%z")


def local_day(timestamp: int, timezone_name: str | None = None) -> date:
    """The calendar day ``timestamp`` falls on in the account's time zone."""
    return datetime.fromtimestamp(timestamp, zone(timezone_name)).date()


def parse_time(raw: str, timezone_name: str | None = None) -> int | None:
    """Unix seconds from Unix seconds or ISO 8601 (a time without offset is account-local)."""
    text = raw.strip()
    if text.isascii() and text.isdigit():
        return int(text) if len(text) <= 15 else None
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]  # -0700 → -07:00, which fromisoformat reads everywhere
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(timezone_name))
    return int(parsed.timestamp())


def parse_day(raw: object) -> date | None:
    """A ``YYYY-MM-DD`` day, or None."""
    if not isinstance(raw, str) or len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None
