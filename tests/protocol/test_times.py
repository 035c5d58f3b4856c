"""Times and dates as the Marketing API writes and reads them (adgate/protocol/times.py)."""

from __future__ import annotations

from datetime import UTC, date

import pytest

from adgate.protocol.times import graph_time, local_day, parse_day, parse_time, zone

LA = "America/Los_Angeles"


def test_an_unknown_or_missing_time_zone_reads_as_utc() -> None:
    assert zone(None) is UTC
    assert zone("") is UTC
    assert zone("Mars/Olympus_Mons") is UTC
    assert zone("../etc/passwd") is UTC
    assert str(zone(LA)) == LA


def test_object_times_are_written_in_the_accounts_zone_with_an_offset_without_colon() -> None:
    assert graph_time(0) == "1970-01-01T00:00:00+0000"
    assert graph_time(1_790_000_000, LA) == "2026-09-21T07:13:20-0700"
    assert graph_time(1_790_000_000, "Europe/Paris") == "2026-09-21T16:13:20+0200"


def test_the_day_is_the_accounts_calendar_day() -> None:
    late_utc_evening = 1_790_000_000 + 10 * 3600  # 2026-09-22T00:13:20Z
    assert local_day(late_utc_evening) == date(2026, 9, 22)
    assert local_day(late_utc_evening, LA) == date(2026, 9, 21)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1790000000", 1_790_000_000),
        (" 1790000000 ", 1_790_000_000),
        ("2026-09-21T07:13:20-0700", 1_790_000_000),
        ("2026-09-21T07:13:20-07:00", 1_790_000_000),
        ("2026-09-21T14:13:20Z", 1_790_000_000),
        ("2026-09-21T07:13:20", 1_790_000_000),
        ("1" * 16, None),
        ("١٢٣", None),
        ("tomorrow", None),
        ("", None),
    ],
)
def test_a_time_is_read_from_unix_seconds_or_iso_8601_local_to_the_account(
    raw: str, expected: int | None
) -> None:
    assert parse_time(raw, LA) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-09-21", date(2026, 9, 21)),
        ("2026-02-30", None),
        ("2026-9-21", None),
        (20260921, None),
        (None, None),
    ],
)
def test_an_insights_day_is_exactly_yyyy_mm_dd(raw: object, expected: date | None) -> None:
    assert parse_day(raw) == expected
